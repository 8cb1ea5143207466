import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh data dir per suite, so suites run in parallel without sharing state. */
export async function tempDataDir(label: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `flywheel-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
