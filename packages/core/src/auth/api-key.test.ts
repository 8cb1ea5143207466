import { describe, expect, it } from 'vitest';
import {
  apiKeyId,
  chosenApiKeyRecord,
  constantTimeEqual,
  generateApiKey,
  resourceAllows,
  resourceOfPath,
  rotateApiKey,
  scopeAllows,
  verifyApiKey,
  verifyApiKeyUntil,
  type StoredApiKey,
} from './api-key.ts';

function memoryStore(records: StoredApiKey[]) {
  return { get: async (id: string) => records.find((r) => r.id === id) };
}

describe('API keys', () => {
  it('verifies a generated key and stores only a hash of it', async () => {
    const { key, record } = await generateApiKey('ci', ['predict']);
    expect(await apiKeyId(key)).toBe(record.id);
    expect(JSON.stringify(record)).not.toContain(key.slice(16));
    expect(await verifyApiKey(key, memoryStore([record]))).toEqual(record);
  });

  it('accepts an operator-chosen key of 16+ characters and refuses shorter ones', async () => {
    const record = await chosenApiKeyRecord('correct-horse-battery', 'admin', ['admin']);
    expect(await verifyApiKey('correct-horse-battery', memoryStore([record]))).toEqual(record);
    expect(await verifyApiKey('correct-horse-batterY', memoryStore([record]))).toBeUndefined();
    await expect(chosenApiKeyRecord('short', 'admin', ['admin'])).rejects.toThrow(/16/);
  });

  it('refuses a wrong secret, an unknown id, a revoked key and garbage', async () => {
    const { key, record } = await generateApiKey('ci', ['read']);
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(await verifyApiKey(tampered, memoryStore([record]))).toBeUndefined();
    expect(await verifyApiKey(key, memoryStore([]))).toBeUndefined();
    expect(await verifyApiKey(key, memoryStore([{ ...record, revokedAt: new Date().toISOString() }]))).toBeUndefined();
    expect(await verifyApiKey('Bearer nonsense', memoryStore([record]))).toBeUndefined();
  });

  it('lets admin imply every scope and nothing else widen', () => {
    expect(scopeAllows(['admin'], 'deploy')).toBe(true);
    expect(scopeAllows(['read'], 'predict')).toBe(false);
    expect(scopeAllows(['predict', 'read'], 'read')).toBe(true);
  });

  it('compares strings of any length', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });

  it('refuses an expired key, and keeps a rotated-out secret for its grace only', async () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const { key, record } = await generateApiKey('ci', ['read'], now, { expiresAt: '2026-06-02T00:00:00Z' });
    expect(await verifyApiKey(key, memoryStore([record]), new Date('2026-06-01T23:59:59Z'))).toEqual(record);
    expect(await verifyApiKey(key, memoryStore([record]), new Date('2026-06-02T00:00:00Z'))).toBeUndefined();

    const { key: next, rotation } = await rotateApiKey(record, 60, now);
    expect(next.startsWith(`fw_${record.id}_`)).toBe(true);
    const rotated = { ...record, ...rotation };
    const within = new Date(now.getTime() + 59_000);
    expect((await verifyApiKeyUntil(next, memoryStore([rotated]), within))?.validUntil).toBe(Date.parse('2026-06-02T00:00:00Z'));
    expect((await verifyApiKeyUntil(key, memoryStore([rotated]), within))?.validUntil).toBe(now.getTime() + 60_000);
    expect(await verifyApiKey(key, memoryStore([rotated]), new Date(now.getTime() + 60_000))).toBeUndefined();
  });

  it('names the resource of every route that is about one, and limits keys to theirs', () => {
    expect(resourceOfPath('/v1/endpoints/demo/predict')).toBe('endpoint:demo');
    expect(resourceOfPath('/v1/endpoints/demo')).toBe('endpoint:demo');
    expect(resourceOfPath('/v2/models/demo/versions/2/infer')).toBe('endpoint:demo');
    expect(resourceOfPath('/v1/models/demo:predict')).toBe('endpoint:demo');
    expect(resourceOfPath('/v1/models/churn/versions/3')).toBe('model:churn');
    expect(resourceOfPath('/v1/models')).toBeUndefined();
    expect(resourceOfPath('/v1/alerts')).toBeUndefined();
    expect(resourceAllows({}, undefined)).toBe(true);
    expect(resourceAllows({ resources: ['model:churn'] }, 'model:churn')).toBe(true);
    expect(resourceAllows({ resources: ['model:churn'] }, 'endpoint:churn')).toBe(false);
    expect(resourceAllows({ resources: ['model:churn'] }, undefined)).toBe(false);
  });
});
