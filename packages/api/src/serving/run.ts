import type { PredictionLogEntry, PredictionRow } from '@flywheel/core';
import { InferenceError, InputValidationError, type LoadedModel } from '@flywheel/inference';
import { Problem } from '../problem.ts';
import type { RoutedRequest } from './route.ts';
import type { Serving } from './serving.ts';

export interface RunContext {
  requestId: string;
  unit?: string;
  /** Date.now() when the request arrived. */
  receivedAt: number;
  /** performance.now() when the request arrived. */
  startedAt: number;
}

/**
 * Runs the routed model and logs the outcome either way, handing the log its entry without
 * waiting for it; a success is then mirrored to the endpoint's shadows, which run after the
 * caller is answered. Nothing is built for the log (nor any shadow run) when there is no log.
 */
export async function runLogged<R>(
  serving: Serving,
  routed: RoutedRequest,
  context: RunContext,
  run: (model: LoadedModel) => Promise<R>,
  rowsOf: (result: R) => PredictionRow[],
): Promise<R> {
  let result: R;
  try {
    result = await run(routed.model);
  } catch (error) {
    const problem = inferenceProblem(error);
    if (serving.logging) serving.log(new ServedRequest(routed, context, 'error', () => [], problem.message));
    throw problem;
  }
  if (serving.logging) {
    const served = new ServedRequest(routed, context, 'ok', () => rowsOf(result));
    serving.log(served);
    serving.shadows.mirror(serving, { routed, context, primary: served, run, rowsOf });
  }
  return result;
}

/**
 * A served request as the prediction log takes it — or a shadow's run of one (`shadowOf`, the
 * variant that answered). Only the latency is taken on the request path; the fields the log reads
 * are derived when it reads them, after the response, and the rows are built on first read, so a
 * request the log's sampling skips never pays for them.
 */
export class ServedRequest implements PredictionLogEntry {
  readonly latencyMs: number;
  #time: string | undefined;
  #rows: PredictionRow[] | undefined;

  constructor(
    private readonly routed: Pick<RoutedRequest, 'endpoint' | 'variant' | 'version' | 'chosen'>,
    private readonly context: RunContext,
    readonly status: PredictionLogEntry['status'],
    private readonly buildRows: () => PredictionRow[],
    readonly error?: string,
    readonly shadowOf?: string,
  ) {
    // To the microsecond: finer digits are timer noise, and every logged byte is paid for.
    this.latencyMs = Math.round((performance.now() - context.startedAt) * 1000) / 1000;
  }

  get requestId(): string {
    return this.context.requestId;
  }

  get unit(): string | undefined {
    return this.context.unit;
  }

  get time(): string {
    return (this.#time ??= isoTime(this.context.receivedAt));
  }

  get endpoint(): string {
    return this.routed.endpoint.record.endpoint;
  }

  get variant(): string {
    return this.routed.variant;
  }

  get model(): string {
    return this.routed.version.model;
  }

  get version(): number {
    return this.routed.version.version;
  }

  get configVersion(): number {
    return this.routed.endpoint.record.configVersion;
  }

  get chosen(): PredictionLogEntry['chosen'] {
    return this.routed.chosen;
  }

  get logging(): PredictionLogEntry['logging'] {
    return this.routed.endpoint.record.config.logging;
  }

  get rows(): PredictionRow[] {
    return (this.#rows ??= this.buildRows());
  }
}

// Requests arriving in the same millisecond share one string.
let lastTimeMs = Number.NaN;
let lastTime = '';

function isoTime(ms: number): string {
  if (ms !== lastTimeMs) {
    lastTime = new Date(ms).toISOString();
    lastTimeMs = ms;
  }
  return lastTime;
}

/** The runtime's typed failures as the client's 400s; anything else stays a server error. */
export function inferenceProblem(error: unknown): Error {
  if (error instanceof InputValidationError) {
    return new Problem(400, 'The inputs do not match the model signature.', { errors: [...error.errors] });
  }
  if (error instanceof InferenceError) return new Problem(400, `The model could not run on these inputs (${error.message}).`);
  return error instanceof Error ? error : new Error(String(error));
}

/** Refuses requests with more rows than the limit, before any work is done for them. */
export function checkRows(count: number, max: number): void {
  if (count > max) {
    throw new Problem(400, `A request may carry at most ${max} rows; this one has ${count}. Split it into smaller requests.`, {
      errors: [{ path: 'rows', message: `at most ${max} rows` }],
    });
  }
}
