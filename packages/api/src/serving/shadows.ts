import { compareRowOutputs, describeTarget, inShadow, jsonLogger, withFields, type Logger, type ModelVersion, type PredictionRow, type ShadowSpec } from '@flywheel/core';
import type { LoadedModel } from '@flywheel/inference';
import type { ServingCatalog } from './catalog.ts';
import { inferenceProblem } from './inference-problem.ts';
import type { RoutedRequest } from './route.ts';
import { ServedRequest, type RunContext } from './served-request.ts';

/** A request the primary answered, as its shadows need it: the same run on another model. */
export interface MirroredRequest<R> {
  routed: RoutedRequest;
  context: RunContext;
  /** The primary's log entry: its rows (built once, shared with the log) are what shadows are compared with. */
  primary: ServedRequest;
  run: (model: LoadedModel) => Promise<R>;
  rowsOf: (result: R) => PredictionRow[];
}

export interface ShadowTrafficOptions {
  /** Where shadows find their versions and sessions. */
  catalog: Pick<ServingCatalog, 'resolve' | 'model'>;
  /** Where their runs are logged, as served requests are. */
  log: (entry: ServedRequest) => void;
  /** Shadow runs in flight at most; a mirror beyond it is dropped and counted (default 32). */
  concurrency?: number;
  /** Where failed and dropped shadow runs are logged (default: JSON lines on the console). */
  logger?: Logger;
}

export interface ShadowStats {
  /** Shadow runs started, failed (logged as error records), and dropped because `concurrency` were in flight. */
  started: number;
  failed: number;
  dropped: number;
}

/**
 * Mirrors served requests to an endpoint's shadows, off the response path: a shadow starts on a
 * later turn of the event loop than the one that hands the caller its response, is never awaited
 * by it, and cannot fail it. Each shadow draws the request by `inShadow` (its unit, else its id),
 * runs the same inputs on its own model, and is logged like a served request with `shadowOf` and
 * the same request id, each row carrying its agreement with the primary's row. A shadow that
 * fails is logged as an error record. In-flight runs are bounded, so a slow shadow sheds load
 * (counted in `stats`) rather than piling up behind the traffic it mirrors.
 */
export class ShadowTraffic {
  readonly stats: ShadowStats = { started: 0, failed: 0, dropped: 0 };
  readonly #catalog: ShadowTrafficOptions['catalog'];
  readonly #log: ShadowTrafficOptions['log'];
  readonly #concurrency: number;
  readonly #logger: Logger;
  #inFlight = 0;
  /** Resolved when the last run in flight ends; created only while someone waits. */
  #idle: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(options: ShadowTrafficOptions) {
    this.#catalog = options.catalog;
    this.#log = options.log;
    this.#concurrency = options.concurrency ?? 32;
    this.#logger = withFields(options.logger ?? jsonLogger, { component: 'shadows' });
  }

  /**
   * Resolves once no shadow run is in flight (at once when none is): a function that is frozen
   * after it returns — Lambda, Lambda@Edge — waits for this before it flushes the log, so the
   * shadows' records go out with the request's.
   */
  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    if (!this.#idle) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      this.#idle = { promise, resolve };
    }
    return this.#idle.promise;
  }

  mirror<R>(request: MirroredRequest<R>): void {
    const { salt, config } = request.routed.endpoint.record;
    if (config.shadows.length === 0) return;
    const key = request.context.unit ?? request.context.requestId;
    for (const shadow of config.shadows) {
      if (!inShadow(salt, key, shadow.name, shadow.percent)) continue;
      if (this.#inFlight >= this.#concurrency) {
        // Reported at the first drop and every thousandth: a saturated shadow must not flood the logs too.
        if (this.stats.dropped++ % 1000 === 0)
          this.#logger.warn('shadow runs dropped: the concurrency limit is reached', { dropped: this.stats.dropped, concurrency: this.#concurrency });
        continue;
      }
      this.#inFlight++;
      this.stats.started++;
      setTimeout(() => {
        // #run logs its own failures; this catch only keeps a bug there from ending the process.
        this.#run(shadow, request)
          .catch((error) => this.#logger.warn('shadow run failed', { shadow: shadow.name, error: String(error) }))
          .finally(() => this.#ended());
      }, 0);
    }
  }

  #ended(): void {
    if (--this.#inFlight > 0 || !this.#idle) return;
    this.#idle.resolve();
    this.#idle = undefined;
  }

  async #run<R>(shadow: ShadowSpec, { routed, context, primary, run, rowsOf }: MirroredRequest<R>): Promise<void> {
    const startedAt = performance.now();
    let version: ModelVersion | undefined;
    try {
      version = await this.#catalog.resolve(shadow);
      if (!version) throw new Error(`shadow ${shadow.name} names ${describeTarget(shadow)}, which does not exist`);
      const model = await this.#catalog.model(version);
      const result = await run(model);
      const task = routed.version.task;
      const rows = () =>
        rowsOf(result).map((row, i) => {
          const answered = primary.rows[i]?.outputs;
          return answered && row.outputs ? { ...row, agreement: compareRowOutputs(answered, row.outputs, task) } : row;
        });
      this.#log(new ServedRequest({ endpoint: routed.endpoint, variant: shadow.name, version }, { ...context, startedAt }, 'ok', rows, undefined, routed.variant));
    } catch (error) {
      this.stats.failed++;
      const message = inferenceProblem(error).message;
      if (version) {
        this.#log(new ServedRequest({ endpoint: routed.endpoint, variant: shadow.name, version }, { ...context, startedAt }, 'error', () => [], message, routed.variant));
      } else {
        this.#logger.warn('shadow run failed before it had a model version to log it under', { endpoint: routed.endpoint.record.endpoint, shadow: shadow.name, error: message });
      }
    }
  }
}
