import type { BatchChunk, BatchInputRow, BatchJob, BatchOutputRow, ChunkScorer } from '@flywheel/core';
import { Problem } from '../problem.ts';
import { servePredict } from '../routes/predict.ts';
import { servedEndpoint, type RoutedRequest } from '../serving/route.ts';
import type { Serving } from '../serving/serving.ts';

type Scorable = Extract<BatchInputRow, { record: unknown }>;

/**
 * Scores batch rows through the online predict path itself ({@link servePredict} → Serving.serve):
 * the same records plan, the same run, the same prediction log (rows marked `chosen: batch`,
 * sampled by the endpoint's logging policy), so each output row is what the online route answers
 * for that row. Only the routing differs: every chunk goes to the version fixed at submission.
 *
 * A chunk is one request. When the request is refused for some of its rows (a record that does
 * not fit the features), those rows get the reason and the rest is sent again; when the model
 * refuses the request as a whole, the rows are halved until the refusing ones are alone. Anything
 * but a client error (the model could not load, a store failed) is thrown, and the chunk retried.
 */
export function batchChunkScorer(serving: Serving): ChunkScorer {
  return {
    async features(target) {
      return (await serving.version(target.model, target.version))?.features;
    },
    async score(job, chunk, rows) {
      const routed = await routeToTarget(serving, job);
      const out = new Map<number, BatchOutputRow>();
      const scorable: Scorable[] = [];
      for (const row of rows) {
        if ('error' in row) out.set(row.row, row);
        else scorable.push(row);
      }
      await scoreRows(serving, job, chunk, routed, scorable, out);
      // The rows' logs leave before the chunk is counted: a worker that dies after counting it
      // must not take them along, and one that dies before sends the same log batches again.
      await serving.settle();
      return rows.map((row) => out.get(row.row)!);
    },
  };
}

async function routeToTarget(serving: Serving, job: BatchJob): Promise<RoutedRequest> {
  const endpoint = await servedEndpoint(serving, job.endpoint).catch((error) => {
    throw new Error(`batch job ${job.jobId}: ${(error as Error).message}`);
  });
  const version = await serving.version(job.target.model, job.target.version);
  if (!version) throw new Error(`batch job ${job.jobId}: model ${job.target.model} has no version ${job.target.version}`);
  return { endpoint, variant: job.target.variant, version, model: await serving.model(version), chosen: 'batch' };
}

async function scoreRows(serving: Serving, job: BatchJob, chunk: BatchChunk, routed: RoutedRequest, rows: Scorable[], out: Map<number, BatchOutputRow>): Promise<void> {
  if (rows.length === 0) return;
  // Unique per subset tried, so the log's `<request>/<row>` ids never repeat within a job.
  const requestId = `${job.jobId}-${chunk.index}-${rows[0].row}-${rows.length}`;
  try {
    const { response } = await servePredict(
      serving,
      job.endpoint,
      { records: rows.map((row) => row.record), id: requestId },
      {
        receivedAt: Date.now(),
        startedAt: performance.now(),
        routed,
        // A table's other columns (ids, notes) are not features; online requests refuse them.
        unknownFields: 'ignore',
      },
    );
    rows.forEach((row, i) => {
      const outputs: Record<string, unknown> = {};
      for (const [name, values] of Object.entries(response.outputs)) outputs[name] = (values as unknown[])[i];
      out.set(row.row, { row: row.row, ...(row.id === undefined ? {} : { id: row.id }), predictionId: `${requestId}/${i}`, outputs });
    });
  } catch (error) {
    if (!(error instanceof Problem) || error.status >= 500) throw error;
    const refused = refusedRows(error, rows.length);
    if (refused.size > 0) {
      for (const [i, reason] of refused) out.set(rows[i].row, rowError(rows[i], reason));
      await scoreRows(
        serving,
        job,
        chunk,
        routed,
        rows.filter((_, i) => !refused.has(i)),
        out,
      );
    } else if (rows.length === 1) {
      out.set(rows[0].row, rowError(rows[0], error.message));
    } else {
      const half = Math.ceil(rows.length / 2);
      await scoreRows(serving, job, chunk, routed, rows.slice(0, half), out);
      await scoreRows(serving, job, chunk, routed, rows.slice(half), out);
    }
  }
}

/** The rows a problem names (`records/<i>/<field>`), each with what is wrong with it. */
function refusedRows(problem: Problem, count: number): Map<number, string> {
  const refused = new Map<number, string>();
  for (const issue of problem.errors ?? []) {
    const match = /^records\/(\d+)(?:\/(.*))?$/.exec(issue.path);
    if (!match || Number(match[1]) >= count) continue;
    const i = Number(match[1]);
    const reason = match[2] ? `${match[2]}: ${issue.message}` : issue.message;
    refused.set(i, refused.has(i) ? `${refused.get(i)}; ${reason}` : reason);
  }
  return refused;
}

function rowError(row: Scorable, error: string): BatchOutputRow {
  return { row: row.row, ...(row.id === undefined ? {} : { id: row.id }), error };
}
