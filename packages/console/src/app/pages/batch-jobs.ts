import { get, query, request, ApiProblem } from '../api.ts';
import { card, h, show, table } from '../dom.ts';
import { num, time } from '../format.ts';
import type { EndpointView } from '../model.ts';
import { needs, storedKey } from '../session.ts';

/** A job as `GET /v1/batch-jobs` lists it. */
interface BatchJobView {
  jobId: string;
  endpoint: string;
  model: string;
  version: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  format: string;
  rows: { total: number | null; done: number; failed: number };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  output: { key: string; format: string } | null;
  failure?: string;
}

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const REFRESH_MS = 2_000;

/**
 * Batch jobs, newest first, filtered by endpoint and status: each with its progress (rows done of
 * the total, failed rows), when it started and finished, its output to download, and a cancel
 * button while it is queued or running. Refreshes while a shown job is unfinished.
 */
export async function batchJobsPage(main: HTMLElement) {
  const { endpoints } = await get<{ endpoints: EndpointView[] }>('/v1/endpoints');
  const select = (id: string, label: string, options: string[]) =>
    h('select', { id, 'aria-label': label }, h('option', { value: '' }, `Any ${label.toLowerCase()}`), ...options.map((o) => h('option', { value: o }, o)));
  const endpoint = select(
    'batch-endpoint',
    'Endpoint',
    endpoints.map((e) => e.endpoint),
  );
  const status = select('batch-status', 'Status', STATUSES);
  const list = h('div');
  const more = h('div');
  const message = h('p', { role: 'status' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  /** Pages shown so far: a refresh redraws as many as were loaded. */
  let pages = 1;

  const say = (text: string, error = false) => {
    message.className = error ? 'notice error' : 'notice';
    show(message, text);
  };

  const cancel = async (job: BatchJobView) => {
    try {
      const { body } = await request<BatchJobView>(`/v1/batch-jobs/${job.jobId}/cancel`, { method: 'POST' });
      say(`Batch job ${body.jobId} is ${body.status}.`);
    } catch (error) {
      say((error as Error).message, true);
    }
    await refresh();
  };

  const refresh = async () => {
    clearTimeout(timer);
    const jobs: BatchJobView[] = [];
    let next: string | undefined;
    for (let page = 0; page < pages; page++) {
      const body = await get<{ jobs: BatchJobView[]; next?: string }>(`/v1/batch-jobs${query({ endpoint: endpoint.value, status: status.value, limit: 25, cursor: next })}`);
      jobs.push(...body.jobs);
      next = body.next;
      if (!next) break;
    }
    if (stopped) return;
    show(
      list,
      jobs.length
        ? table(
            ['Status', 'Job', 'Endpoint', 'Model', 'Progress', 'Failed rows', 'Started', 'Finished', ''],
            jobs.map((job) => [
              h('span', { class: `badge ${job.status}` }, job.status),
              h('code', { title: job.failure }, job.jobId),
              h('a', { href: `#/endpoints/${encodeURIComponent(job.endpoint)}` }, job.endpoint),
              `${job.model}@${job.version}`,
              progress(job),
              num(job.rows.failed),
              time(job.startedAt ?? undefined),
              time(job.finishedAt ?? undefined),
              h(
                'div',
                { class: 'row' },
                job.output
                  ? h(
                      'button',
                      {
                        type: 'button',
                        'aria-label': `Download the output of ${job.jobId}`,
                        onclick: () => void download(job).catch((error) => say((error as Error).message, true)),
                      },
                      'Output',
                    )
                  : null,
                job.status === 'queued' || job.status === 'running'
                  ? h('button', { type: 'button', ...needs('predict'), 'aria-label': `Cancel ${job.jobId}`, onclick: () => void cancel(job) }, 'Cancel')
                  : null,
                job.failure ? h('span', { class: 'bad' }, job.failure) : null,
              ),
            ]),
            { numeric: [5], label: 'Batch jobs' },
          )
        : h('p', { class: 'muted' }, 'No batch jobs match.'),
    );
    show(more, next ? h('button', { type: 'button', onclick: () => ((pages += 1), void refresh()) }, 'Older jobs') : null);
    if (jobs.some((job) => job.status === 'queued' || job.status === 'running'))
      timer = setTimeout(() => void refresh().catch((error) => say((error as Error).message, true)), REFRESH_MS);
  };

  for (const filter of [endpoint, status]) filter.addEventListener('change', () => ((pages = 1), void refresh()));
  show(
    main,
    h('h1', {}, 'Batch jobs'),
    h('p', { class: 'muted' }, 'Submit a job with ', h('code', {}, 'POST /v1/endpoints/{endpoint}/batch'), ' or ', h('code', {}, 'flywheel batch submit'), '.'),
    card('Filter', h('div', { class: 'row' }, endpoint, status)),
    message,
    card('Batch jobs', list, more),
  );
  await refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Rows done of the total as a bar, with the counts beside it (the total is known once the job is planned). */
function progress(job: BatchJobView) {
  const { total, done } = job.rows;
  const label = total === null ? `${num(done)} rows` : `${num(done)} / ${num(total)} rows`;
  return h('div', { class: 'row' }, h('progress', { max: total ?? 1, value: total === null ? 0 : done, 'aria-label': `Progress of ${job.jobId}: ${label}` }), h('span', {}, label));
}

/** The output needs the key, so it is fetched with it and handed to the browser as a file. */
async function download(job: BatchJobView): Promise<void> {
  const response = await fetch(`/v1/batch-jobs/${job.jobId}/output`, { headers: { authorization: `Bearer ${storedKey() ?? ''}` } });
  if (!response.ok) throw new ApiProblem(response.status, (await response.json().catch(() => ({}))) as ApiProblem['problem']);
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: `${job.jobId}.ndjson` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
