import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chosenApiKeyRecord, generateApiKey, minimumChosenKeyLength, type ApiKeyStore, type StoredApiKey } from '@flywheel/core';

export interface AdminKeyBootstrap {
  key: string;
  /** True when the key was generated just now and must be shown to the operator once. */
  generated: boolean;
}

/**
 * The local admin key: FLYWHEEL_ADMIN_KEY when set, else the one kept in the data dir, else a new
 * one written there (mode 0600). Its hash is (re)registered so the key works after a data reset.
 */
export async function bootstrapAdminKey(store: ApiKeyStore, dataDir: string, fromEnv?: string): Promise<AdminKeyBootstrap> {
  const file = join(dataDir, 'admin-key');
  if (fromEnv !== undefined && fromEnv.length < minimumChosenKeyLength) {
    throw new Error(`FLYWHEEL_ADMIN_KEY must be at least ${minimumChosenKeyLength} characters`);
  }
  const kept =
    fromEnv ??
    (await readFile(file, 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    ));
  if (kept) {
    const record = await keptRecord(store, kept);
    if (!record.revokedAt) return { key: kept, generated: false };
    if (fromEnv !== undefined) throw new Error('FLYWHEEL_ADMIN_KEY names a key that was revoked; set another one');
    // The kept key was revoked (leaked, say): a revoked key never comes back, so the operator gets a new one.
  }
  const { key, record } = await generateApiKey('local admin', ['admin']);
  await store.create(record);
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return { key, generated: true };
}

/** The stored record of a kept key, registered first if missing (a data reset keeps the key file). */
async function keptRecord(store: ApiKeyStore, kept: string): Promise<StoredApiKey> {
  // A generated key's record is found under the id the key carries; a chosen key's, under its hash.
  const fresh = await chosenApiKeyRecord(kept, 'local admin', ['admin']);
  const stored = await store.get(fresh.id);
  if (stored) return stored;
  await store.create(fresh);
  return fresh;
}
