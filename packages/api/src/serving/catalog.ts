import {
  recordsPlan,
  type ArtifactStore,
  type EndpointRecord,
  type EndpointStore,
  type FieldIssue,
  type ModelRegistry,
  type ModelTarget,
  type ModelVersion,
  type RecordsPlan,
  type VariantSpec,
  TtlCache,
} from '@flywheel/core';
import { SessionCache, loadModel, type LoadedModel } from '@flywheel/inference';

export interface CatalogDependencies {
  registry: ModelRegistry;
  endpoints: EndpointStore;
  artifacts: ArtifactStore;
}

export interface CatalogOptions {
  /** Endpoint configs and aliases are cached this long: a change takes effect everywhere within it. Default 5 s. */
  configCacheTtlMs?: number;
  /** Bound on the bytes of the models kept loaded. Default 256 MiB. */
  sessionCacheBytes?: number;
  /**
   * Requests for one model read in the same event-loop turn share one run, when the model's rows
   * are independent (checked at load). Default true; false runs every request on its own.
   */
  batchRuns?: boolean;
}

/** An endpoint's current config, prepared for routing requests. */
export interface ServedEndpoint {
  record: EndpointRecord;
  variants: ReadonlyMap<string, VariantSpec>;
}

/**
 * What the predict path keeps warm in a function instance: endpoint configs and aliases (for at
 * most the TTL), version records (immutable, so for good), loaded sessions and records plans.
 */
export class ServingCatalog {
  readonly sessions: SessionCache;
  private readonly endpointCache: TtlCache<ServedEndpoint | undefined>;
  private readonly aliasCache: TtlCache<number | undefined>;
  // Versions never change once written, but one not written yet may be soon: only found ones are kept.
  private readonly versionCache = new TtlCache<ModelVersion | undefined>({ ttlMs: (found) => (found ? Infinity : 0) });
  private readonly plans = new Map<string, RecordsPlan | { issues: FieldIssue[] }>();

  constructor(
    private readonly stores: CatalogDependencies,
    options: CatalogOptions = {},
  ) {
    const ttlMs = options.configCacheTtlMs ?? 5_000;
    this.endpointCache = new TtlCache({ ttlMs });
    this.aliasCache = new TtlCache({ ttlMs });
    const batching = options.batchRuns ?? true;
    this.sessions = new SessionCache({ maxBytes: options.sessionCacheBytes, load: (bytes) => loadModel(bytes, { batching }) });
  }

  endpoint(name: string): Promise<ServedEndpoint | undefined> {
    return this.endpointCache.get(name, async () => {
      const record = await this.stores.endpoints.current(name);
      return record && { record, variants: new Map(record.config.variants.map((variant) => [variant.name, variant])) };
    });
  }

  /** After a change made here, so this instance serves it at once rather than within the TTL. */
  forgetEndpoint(name: string): void {
    this.endpointCache.delete(name);
  }

  forgetAlias(model: string, alias: string): void {
    this.aliasCache.delete(`${model}#${alias}`);
  }

  /** A deleted version: this instance stops finding it at once (others when they recycle). */
  forgetVersion(model: string, version: number): void {
    this.versionCache.delete(`${model}#${version}`);
  }

  /** The version a variant or shadow names now, following its alias. */
  resolve(target: ModelTarget): Promise<ModelVersion | undefined> {
    if (target.version !== undefined) return this.version(target.model, target.version);
    return this.aliasCache
      .get(`${target.model}#${target.alias}`, async () => (await this.stores.registry.getAlias(target.model, target.alias!))?.version)
      .then((version) => (version === undefined ? undefined : this.version(target.model, version)));
  }

  version(model: string, version: number): Promise<ModelVersion | undefined> {
    return this.versionCache.get(`${model}#${version}`, () => this.stores.registry.getVersion(model, version));
  }

  /** The loaded session of a version, fetching its bytes once per instance. */
  model(version: ModelVersion): Promise<LoadedModel> {
    return this.sessions.get(version.sha256, () => this.stores.artifacts.getModel(version.sha256));
  }

  /** How records become inputs for a version, or why they cannot. */
  recordsPlan(version: ModelVersion): RecordsPlan | { issues: FieldIssue[] } {
    const key = `${version.model}#${version.version}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = recordsPlan(version.features, version.signature);
      if (this.plans.size >= 1_000) this.plans.clear();
      this.plans.set(key, plan);
    }
    return plan;
  }
}
