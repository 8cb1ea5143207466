import { describe, expect, it } from 'vitest';
import { apiKeyId, chosenApiKeyRecord, constantTimeEqual, generateApiKey, scopeAllows, verifyApiKey, type StoredApiKey } from './api-key.ts';

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
});
