// `npm run demo`: the flywheel, live, against a running `npm start`. Sends traffic to the `demo`
// endpoint, changes the world under it (shifted features and a new concept), feeds the labels back,
// and prints the loop as the system closes it by itself, in a few minutes: alert, retraining run,
// new version, canary, rollout decision.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sleep, type CloudEvent, type Run } from '@flywheel/core';
import { seedDemo } from '@flywheel/local';
import { DEMO_ENDPOINT, DEMO_MODEL, demoSeed, demoTraffic, type Dataset } from '@flywheel/train';

const url = (process.env.FLYWHEEL_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const seconds = (name: string, fallback: number) => Number(process.env[name] ?? fallback) * 1000;
/** The judge looks every minute and opens the alert at its first look after the shift: two minutes is the promise. */
const DRIFT_WAIT_MS = seconds('FLYWHEEL_DEMO_DRIFT_WAIT', 180);
const RUN_WAIT_MS = seconds('FLYWHEEL_DEMO_RUN_WAIT', 300);
const ROLLOUT_WAIT_MS = seconds('FLYWHEEL_DEMO_ROLLOUT_WAIT', 240);
const BATCH = 100;

const startedAt = new Date().toISOString();
const clock = () => new Date().toISOString().slice(11, 19);
const say = (line: string) => console.log(line);
const step = (n: number, title: string) => say(`\n[${n}/6] ${title}`);
const note = (line: string) => say(`   ${line}`);
/** When the shifted traffic started: the loop's milestones are printed with the time since. */
let shiftAt: number | undefined;
const live = (line: string) => say(`   ${clock()}${shiftAt === undefined ? '' : ` (+${Math.round((Date.now() - shiftAt) / 1000)} s)`}  ${line}`);

class DemoError extends Error {}

let key = '';
async function api(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${key}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  try {
    return await fetch(`${url}${path}`, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  } catch (error) {
    throw new DemoError(`cannot reach ${url} (${(error as Error).cause ?? (error as Error).message}); is \`npm start\` running? Set FLYWHEEL_URL if it listens elsewhere.`);
  }
}
async function json<T>(path: string, init: RequestInit & { json?: unknown } = {}, expected = [200]): Promise<T> {
  const response = await api(path, init);
  const text = await response.text();
  if (!expected.includes(response.status)) throw new DemoError(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

async function adminKey(): Promise<{ key: string; from: string }> {
  if (process.env.FLYWHEEL_ADMIN_KEY) return { key: process.env.FLYWHEEL_ADMIN_KEY, from: 'FLYWHEEL_ADMIN_KEY' };
  const file = join(resolve(process.env.FLYWHEEL_DATA_DIR ?? '.data'), 'admin-key');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new DemoError(`no admin key: set FLYWHEEL_ADMIN_KEY, or run from the folder where \`npm start\` keeps ${file}`);
  });
  return { key: text.trim(), from: file };
}

interface Endpoint {
  etag: string;
  config: { variants: { name: string; model: string; version?: number; weight: number }[]; retrain?: unknown } & Record<string, unknown>;
}

/** The `demo` endpoint, seeded here if `npm start` did not (or FLYWHEEL_DEMO=0), with a retraining policy. */
async function ensureDemoEndpoint(): Promise<void> {
  const existing = await api(`/v1/endpoints/${DEMO_ENDPOINT}`);
  if (existing.status === 404) {
    note('no demo endpoint yet: training and registering the demo model (concept 1)…');
    const version = await seedDemo({ url, key });
    note(`registered ${DEMO_MODEL} version ${version} with a baseline; endpoint ${DEMO_ENDPOINT} serves it`);
    return;
  }
  if (existing.status !== 200) throw new DemoError(`GET /v1/endpoints/${DEMO_ENDPOINT} answered ${existing.status}: ${await existing.text()}`);
  const endpoint = (await existing.json()) as Endpoint;
  const main = endpoint.config.variants.reduce((a, b) => (b.weight > a.weight ? b : a));
  note(`endpoint ${DEMO_ENDPOINT} serves ${main.model} version ${main.version ?? '(alias)'} (${main.weight}%)`);
  if (main.version !== 1 || endpoint.config.variants.length > 1) {
    note('(the demo has run here before: the story reads best from a fresh data dir, e.g. FLYWHEEL_DATA_DIR=.data-demo npm start)');
  }
  if (!endpoint.config.retrain) {
    const seed = await demoSeed();
    const config = { ...endpoint.config, retrain: seed.endpoint(main.version ?? 1).retrain };
    await json(`/v1/endpoints/${DEMO_ENDPOINT}`, { method: 'PUT', json: config, headers: { 'if-match': endpoint.etag } }, [200]);
    note('added a retraining policy: retrain on drift once 500 new labels are in, canary at 20% if 2 points better');
  }
}

interface Served {
  ids: string[];
  labels: unknown[];
  predicted: unknown[];
}

/** Sends the rows through the endpoint, BATCH records per request; returns what was predicted. */
async function serve(traffic: Dataset, prefix: string, variant?: string): Promise<Served> {
  const served: Served = { ids: [], labels: [], predicted: [] };
  for (let start = 0; start < traffic.examples.length; start += BATCH) {
    const rows = traffic.examples.slice(start, start + BATCH);
    const id = `${prefix}-${start / BATCH}`;
    const body = await json<{ outputs: { label: unknown[] } }>(`/v1/endpoints/${DEMO_ENDPOINT}/predict`, {
      method: 'POST',
      json: { records: rows.map((e) => e.features), id },
      headers: variant ? { 'flywheel-variant': variant } : {},
    });
    served.ids.push(id);
    served.labels.push(...rows.map((e) => e.label));
    served.predicted.push(...body.outputs.label);
  }
  return served;
}

const accuracy = (served: Served) => served.predicted.filter((p, i) => p === served.labels[i]).length / served.labels.length;

/** Ground truth for every row served, one feedback call per request (labels as an array, one per row). */
async function feedBack(served: Served, traffic: Dataset): Promise<boolean> {
  for (const [n, id] of served.ids.entries()) {
    const labels = traffic.examples.slice(n * BATCH, (n + 1) * BATCH).map((e) => e.label);
    const response = await api(`/v1/endpoints/${DEMO_ENDPOINT}/feedback`, { method: 'POST', json: { id, label: labels } });
    if (response.status === 404 && n === 0) {
      note(`the feedback API answered 404 (${(await response.text()).slice(0, 120)}): labels cannot reach the trainer in this build`);
      return false;
    }
    if (response.status !== 202) throw new DemoError(`feedback for ${id} answered ${response.status}: ${await response.text()}`);
  }
  return true;
}

/** Prints every event the system emits from now on, in plain words. */
function eventFeed() {
  const seen = new Set<string>();
  let since = startedAt;
  return async (): Promise<CloudEvent[]> => {
    const { events } = await json<{ events: CloudEvent[] }>(`/v1/events?since=${encodeURIComponent(since)}&limit=1000`);
    const fresh = events.filter((e) => !seen.has(e.id));
    for (const event of fresh) {
      seen.add(event.id);
      if (event.time > since) since = event.time;
      const line = describe(event);
      if (line) live(line);
    }
    return fresh;
  };
}

function describe(event: CloudEvent): string | undefined {
  const d = event.data as Record<string, any>;
  switch (event.type) {
    case 'dev.flywheel.drift.detected':
      return `drift detected on ${d.endpoint}: ${[...d.features, ...d.predictions].join(', ')} (window of ${d.window.count} rows)`;
    case 'dev.flywheel.alert.opened':
      return `ALERT opened: ${d.kind} ${d.feature ? `of ${d.feature} ` : ''}at ${Number(d.value).toPrecision(3)} (threshold ${d.threshold})`;
    case 'dev.flywheel.alert.resolved':
      return `alert resolved: ${d.kind} ${d.feature ?? ''}`;
    case 'dev.flywheel.retrain.requested':
      return `RETRAIN requested: run ${d.runId} (trigger: ${d.trigger.kind}${d.trigger.eventId ? `, event ${String(d.trigger.eventId).slice(0, 12)}…` : ''})`;
    case 'dev.flywheel.retrain.started':
      return `retraining started (attempt ${d.attempt})`;
    case 'dev.flywheel.model.version.registered':
      return `NEW VERSION: ${d.model} version ${d.version} registered (lineage: run ${d.lineage?.runId ?? '-'}, dataset ${String(d.lineage?.manifestSha256 ?? '').slice(0, 12)}…)`;
    case 'dev.flywheel.endpoint.updated':
      return `endpoint ${d.endpoint} changed (config version ${d.configVersion})`;
    case 'dev.flywheel.retrain.completed':
      return `retraining completed: ${d.canary.started ? 'CANARY started' : 'no canary'} (${d.canary.reason})`;
    case 'dev.flywheel.retrain.failed':
      return `retraining FAILED: ${d.error}`;
    case 'dev.flywheel.rollout.promoted':
      return `ROLLOUT promoted: ${d.variant} (${d.model} v${d.version ?? '?'})${d.reason ? ` — ${d.reason}` : ''}`;
    case 'dev.flywheel.rollout.rolled_back':
      return `ROLLOUT rolled back: ${d.variant}${d.reason ? ` — ${d.reason}` : ''}`;
    default:
      return undefined;
  }
}

/** Waits for the run to end, printing its log lines as they appear. */
async function followRun(runId: string, feed: () => Promise<CloudEvent[]>): Promise<Run> {
  let printed = 0;
  const deadline = Date.now() + RUN_WAIT_MS;
  while (Date.now() < deadline) {
    await feed();
    const run = await json<Run>(`/v1/runs/${runId}`);
    for (const line of run.logs.slice(printed)) note(`   run log: ${line.replace(/^\S+ /, '')}`);
    printed = run.logs.length;
    if (run.status === 'succeeded' || run.status === 'failed') {
      await feed();
      return run;
    }
    await sleep(1000);
  }
  throw new DemoError(`run ${runId} did not finish within ${RUN_WAIT_MS / 1000} s`);
}

async function main(): Promise<void> {
  say(`Flywheel demo against ${url}`);
  const found = await adminKey();
  key = found.key;
  const health = await fetch(`${url}/healthz`).catch(() => undefined);
  if (!health?.ok) throw new DemoError(`${url}/healthz does not answer; start the server with \`npm start\` first`);
  note(`server is up; authenticating with the admin key from ${found.from}`);

  step(1, 'The demo endpoint');
  await ensureDemoEndpoint();
  const feed = eventFeed();

  step(2, 'Normal traffic: the world the model was trained for');
  const normal = demoTraffic('before', { seed: Date.now() % 100_000, rows: 600, idPrefix: 'normal' });
  const normalServed = await serve(normal, `normal-${Date.now()}`);
  note(`${normal.examples.length} predictions, accuracy ${accuracy(normalServed).toFixed(3)}`);
  await feedBack(normalServed, normal);

  step(3, 'The world changes: customers shift (covariate drift) and behave differently (a new concept)');
  const shifted = demoTraffic('after', { seed: (Date.now() + 1) % 100_000, rows: 1500, idPrefix: 'shifted' });
  shiftAt = Date.now();
  const shiftedServed = await serve(shifted, `shifted-${Date.now()}`);
  const before = accuracy(shiftedServed);
  note(`${shifted.examples.length} predictions by the same model: accuracy falls to ${before.toFixed(3)}`);

  step(4, 'Ground truth comes back');
  const labelled = await feedBack(shiftedServed, shifted);
  if (labelled) note(`${shifted.examples.length} labels sent as feedback`);

  step(5, 'The loop closes by itself: judge → alert → retraining run → new version → canary');
  note('the judge looks at every endpoint once a minute (the last five minutes of traffic); nobody calls /retrain');
  const driftDeadline = Date.now() + DRIFT_WAIT_MS;
  let runId: string | undefined;
  while (!runId && Date.now() < driftDeadline) {
    const events = await feed();
    runId = (events.find((e) => e.type === 'dev.flywheel.retrain.requested')?.data as { runId: string } | undefined)?.runId;
    if (!runId) await sleep(1000);
  }
  if (!runId) {
    const { alerts } = await json<{ alerts: { kind: string; feature?: string }[] }>(`/v1/alerts?endpoint=${DEMO_ENDPOINT}&status=open`);
    throw new DemoError(
      alerts.length === 0
        ? `no alert within ${DRIFT_WAIT_MS / 1000} s of the shift: is the judge running (npm start runs it every minute)?`
        : `alerts are open (${alerts.map((a) => `${a.kind} ${a.feature ?? ''}`.trim()).join(', ')}) but no run started: the retraining policy waits for its minLabels new labels and its cool-down (GET /v1/models/${DEMO_MODEL}/runs)`,
    );
  }
  const run = await followRun(runId, feed);
  if (run.status === 'failed') {
    throw new DemoError(`the run failed: ${run.error}${labelled ? '' : ' (no labels reached the trainer: the feedback API is missing)'}`);
  }
  note(`version ${run.version}: holdout accuracy ${run.metrics?.challenger.accuracy?.toFixed(3)} vs champion ${run.metrics?.champion?.accuracy?.toFixed(3)}`);

  step(6, 'Fresh traffic of the new world, through the endpoint');
  const fresh = demoTraffic('after', { seed: (Date.now() + 2) % 100_000, rows: 600, idPrefix: 'fresh' });
  let after: number | undefined;
  let old = before;
  if (run.canary?.started) {
    const endpoint = await json<Endpoint>(`/v1/endpoints/${DEMO_ENDPOINT}`);
    const canary = endpoint.config.variants.find((v) => v.version === run.version);
    const control = endpoint.config.variants.find((v) => v !== canary && v.weight > 0);
    if (canary && control) {
      old = accuracy(await serve(fresh, `fresh-old-${Date.now()}`, control.name));
      after = accuracy(await serve(fresh, `fresh-new-${Date.now()}`, canary.name));
      note(`${control.name} (version ${control.version}): ${old.toFixed(3)}   ${canary.name} (version ${canary.version}, ${canary.weight}% canary): ${after.toFixed(3)}`);
      note(`sending unpinned traffic, one row per request from distinct users, for up to ${ROLLOUT_WAIT_MS / 1000} s so the guardrails can judge the canary…`);
      const rolloutDeadline = Date.now() + ROLLOUT_WAIT_MS;
      const users = demoTraffic('after', { seed: (Date.now() + 3) % 100_000, rows: 2000, idPrefix: 'users' });
      let decided = false;
      for (let n = 0; !decided && Date.now() < rolloutDeadline; n++) {
        const offset = (n * 50) % users.examples.length;
        await Promise.all(
          users.examples
            .slice(offset, offset + 50)
            .map((example, i) => json(`/v1/endpoints/${DEMO_ENDPOINT}/predict`, { method: 'POST', json: { records: [example.features], unit: `user-${n}-${i}` } })),
        );
        decided = (await feed()).some((e) => e.type.startsWith('dev.flywheel.rollout.'));
        if (!decided) await sleep(200);
      }
      if (!decided) note('no promotion or rollback yet: the guardrails decide once both sides have their minimum sample; watch GET /v1/events');
    }
  } else {
    note(`no canary: ${run.canary?.reason ?? 'not started'}`);
    after = run.metrics?.challenger.accuracy;
  }

  say('\nAccuracy on the changed world');
  say(`   before (the original model): ${old.toFixed(3)}`);
  say(`   after  (the retrained model): ${after === undefined ? 'n/a' : after.toFixed(3)}`);
}

main().catch((error) => {
  console.error(`\ndemo stopped: ${error instanceof DemoError ? error.message : ((error as Error)?.stack ?? String(error))}`);
  process.exit(1);
});
