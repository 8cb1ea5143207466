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

  it('keeps each value as long as its own TTL says: a found record for good, "not found" briefly', async () => {
    const time = clock();
    const cache = new TtlCache<string | undefined>({ ttlMs: (value) => (value === undefined ? 100 : Infinity), now: time.now });
    let loads = 0;
    expect(await cache.get('missing', async () => void loads++)).toBeUndefined();
    expect(await cache.get('found', async () => `v${++loads}`)).toBe('v2');
    time.advance(1_000_000);
    expect(await cache.get('found', async () => `v${++loads}`)).toBe('v2');
    expect(await cache.get('missing', async () => `v${++loads}`)).toBe('v3');
  });

  it('drops the least recently used entry beyond maxEntries', async () => {
    const cache = new TtlCache<string>({ ttlMs: Infinity, maxEntries: 2 });
    await cache.get('a', async () => 'a1');
    await cache.get('b', async () => 'b1');
    await cache.get('a', async () => 'a2'); // a is used again: b is now the oldest
    await cache.get('c', async () => 'c1');
    expect(cache.size).toBe(2);
    expect(await cache.get('a', async () => 'a3')).toBe('a1');
    expect(await cache.get('b', async () => 'b2')).toBe('b2');
  });

  it('peeks at a fresh loaded value without loading, and deletes by value', async () => {
    const time = clock();
    const cache = new TtlCache<{ owner: string }>({ ttlMs: 1000, refreshAfterMs: 1000, now: time.now });
    const pending = cache.get('k', async () => ({ owner: 'x' }));
    expect(cache.peek('k')).toBeUndefined(); // still loading
    await pending;
    expect(cache.peek('k')).toEqual({ value: { owner: 'x' } });
    await cache.get('other', async () => ({ owner: 'y' }));
    cache.deleteWhere((value) => value.owner === 'x');
    expect(cache.peek('k')).toBeUndefined();
    expect(cache.peek('other')).toEqual({ value: { owner: 'y' } });
    time.advance(1000);
    expect(cache.peek('other')).toBeUndefined();
  });

  it('reloads on demand, whatever is cached', async () => {
    const cache = new TtlCache<string>({ ttlMs: Infinity });
    await cache.get('k', async () => 'stale');
    expect(await cache.reload('k', async () => 'fresh')).toBe('fresh');
    expect(await cache.get('k', async () => 'unused')).toBe('fresh');
  });
});
