import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyApiKey, type ApiKeyStore, type StoredApiKey } from '@flywheel/core';
import { tempDataDir } from '@flywheel/testing/temp-dir';
import { bootstrapAdminKey } from './admin-key.ts';

/** The store's contract in memory: the logic under test is what bootstrap does with a revoked key. */
function memoryKeyStore(): ApiKeyStore {
  const keys = new Map<string, StoredApiKey>();
  return {
    get: async (id) => keys.get(id),
    create: async (key) => {
      if (keys.has(key.id)) throw new Error('exists');
      keys.set(key.id, key);
    },
    list: async () => [...keys.values()],
    revoke: async (id, at) => {
      const key = keys.get(id);
      if (!key) return undefined;
      keys.set(id, { ...key, revokedAt: key.revokedAt ?? at });
      return keys.get(id);
    },
    rotate: async () => undefined,
    touch: async () => undefined,
  };
}

describe('bootstrapAdminKey', () => {
  const dirs: Array<{ remove(): Promise<void> }> = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await dir.remove();
  });

  it('replaces a revoked kept key with a new one instead of bringing it back', async () => {
    const dir = await tempDataDir('admin-key');
    dirs.push(dir);
    const store = memoryKeyStore();
    const first = await bootstrapAdminKey(store, dir.path);
    expect(first.generated).toBe(true);
    expect((await bootstrapAdminKey(store, dir.path)).key).toBe(first.key);

    const record = (await verifyApiKey(first.key, store))!;
    await store.revoke(record.id, new Date().toISOString());
    const second = await bootstrapAdminKey(store, dir.path);
    expect(second.generated).toBe(true);
    expect(second.key).not.toBe(first.key);
    expect(await verifyApiKey(first.key, store)).toBeUndefined();
    expect(await verifyApiKey(second.key, store)).toBeDefined();
    expect((await readFile(join(dir.path, 'admin-key'), 'utf8')).trim()).toBe(second.key);
  });

  it('refuses to start with a revoked FLYWHEEL_ADMIN_KEY', async () => {
    const dir = await tempDataDir('admin-key');
    dirs.push(dir);
    const store = memoryKeyStore();
    const chosen = 'a-chosen-admin-key-1234';
    await bootstrapAdminKey(store, dir.path, chosen);
    await store.revoke((await verifyApiKey(chosen, store))!.id, new Date().toISOString());
    await expect(bootstrapAdminKey(store, dir.path, chosen)).rejects.toThrow(/revoked/);
  });
});
