import { describe, expect, it } from 'vitest';
import { KeyRateLimiter, TokenBucket, leaseSize, type RateLimitLedger } from './rate-limit.ts';

describe('TokenBucket', () => {
  it('lets a burst through, then the sustained rate, and says when to retry', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 2, burst: 3 }, 0);
    expect([0, 0, 0, 0].map(() => bucket.take(0).allowed)).toEqual([true, true, true, false]);
    expect(bucket.take(0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(bucket.take(500).allowed).toBe(true);
    expect(bucket.take(500).allowed).toBe(false);
    // A long quiet spell refills to the burst, not beyond.
    expect(Array.from({ length: 4 }, () => bucket.take(60_000).allowed)).toEqual([true, true, true, false]);
  });

  it('asks slow limits to wait longer than a second', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 0.25, burst: 1 }, 0);
    expect(bucket.take(0).allowed).toBe(true);
    expect(bucket.take(0)).toEqual({ allowed: false, retryAfterSeconds: 4 });
  });
});

/** A shared window in memory, counting what every limiter leased. */
function memoryLedger(): RateLimitLedger & { calls: number } {
  const used = new Map<string, number>();
  return {
    calls: 0,
    async lease(keyId, second, tokens, limit) {
      this.calls++;
      const key = `${keyId}/${second}`;
      const granted = Math.max(0, Math.min(tokens, limit - (used.get(key) ?? 0)));
      used.set(key, (used.get(key) ?? 0) + granted);
      return granted;
    },
  };
}

describe('KeyRateLimiter', () => {
  it('holds instances sharing a ledger to the rate together, leasing in chunks', async () => {
    let now = 10_000;
    const ledger = memoryLedger();
    const limit = { requestsPerSecond: 50, burst: 50 };
    const instances = [new KeyRateLimiter(ledger, () => now), new KeyRateLimiter(ledger, () => now), new KeyRateLimiter(ledger, () => now)];
    let allowed = 0;
    for (let i = 0; i < 120; i++) if ((await instances[i % 3].check('k', limit)).allowed) allowed++;
    expect(allowed).toBe(50);
    expect(ledger.calls).toBeLessThan(120 / leaseSize(limit) + 10);
    now += 1000;
    expect((await instances[0].check('k', limit)).allowed).toBe(true);
  });

  it('shares one lease among concurrent requests, and keeps serving when the ledger fails', async () => {
    const ledger = memoryLedger();
    const limiter = new KeyRateLimiter(ledger, () => 5_000);
    const decisions = await Promise.all(Array.from({ length: 10 }, () => limiter.check('k', { requestsPerSecond: 100, burst: 100 })));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(ledger.calls).toBe(1);
    const broken = new KeyRateLimiter({ lease: () => Promise.reject(new Error('throttled')) }, () => 5_000);
    expect((await broken.check('k', { requestsPerSecond: 5, burst: 5 })).allowed).toBe(true);
  });
});
