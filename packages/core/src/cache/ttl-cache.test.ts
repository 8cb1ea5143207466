import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.ts';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('TtlCache', () => {
  it('shares one load between concurrent misses and serves hits without loading', async () => {
    const time = clock();
    const cache = new TtlCache<string>({ ttlMs: 1000, now: time.now });
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual(['v1', 'v1']);
    time.advance(500);
    expect(await cache.get('k', load)).toBe('v1');
    expect(loads).toBe(1);
  });

  it('refreshes ahead in the background and never serves a value older than the TTL', async () => {
    const time = clock();
    const cache = new TtlCache<string>({ ttlMs: 1000, refreshAfterMs: 800, now: time.now });
    await cache.get('k', async () => 'old');
    time.advance(900);
    const fresh = deferred<string>();
    // Past refreshAfter: answered from cache while the reload runs.
    expect(await cache.get('k', () => fresh.promise)).toBe('old');
    time.advance(200); // 1100 ms after the first load: too old to serve; wait for the reload.
    const waiting = cache.get('k', async () => 'unused');
    fresh.resolve('new');
    expect(await waiting).toBe('new');
    time.advance(500); // the reload started at 900, so its value is 700 ms old
    expect(await cache.get('k', async () => 'unused')).toBe('new');
  });

  it('forgets failed loads, and deleted keys', async () => {
    const time = clock();
    const cache = new TtlCache<string>({ ttlMs: 1000, now: time.now });
    await expect(cache.get('k', async () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(await cache.get('k', async () => 'recovered')).toBe('recovered');
    cache.delete('k');
    expect(await cache.get('k', async () => 'reloaded')).toBe('reloaded');
  });

  it('keeps the old value when a background refresh fails, until the TTL', async () => {
    const time = clock();
    const cache = new TtlCache<string>({ ttlMs: 1000, refreshAfterMs: 500, now: time.now });
    await cache.get('k', async () => 'old');
    time.advance(600);
    expect(await cache.get('k', async () => Promise.reject(new Error('blip')))).toBe('old');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await cache.get('k', async () => 'retry')).toBe('old');
    time.advance(500);
    expect(await cache.get('k', async () => 'after ttl')).toBe('retry');
  });
});
