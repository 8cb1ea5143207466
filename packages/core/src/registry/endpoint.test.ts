import { describe, expect, it } from 'vitest';
import { parseEndpointConfig, type EndpointConfig } from '../routing/endpoint-config.ts';
import { checkIfMatch, nextEndpointRecord } from './endpoint.ts';

function config(weights: Record<string, number>): EndpointConfig {
  const parsed = parseEndpointConfig({
    variants: Object.entries(weights).map(([name, weight], i) => ({ name, model: 'm', version: i + 1, weight })),
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
}

describe('endpoint config versions', () => {
  it('numbers versions, keeps the salt, and ramps a canary without moving its buckets', () => {
    const created = nextEndpointRecord('e', undefined, { config: config({ control: 90, canary: 10 }), change: { kind: 'create' } }, 't1', () => 'a'.repeat(32));
    expect(created).toMatchObject({ configVersion: 1, salt: 'a'.repeat(32), createdAt: 't1', updatedAt: 't1' });
    const ramped = nextEndpointRecord('e', created, { config: config({ control: 50, canary: 50 }), change: { kind: 'update' } }, 't2', () => 'b');
    expect(ramped).toMatchObject({ configVersion: 2, salt: created.salt, createdAt: 't1', updatedAt: 't2' });
    const canaryBefore = created.allocation.find((v) => v.name === 'canary')!.ranges;
    const canaryAfter = ramped.allocation.find((v) => v.name === 'canary')!.ranges;
    for (const [start, end] of canaryBefore) expect(canaryAfter.some(([s, e]) => s <= start && end <= e)).toBe(true);
    expect(ramped.etag).not.toBe(created.etag);
  });

  it('takes a restored allocation as is', () => {
    const created = nextEndpointRecord('e', undefined, { config: config({ a: 50, b: 50 }), change: { kind: 'create' } }, 't1');
    const updated = nextEndpointRecord('e', created, { config: config({ a: 100, b: 0 }), change: { kind: 'update' } }, 't2');
    const restored = nextEndpointRecord('e', updated, { config: created.config, allocation: created.allocation, change: { kind: 'rollback', restoredFrom: 1 } }, 't3');
    expect(restored.allocation).toEqual(created.allocation);
    expect(restored.configVersion).toBe(3);
  });

  it('requires If-Match to change an existing endpoint and compares tags strongly', () => {
    const current = nextEndpointRecord('e', undefined, { config: config({ a: 100 }), change: { kind: 'create' } }, 't');
    expect(checkIfMatch(undefined, undefined)).toBe('ok');
    expect(checkIfMatch(current.etag, undefined)).toBe('stale');
    expect(checkIfMatch(undefined, current)).toBe('missing');
    expect(checkIfMatch(`"0-x", ${current.etag}`, current)).toBe('ok');
    expect(checkIfMatch(`W/${current.etag}`, current)).toBe('stale');
    expect(checkIfMatch('*', current)).toBe('ok');
  });
});
