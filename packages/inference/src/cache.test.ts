import { describe, expect, test, vi } from 'vitest';
import { SessionCache } from './cache.ts';
import { sha256Hex } from './digest.ts';
import { InferenceError } from './errors.ts';
import type { LoadedModel } from './load.ts';
import { predict } from './predict.ts';
import { mlpFixture } from '@flywheel/testing/test-models';

/** A stand-in model per byte string; the cache never looks inside. */
const fakeLoad = vi.fn(async (bytes: Uint8Array) => ({ bytes }) as unknown as LoadedModel);
const fakeOptions = (maxBytes: number) => ({ maxBytes, load: fakeLoad, release: vi.fn() });
const bytesOf = (size: number) => async () => new Uint8Array(size);

describe('SessionCache', () => {
  test('evicts the least recently used models once their bytes exceed the bound', async () => {
    const options = fakeOptions(100);
    const cache = new SessionCache(options);
    const a = await cache.get('a', bytesOf(40));
    const b = await cache.get('b', bytesOf(40));
    await cache.get('a', bytesOf(40)); // a is now more recent than b
    await cache.get('c', bytesOf(40));
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.totalBytes).toBe(80);
    await vi.waitFor(() => expect(options.release).toHaveBeenCalledWith(b));
    expect(options.release).toHaveBeenCalledTimes(1);
    expect(await cache.get('a', bytesOf(40))).toBe(a);
  });

  test('a model bigger than the bound is kept, alone', async () => {
    const cache = new SessionCache(fakeOptions(100));
    await cache.get('a', bytesOf(40));
    await cache.get('huge', bytesOf(150));
    expect([cache.size, cache.has('huge'), cache.totalBytes]).toEqual([1, true, 150]);
  });

  test('concurrent first requests for one model load it once', async () => {
    const cache = new SessionCache(fakeOptions(100));
    const fetchBytes = vi.fn(bytesOf(10));
    const models = await Promise.all(Array.from({ length: 5 }, () => cache.get('k', fetchBytes)));
    expect(fetchBytes).toHaveBeenCalledTimes(1);
    expect(new Set(models).size).toBe(1);
  });

  test('a failed fetch or load is not cached: the next get tries again', async () => {
    const failingLoad = vi.fn().mockRejectedValueOnce(new Error('bad model')).mockImplementation(fakeLoad);
    const cache = new SessionCache({ load: failingLoad });
    const fetchBytes = vi.fn().mockRejectedValueOnce(new Error('S3 is down')).mockImplementation(bytesOf(10));
    await expect(cache.get('k', fetchBytes)).rejects.toThrow('S3 is down');
    await expect(cache.get('k', fetchBytes)).rejects.toThrow('bad model');
    await expect(cache.get('k', fetchBytes)).resolves.toBeDefined();
    expect(fetchBytes).toHaveBeenCalledTimes(3);
    expect(cache.has('k')).toBe(true);
  });

  test('a model deleted while loading is handed to its callers but not kept', async () => {
    const options = fakeOptions(100);
    const cache = new SessionCache(options);
    const pending = cache.get('k', bytesOf(10));
    cache.delete('k');
    const model = await pending;
    expect(cache.has('k')).toBe(false);
    await vi.waitFor(() => expect(options.release).toHaveBeenCalledWith(model));
  });

  test('defaults: maxBytes is 256 MiB and a non-positive bound is refused', () => {
    expect(new SessionCache().maxBytes).toBe(256 * 1024 * 1024);
    expect(() => new SessionCache({ maxBytes: 0 })).toThrow(RangeError);
  });

  test('with real sessions: an evicted model finishes its in-flight run, then is released', async () => {
    const fixture = mlpFixture();
    const sha256 = await sha256Hex(fixture.bytes);
    const cache = new SessionCache({ maxBytes: fixture.bytes.length });
    const model = await cache.get(sha256, async () => fixture.bytes);
    const running = predict(model, fixture.inputs);
    cache.clear();
    await expect(running).resolves.toHaveProperty('probs');
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(predict(model, fixture.inputs)).rejects.toBeInstanceOf(InferenceError);
    const reloaded = await cache.get(sha256, async () => fixture.bytes);
    expect(reloaded).not.toBe(model);
    await expect(predict(reloaded, fixture.inputs)).resolves.toHaveProperty('probs');
    cache.clear();
  });
});
