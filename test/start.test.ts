import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProcess } from '@flywheel/testing/start-process';
import { tempDataDir } from '@flywheel/testing/temp-dir';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('npm start', () => {
  it('answers /healthz within 10 s, prints how to authenticate, and exits 0 on SIGTERM', async () => {
    const dir = await tempDataDir('start');
    cleanups.push(dir.remove);
    const run = startProcess({ PORT: '0', FLYWHEEL_DATA_DIR: dir.path });
    cleanups.push(async () => void run.child.kill('SIGKILL'));
    const url = await run.listening();
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const key = /\n\[flywheel\]\s+(fw_\S+)/.exec(run.output())?.[1];
    expect(key).toBeDefined();
    expect((await fetch(`${url}/v1/keys`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  // Two starts of npm start in one test: a loaded machine needs more than the default 30 s.
  it('keeps the generated admin key across restarts and accepts FLYWHEEL_ADMIN_KEY', { timeout: 90_000 }, async () => {
    const dir = await tempDataDir('start-key');
    cleanups.push(dir.remove);
    const first = startProcess({ PORT: '0', FLYWHEEL_DATA_DIR: dir.path });
    await first.listening();
    const key = /\n\[flywheel\]\s+(fw_\S+)/.exec(first.output())![1];
    first.child.kill('SIGTERM');
    await first.exited;
    const second = startProcess({ PORT: '0', FLYWHEEL_DATA_DIR: dir.path, FLYWHEEL_ADMIN_KEY: 'a-chosen-admin-key-1234' });
    cleanups.push(async () => void second.child.kill('SIGKILL'));
    const url = await second.listening();
    expect(second.output()).not.toContain(key);
    for (const bearer of [key, 'a-chosen-admin-key-1234']) {
      expect((await fetch(`${url}/v1/keys`, { headers: { authorization: `Bearer ${bearer}` } })).status).toBe(200);
    }
  });

  // Two starts of npm start in one test: a loaded machine needs more than the default 30 s.
  it('seeds the demo model and endpoint on an empty data dir, and only there', { timeout: 90_000 }, async () => {
    const dir = await tempDataDir('start-demo');
    cleanups.push(dir.remove);
    const first = startProcess({ PORT: '0', FLYWHEEL_DATA_DIR: dir.path, FLYWHEEL_DEMO: '1' });
    cleanups.push(async () => void first.child.kill('SIGKILL'));
    const url = await first.listening();
    const deadline = Date.now() + 30_000;
    while (!first.output().includes('demo ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(first.output()).toContain('demo ready');
    const key = (await readFile(join(dir.path, 'admin-key'), 'utf8')).trim();
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const { models } = (await (await fetch(`${url}/v1/models`, { headers: auth })).json()) as { models: Array<{ model: string }> };
    expect(models.map((m) => m.model)).toEqual(['demo']);
    const endpoint = (await (await fetch(`${url}/v1/endpoints/demo`, { headers: auth })).json()) as { config: { variants: Array<{ model: string }> } };
    expect(endpoint.config.variants[0].model).toBe('demo');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = startProcess({ PORT: '0', FLYWHEEL_DATA_DIR: dir.path, FLYWHEEL_DEMO: '1' });
    cleanups.push(async () => void second.child.kill('SIGKILL'));
    await second.listening();
    await new Promise((r) => setTimeout(r, 1000));
    expect(second.output()).not.toContain('training the demo model');
  });

  it('fails with one clear line and a non-zero exit when the port is taken', async () => {
    const dir = await tempDataDir('start-port');
    cleanups.push(dir.remove);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as { port: number }).port;
    const run = startProcess({ PORT: String(port), FLYWHEEL_DATA_DIR: dir.path });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toBe(`[flywheel] cannot start: port ${port} is already in use; stop the other process or set PORT`);
  });

  it('fails with one clear line when the data dir cannot be written', async () => {
    const dir = await tempDataDir('start-file');
    cleanups.push(dir.remove);
    const file = join(dir.path, 'a-file');
    await writeFile(file, '');
    const run = startProcess({ PORT: '0', FLYWHEEL_DATA_DIR: join(file, 'data') });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toBe(`[flywheel] cannot start: data dir ${join(file, 'data')} is not writable (ENOTDIR); set FLYWHEEL_DATA_DIR to a writable folder`);
  });

  it('loses no answered prediction to kill -9: they reach the windows after a restart', { timeout: 120_000 }, async () => {
    const dir = await tempDataDir('start-kill9');
    cleanups.push(dir.remove);
    const first = startProcess({ PORT: '0', FLYWHEEL_DATA_DIR: dir.path, FLYWHEEL_DEMO: '1' });
    cleanups.push(async () => void first.child.kill('SIGKILL'));
    const url = await first.listening();
    const deadline = Date.now() + 60_000;
    while (!first.output().includes('demo ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const key = (await readFile(join(dir.path, 'admin-key'), 'utf8')).trim();
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const record = { tenure_months: 3, monthly_spend: 80, support_calls: 4, usage_hours: 2, plan: 'basic', region: 'north' };
    const from = new Date().toISOString();
    let answered = 0;
    await Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let i = 0; i < 15; i++) {
          const response = await fetch(`${url}/v1/endpoints/demo/predict`, {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ unit: `u-${worker}-${i}`, records: [record] }),
          });
          if (response.status === 200) answered++;
        }
      }),
    );
    // Killed right after the last answer: the sink's 1 s buffer still holds most of them.
    first.child.kill('SIGKILL');
    await first.exited;
    expect(answered).toBe(60);

    const second = startProcess({ PORT: '0', FLYWHEEL_DATA_DIR: dir.path });
    cleanups.push(async () => void second.child.kill('SIGKILL'));
    const again = await second.listening();
    let count = 0;
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const drift = (await (await fetch(`${again}/v1/endpoints/demo/drift?from=${from}`, { headers: auth })).json()) as { window: { count: number } };
      count = drift.window.count;
      if (count >= answered) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(count).toBe(answered);
  });
});
