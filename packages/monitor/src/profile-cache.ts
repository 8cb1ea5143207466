import { TtlCache, type ProfileSource, type ReferenceProfile } from '@flywheel/core';

export interface ProfileCacheOptions {
  /** How long a profile is trusted before it is read again (a baseline can be replaced). */
  ttlMs?: number;
  /** How long "no baseline" is trusted: short, so a baseline uploaded now is picked up soon. */
  missingTtlMs?: number;
  now?: () => number;
}

/** Reference profiles by model version, read once per TTL; concurrent misses share one read. */
export class ProfileCache implements ProfileSource {
  readonly #profiles: TtlCache<ReferenceProfile | undefined>;

  constructor(
    private readonly source: ProfileSource,
    options: ProfileCacheOptions = {},
  ) {
    const ttlMs = options.ttlMs ?? 60_000;
    const missingTtlMs = options.missingTtlMs ?? 10_000;
    // No refresh ahead: a profile is read again only once it is out of date.
    this.#profiles = new TtlCache({ ttlMs: (profile) => (profile ? ttlMs : missingTtlMs), refreshAfterMs: Infinity, now: options.now });
  }

  get(model: string, version: number): Promise<ReferenceProfile | undefined> {
    return this.#profiles.get(`${model}\u0000${version}`, () => this.source.get(model, version));
  }

  /** Reads the profile now, bypassing the cache (when a window shows a different one). */
  refresh(model: string, version: number): Promise<ReferenceProfile | undefined> {
    return this.#profiles.reload(`${model}\u0000${version}`, () => this.source.get(model, version));
  }
}
