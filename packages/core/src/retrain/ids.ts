import { sha256Hex } from '../auth/api-key.ts';
import type { EndpointConfig, VariantSpec } from '../routing/endpoint-config.ts';

/** A run id derived from what started it (an event id, an idempotency key), so a repeat finds the same run. */
export async function runIdFor(seed: string): Promise<string> {
  return `run-${(await sha256Hex(`run\n${seed}`)).slice(0, 24)}`;
}

/** A fresh run id, for a request without an idempotency key. */
export function randomRunId(): string {
  return `run-${Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The variant serving most of the endpoint's traffic (the first on a tie): the model that retraining replaces. */
export function championVariant(config: Pick<EndpointConfig, 'variants'>): VariantSpec {
  return config.variants.reduce((best, variant) => (variant.weight > best.weight ? variant : best));
}
