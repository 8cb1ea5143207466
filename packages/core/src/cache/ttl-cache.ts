export interface TtlCacheOptions {
  /** A value is never served older than this. */
  ttlMs: number;
  /** Past this age a hit still answers from the cache but reloads in the background, so a hot key never waits on the store. */
  refreshAfterMs?: number;
  /** Entries kept at most; the oldest are dropped beyond it. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry<V> {
  value: Promise<V>;
  loadedAt: number;
  refreshing?: Promise<V>;
}

/**
 * A read-through cache with a hard age bound. Concurrent misses share one load; a failed load
 * is not kept. Values (including "not found") are cached as loaded.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly ttlMs: number;
  private readonly refreshAfterMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: TtlCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.refreshAfterMs = Math.min(options.refreshAfterMs ?? options.ttlMs * 0.8, options.ttlMs);
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry) {
      const age = now - entry.loadedAt;
      if (age < this.refreshAfterMs) return entry.value;
      if (age < this.ttlMs) {
        entry.refreshing ??= this.reload(key, entry, load);
        return entry.value;
      }
      if (entry.refreshing) return entry.refreshing;
    }
    return this.fill(key, load, now).value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  private fill(key: string, load: () => Promise<V>, now: number): Entry<V> {
    const entry: Entry<V> = { value: load(), loadedAt: now };
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }

  // The age bound runs from when the reload started, not when it finished: what it read can be no older.
  private reload(key: string, entry: Entry<V>, load: () => Promise<V>): Promise<V> {
    const startedAt = this.now();
    const refreshing = load();
    refreshing.then(
      () => {
        if (this.entries.get(key) === entry) this.entries.set(key, { value: refreshing, loadedAt: startedAt });
      },
      () => {
        if (this.entries.get(key) === entry) entry.refreshing = undefined;
      },
    );
    return refreshing;
  }
}
