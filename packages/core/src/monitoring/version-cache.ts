import { TtlCache } from '../cache/ttl-cache.ts';
import { referencePerformance, type ReferencePerformance } from '../performance/reference.ts';
import type { Task } from '../registry/metadata.ts';
import type { ModelRegistry } from '../registry/ports.ts';

/** What monitoring needs of a model version: its task (how to read its outputs) and its reference performance. */
export interface VersionFacts {
  readonly task?: Task;
  readonly reference?: ReferencePerformance;
}

export type VersionRegistry = Pick<ModelRegistry, 'getVersion'>;

/**
 * Model versions' facts, read from the registry once: versions are immutable, so a found one is
 * kept for good; a missing one is asked again after a minute. Concurrent misses share one read.
 */
export class VersionCache {
  readonly #known: TtlCache<VersionFacts | undefined>;

  constructor(
    private readonly registry: VersionRegistry,
    now: () => number = Date.now,
  ) {
    this.#known = new TtlCache({ ttlMs: (facts) => (facts ? Infinity : 60_000), refreshAfterMs: Infinity, now });
  }

  get(model: string, version: number): Promise<VersionFacts | undefined> {
    return this.#known.get(`${model}\u0000${version}`, () => this.registry.getVersion(model, version).then((found) => found && factsOf(found)));
  }

  async task(model: string, version: number): Promise<Task | undefined> {
    return (await this.get(model, version))?.task;
  }
}

function factsOf(version: { task?: Task; lineage: Record<string, unknown> }): VersionFacts {
  const reference = referencePerformance(version.lineage);
  return { ...(version.task ? { task: version.task } : {}), ...(reference ? { reference } : {}) };
}
