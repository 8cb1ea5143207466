/**
 * Rate limits per API key: requests per second with a burst. Each process keeps a token bucket per
 * key (exact within the process); where instances share a limit (Lambda), a bucket refills only
 * with tokens leased from a shared per-second window, so all instances together stay within the
 * rate, while a lone process pays one ledger write per lease, not per request.
 */
export interface RateLimit {
  /** Sustained requests per second. */
  readonly requestsPerSecond: number;
  /** Requests that may arrive at once after a quiet spell (≥ 1). */
  readonly burst: number;
}

export const MAX_REQUESTS_PER_SECOND = 100_000;

/** The shared side: grants up to `tokens` of `limit` for one key in one one-second window. */
export interface RateLimitLedger {
  lease(keyId: string, windowSecond: number, tokens: number, limit: number): Promise<number>;
}

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** A token bucket: `burst` tokens at most, refilled at `requestsPerSecond`. */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(
    readonly limit: RateLimit,
    now: number,
  ) {
    this.#tokens = limit.burst;
    this.#updatedAt = now;
  }

  take(now: number): RateDecision {
    const { requestsPerSecond, burst } = this.limit;
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#updatedAt) / 1000) * requestsPerSecond);
    this.#updatedAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.#tokens) / requestsPerSecond)) };
  }
}

/** How many tokens a process leases at a time: a tenth of a second's worth, so instances share fairly. */
export function leaseSize(limit: RateLimit): number {
  return Math.max(1, Math.ceil(limit.requestsPerSecond / 10));
}

/**
 * Every key's limit in one process: its bucket first (a refusal costs nothing), then, with a
 * ledger, a token of the shared window, leased in chunks; concurrent requests of a key wait for one
 * lease rather than each asking the ledger.
 */
export class KeyRateLimiter {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #leases = new Map<string, { second: number; tokens: number }>();
  readonly #leasing = new Map<string, Promise<void>>();

  constructor(
    private readonly ledger?: RateLimitLedger,
    private readonly now: () => number = Date.now,
  ) {}

  check(keyId: string, limit: RateLimit): RateDecision | Promise<RateDecision> {
    const now = this.now();
    let bucket = this.#buckets.get(keyId);
    if (!bucket || bucket.limit.requestsPerSecond !== limit.requestsPerSecond || bucket.limit.burst !== limit.burst) {
      if (this.#buckets.size > 10_000) this.#buckets.clear();
      this.#buckets.set(keyId, (bucket = new TokenBucket(limit, now)));
    }
    const local = bucket.take(now);
    if (!local.allowed || !this.ledger) return local;
    return this.#takeShared(keyId, limit, Math.floor(now / 1000));
  }

  #takeShared(keyId: string, limit: RateLimit, second: number): RateDecision | Promise<RateDecision> {
    const lease = this.#leases.get(keyId);
    if (lease && lease.second === second && lease.tokens > 0) {
      lease.tokens--;
      return { allowed: true };
    }
    if (lease && lease.second === second && !this.#leasing.has(keyId) && lease.tokens < 0) return { allowed: false, retryAfterSeconds: 1 };
    const pending = this.#leasing.get(keyId) ?? this.#lease(keyId, limit, second);
    return pending.then(() => {
      const fresh = this.#leases.get(keyId);
      if (fresh && fresh.second === second && fresh.tokens > 0) {
        fresh.tokens--;
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: 1 };
    });
  }

  #lease(keyId: string, limit: RateLimit, second: number): Promise<void> {
    const leasing = this.ledger!.lease(keyId, second, leaseSize(limit), limit.requestsPerSecond)
      // -1 marks this second's window as spent, so the rest of the second is refused without asking again.
      .then(
        (granted) => void this.#leases.set(keyId, { second, tokens: granted > 0 ? granted : -1 }),
        // A ledger that cannot be reached must not take the API down: the process's own bucket still holds.
        () => void this.#leases.set(keyId, { second, tokens: leaseSize(limit) }),
      )
      .finally(() => this.#leasing.delete(keyId));
    this.#leasing.set(keyId, leasing);
    return leasing;
  }
}
