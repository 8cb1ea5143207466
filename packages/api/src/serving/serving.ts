import { jsonLogger, type FeatureStore, type Logger, type PredictionLogEntry, type PredictionLogSink, type PredictionRow } from '@flywheel/core';
import type { LoadedModel } from '@flywheel/inference';
import { ServingCatalog, type CatalogDependencies, type CatalogOptions } from './catalog.ts';
import { FeatureLookup, type PredictRecord } from './feature-lookup.ts';
import { inferenceProblem } from './inference-problem.ts';
import { MAX_REQUEST_ROWS, checkRows } from './limits.ts';
import { routePinned, routeRequest, type RoutedRequest } from './route.ts';
import { ServedRequest, type RunContext } from './served-request.ts';
import { ShadowTraffic } from './shadows.ts';

export interface ServingDependencies extends CatalogDependencies {
  /** Where each prediction is logged; without one, predictions are not logged. */
  predictionLog?: PredictionLogSink;
  /** Where records' view-backed features are looked up; without one, records must carry every feature. */
  features?: FeatureStore;
}

export interface ServingOptions extends CatalogOptions {
  /** Largest prediction request body. Default 6 MB, what a Lambda request can carry. */
  maxBodyBytes?: number;
  /** Most rows in one prediction request. Default and most 10,000 (MAX_REQUEST_ROWS). */
  maxRows?: number;
  /** Shadow runs in flight at most per instance; more are dropped (and counted). Default 32. */
  shadowConcurrency?: number;
  /** Where the serving path logs what the caller never sees (default: JSON lines on the console). */
  logger?: Logger;
}

/** How a protocol runs the version its request was routed to, and what the log keeps of the result. */
export interface ServingPlan<R> {
  run(model: LoadedModel): Promise<R>;
  rowsOf(result: R): PredictionRow[];
}

/**
 * A prediction request as every protocol (`/v1/.../predict`, OIP infer, KServe V1, the edge) hands
 * it to {@link Serving.serve}: where it goes, how big it is, and how to run it once routed.
 */
export interface ServeRequest<R> extends RunContext {
  endpoint: string;
  /** Rows the request carries, checked against the limit before any work is done. */
  rows: number;
  /** A variant a `deploy` caller forced. */
  forced?: string;
  /** A version of the endpoint's model named in the path, bypassing the split. */
  pinned?: number;
  /** Where the caller has already routed the request (a batch job, scored with one version throughout). */
  routed?: RoutedRequest;
  /**
   * Records-style rows, when the request has them: the features the answering version takes from
   * feature views are filled into them (from the online store) before the plan is made.
   */
  records?: readonly PredictRecord[];
  /** Called once routed, with the records as filled: the run may depend on the answering version (its features, its inputs). */
  plan(routed: RoutedRequest, records: readonly PredictRecord[] | undefined): ServingPlan<R>;
}

export interface Served<R> {
  routed: RoutedRequest;
  result: R;
}

/**
 * The serving path every prediction takes: route → fill view-backed features → run → log →
 * shadows. It keeps what a function instance keeps warm (the catalog it extends), hands each
 * outcome to the prediction log without waiting for it, and mirrors successes to the endpoint's
 * shadows, which run after the caller is answered. Nothing is built for the log (nor any shadow
 * run) when there is no log.
 */
export class Serving extends ServingCatalog {
  /** Mirrors served requests to the endpoints' shadows (only while predictions are logged). */
  readonly shadows: ShadowTraffic;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  readonly maxRows: number;
  readonly #predictionLog: PredictionLogSink | undefined;
  /** Fills view-backed features into records (only with a feature store). */
  readonly featureLookup: FeatureLookup | undefined;

  constructor(deps: ServingDependencies, options: ServingOptions = {}) {
    super(deps, options);
    this.#predictionLog = deps.predictionLog;
    this.featureLookup = deps.features && new FeatureLookup(deps.features, { ttlMs: options.configCacheTtlMs ?? 5_000 });
    this.logger = options.logger ?? jsonLogger;
    this.shadows = new ShadowTraffic({ catalog: this, log: (entry) => this.log(entry), concurrency: options.shadowConcurrency, logger: this.logger });
    this.maxBodyBytes = options.maxBodyBytes ?? 6 * 1024 * 1024;
    this.maxRows = Math.min(options.maxRows ?? MAX_REQUEST_ROWS, MAX_REQUEST_ROWS);
  }

  async serve<R>(request: ServeRequest<R>): Promise<Served<R>> {
    checkRows(request.rows, this.maxRows);
    const routed =
      request.routed ?? (request.pinned === undefined ? await routeRequest(this, request.endpoint, request) : await routePinned(this, request.endpoint, request.pinned));
    // Awaited only for a version that takes features from views: other requests keep their path.
    const records = request.records && this.featureLookup?.takesFromViews(routed.version) ? await this.featureLookup.fill(routed.version, request.records) : request.records;
    const { run, rowsOf } = request.plan(routed, records);
    let result: R;
    try {
      result = await run(routed.model);
    } catch (error) {
      const problem = inferenceProblem(error);
      if (this.logging) this.log(new ServedRequest(routed, request, 'error', () => [], problem.message));
      throw problem;
    }
    if (this.logging) {
      const served = new ServedRequest(routed, request, 'ok', () => rowsOf(result));
      this.log(served);
      this.shadows.mirror({ routed, context: request, primary: served, run, rowsOf });
    }
    return { routed, result };
  }

  /**
   * Resolves once the shadow runs in flight have ended — or `maxWaitMs` (default 2 s) has passed:
   * a shadow stuck loading its model must not hold the answer of the request it mirrors. What such
   * a shadow logs later goes out with the next flush.
   */
  async awaitShadows(maxWaitMs = 2_000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
    await Promise.race([this.shadows.idle(), waited]);
    clearTimeout(timer);
  }

  /**
   * Waits for the shadow runs in flight (as {@link awaitShadows}), then for the log to send
   * everything handed to it. A function frozen between invocations calls it before it returns, or
   * the records would wait in a frozen instance (and be lost with it).
   */
  async settle(options: { maxShadowWaitMs?: number } = {}): Promise<void> {
    await this.awaitShadows(options.maxShadowWaitMs);
    await this.#predictionLog?.flush();
  }

  /** Whether predictions are logged, so the predict path builds log entries only then. */
  get logging(): boolean {
    return this.#predictionLog !== undefined;
  }

  /** Hands a served request to the prediction log, which returns at once; its failures never reach the caller. */
  log(entry: PredictionLogEntry): void {
    try {
      this.#predictionLog?.log(entry);
    } catch (error) {
      this.logger.error('prediction log refused an entry', { error: String(error) });
    }
  }
}
