// Warm sessions by model content hash, so a function instance loads each model once.
import { loadModel, type LoadedModel } from './load.ts';
import { releaseModel } from './run.ts';

export interface SessionCacheOptions {
  /** Bound on the summed size of the cached models' bytes. Default 256 MiB. */
  maxBytes?: number;
  /** Turns bytes into a model. Default `loadModel`. */
  load?: (bytes: Uint8Array) => Promise<LoadedModel>;
  /** Frees an evicted model. Default `releaseModel`, which waits for in-flight runs. */
  release?: (model: LoadedModel) => unknown;
}

interface Entry {
  model: LoadedModel;
  sizeBytes: number;
}

export class SessionCache {
  readonly maxBytes: number;
  private readonly load: (bytes: Uint8Array) => Promise<LoadedModel>;
  private readonly release: (model: LoadedModel) => unknown;
  /** Least recently used first: a Map iterates in insertion order and hits are re-inserted. */
  private readonly entries = new Map<string, Entry>();
  /** The last key of `entries`, when known. */
  private mostRecent: string | undefined;
  private readonly loading = new Map<string, Promise<LoadedModel>>();
  private cachedBytes = 0;

  constructor(options: SessionCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    if (!(this.maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${this.maxBytes}`);
    this.load = options.load ?? loadModel;
    this.release = options.release ?? releaseModel;
  }

  /** Summed size of the cached models' bytes. */
  get totalBytes(): number {
    return this.cachedBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  has(sha256: string): boolean {
    return this.entries.has(sha256);
  }

  /**
   * The model with this content hash, loaded from `fetchBytes()` on a miss. Concurrent misses
   * share one load; a failed load is not remembered, so the next call tries again.
   */
  get(sha256: string, fetchBytes: () => Promise<Uint8Array>): Promise<LoadedModel> {
    const entry = this.entries.get(sha256);
    if (entry) {
      // Moved to the back (most recently used) unless it is there already, as it mostly is.
      if (sha256 !== this.mostRecent) {
        this.entries.delete(sha256);
        this.entries.set(sha256, entry);
        this.mostRecent = sha256;
      }
      return Promise.resolve(entry.model);
    }
    return this.loading.get(sha256) ?? this.startLoad(sha256, fetchBytes);
  }

  /** Drops one model (e.g. after it was deleted), releasing it. */
  delete(sha256: string): void {
    this.loading.delete(sha256);
    const entry = this.entries.get(sha256);
    if (entry) this.evict(sha256, entry);
  }

  /** Drops every model, releasing them. */
  clear(): void {
    this.loading.clear();
    for (const [sha256, entry] of this.entries) this.evict(sha256, entry);
  }

  private startLoad(sha256: string, fetchBytes: () => Promise<Uint8Array>): Promise<LoadedModel> {
    // Started on a later tick, so `pending` is registered before anything it runs can settle.
    const pending = Promise.resolve().then(async () => {
      try {
        const bytes = await fetchBytes();
        const model = await this.load(bytes);
        // Deleted or cleared while loading: hand the model to the waiting callers, keep nothing.
        if (this.loading.get(sha256) !== pending) this.dispose(model);
        else this.insert(sha256, { model, sizeBytes: bytes.byteLength });
        return model;
      } finally {
        if (this.loading.get(sha256) === pending) this.loading.delete(sha256);
      }
    });
    this.loading.set(sha256, pending);
    return pending;
  }

  // A model larger than maxBytes on its own is still kept (and evicts everything else): serving
  // it from cache beats reloading it on every request.
  private insert(sha256: string, entry: Entry): void {
    this.entries.set(sha256, entry);
    this.mostRecent = sha256;
    this.cachedBytes += entry.sizeBytes;
    for (const [oldest, oldestEntry] of this.entries) {
      if (this.cachedBytes <= this.maxBytes || oldest === sha256) break;
      this.evict(oldest, oldestEntry);
    }
  }

  private evict(sha256: string, entry: Entry): void {
    this.entries.delete(sha256);
    if (this.mostRecent === sha256) this.mostRecent = undefined;
    this.cachedBytes -= entry.sizeBytes;
    this.dispose(entry.model);
  }

  // Releasing is best effort: a failure to free memory must not fail a request.
  private dispose(model: LoadedModel): void {
    Promise.resolve()
      .then(() => this.release(model))
      .catch(() => undefined);
  }
}
