import { referencePerformance, type ModelRegistry, type ReferencePerformance, type Task } from '@flywheel/core';

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
  readonly #known = new Map<string, { value: Promise<VersionFacts | undefined>; until: number }>();

  constructor(
    private readonly registry: VersionRegistry,
    private readonly now: () => number = Date.now,
  ) {}

  get(model: string, version: number): Promise<VersionFacts | undefined> {
    const id = `${model}\u0000${version}`;
    const hit = this.#known.get(id);
    if (hit && hit.until > this.now()) return hit.value;
    if (this.#known.size > 10_000) this.#known.clear();
    const entry = { value: this.registry.getVersion(model, version).then((found) => found && factsOf(found)), until: Infinity };
    this.#known.set(id, entry);
    entry.value.then(
      (facts) => (entry.until = facts ? Infinity : this.now() + 60_000),
      () => this.#known.delete(id),
    );
    return entry.value;
  }

  async task(model: string, version: number): Promise<Task | undefined> {
    return (await this.get(model, version))?.task;
  }
}

function factsOf(version: { task?: Task; lineage: Record<string, unknown> }): VersionFacts {
  const reference = referencePerformance(version.lineage);
  return { ...(version.task ? { task: version.task } : {}), ...(reference ? { reference } : {}) };
}
