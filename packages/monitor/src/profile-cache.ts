import type { ReferenceProfile } from '@flywheel/core';
import type { ProfileSource } from './ports.ts';

export interface ProfileCacheOptions {
  /** How long a profile is trusted before it is read again (a baseline can be replaced). */
  ttlMs?: number;
  /** How long "no baseline" is trusted: short, so a baseline uploaded now is picked up soon. */
  missingTtlMs?: number;
  now?: () => number;
}

/** Reference profiles by model version, read once per TTL; concurrent misses share one read. */
export class ProfileCache implements ProfileSource {
  readonly #entries = new Map<string, { value: Promise<ReferenceProfile | undefined>; until: number }>();
  readonly #ttlMs: number;
  readonly #missingTtlMs: number;
  readonly #now: () => number;

  constructor(
    private readonly source: ProfileSource,
    options: ProfileCacheOptions = {},
  ) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#missingTtlMs = options.missingTtlMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  get(model: string, version: number): Promise<ReferenceProfile | undefined> {
    const id = `${model}\u0000${version}`;
    const now = this.#now();
    const cached = this.#entries.get(id);
    if (cached && cached.until > now) return cached.value;
    return this.refresh(model, version);
  }

  /** Reads the profile now, bypassing the cache (when a window shows a different one). */
  refresh(model: string, version: number): Promise<ReferenceProfile | undefined> {
    const id = `${model}\u0000${version}`;
    const entry = { value: this.source.get(model, version), until: Infinity };
    this.#entries.set(id, entry);
    entry.value.then(
      (profile) => (entry.until = this.#now() + (profile ? this.#ttlMs : this.#missingTtlMs)),
      () => this.#entries.delete(id),
    );
    return entry.value;
  }
}
