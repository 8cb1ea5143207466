export interface TtlCacheOptions<V> {
  /**
   * How long a loaded value is served, from when its load started: a number, or per value (a
   * record that never changes for good, `Infinity`; "not found" briefly, so a new one is seen soon).
   */
  ttlMs: number | ((value: V) => number);
  /** Past this age a hit still answers from the cache but reloads in the background, so a hot key never waits on the store (default 80 % of the TTL). */
  refreshAfterMs?: number;
  /** Entries kept at most; the least recently used is dropped beyond it (default 10,000). */
  maxEntries?: number;
  now?: () => number;
}

interface Entry<V> {
  value: Promise<V>;
  loadedAt: number;
  /** While the load is pending: the fixed TTL's bound, or none when the TTL depends on the value. */
  expiresAt: number;
  refreshAt: number;
  settled?: { value: V };
  refreshing?: Promise<V>;
}

/**
 * The project's one read-through cache: values by key with an age bound (TTL), bounded in size
 * (LRU). Concurrent misses share one load; a failed load is not kept. Values (including "not
 * found") are cached as loaded.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #ttlOf: (value: V) => number;
  readonly #pendingTtlMs: number;
  readonly #refreshAfterMs: number | undefined;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** The last key of `#entries` (the most recently used), when known: a hot key is not moved again. */
  #mostRecent: string | undefined;

  constructor(options: TtlCacheOptions<V>) {
    const { ttlMs } = options;
    this.#ttlOf = typeof ttlMs === 'number' ? () => ttlMs : ttlMs;
    this.#pendingTtlMs = typeof ttlMs === 'number' ? ttlMs : Infinity;
    this.#refreshAfterMs = options.refreshAfterMs;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.#now();
    const entry = this.#entries.get(key);
    if (entry) {
      if (now < entry.refreshAt) return this.#touch(key, entry).value;
      if (now < entry.expiresAt) {
        entry.refreshing ??= this.#reload(key, entry, load);
        return this.#touch(key, entry).value;
      }
      if (entry.refreshing) return entry.refreshing;
    }
    return this.#fill(key, load, now).value;
  }

  /** The value as cached, without loading: for a caller that answers a fresh hit synchronously. */
  peek(key: string): { value: V } | undefined {
    const entry = this.#entries.get(key);
    return entry?.settled && this.#now() < entry.refreshAt ? this.#touch(key, entry).settled : undefined;
  }

  /** Loads the key now, whatever is cached (the cached value is known to be stale). */
  reload(key: string, load: () => Promise<V>): Promise<V> {
    return this.#fill(key, load, this.#now()).value;
  }

  delete(key: string): void {
    this.#entries.delete(key);
    if (key === this.#mostRecent) this.#mostRecent = undefined;
  }

  /** Drops every entry whose loaded value matches. */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.#entries) if (entry.settled && matches(entry.settled.value)) this.delete(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#mostRecent = undefined;
  }

  #touch(key: string, entry: Entry<V>): Entry<V> {
    if (key !== this.#mostRecent) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#mostRecent = key;
    }
    return entry;
  }

  #fill(key: string, load: () => Promise<V>, now: number): Entry<V> {
    const pendingUntil = now + this.#pendingTtlMs;
    const entry: Entry<V> = { value: load(), loadedAt: now, expiresAt: pendingUntil, refreshAt: pendingUntil };
    entry.value.then(
      (value) => this.#settle(entry, value),
      () => {
        if (this.#entries.get(key) === entry) this.delete(key);
      },
    );
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#mostRecent = key;
    if (this.#entries.size > this.#maxEntries) this.delete(this.#entries.keys().next().value!);
    return entry;
  }

  #settle(entry: Entry<V>, value: V): void {
    const ttl = this.#ttlOf(value);
    entry.settled = { value };
    entry.expiresAt = entry.loadedAt + ttl;
    entry.refreshAt = entry.loadedAt + Math.min(this.#refreshAfterMs ?? ttl * 0.8, ttl);
  }

  // The age bound runs from when the reload started, not when it finished: what it read can be no older.
  #reload(key: string, entry: Entry<V>, load: () => Promise<V>): Promise<V> {
    const startedAt = this.#now();
    const refreshing = load();
    refreshing.then(
      (value) => {
        if (this.#entries.get(key) !== entry) return;
        const next: Entry<V> = { value: refreshing, loadedAt: startedAt, expiresAt: Infinity, refreshAt: Infinity };
        this.#settle(next, value);
        this.#entries.set(key, next);
      },
      () => {
        if (this.#entries.get(key) === entry) entry.refreshing = undefined;
      },
    );
    return refreshing;
  }
}
