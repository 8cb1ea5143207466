import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '@flywheel/local';
import { localConsumers } from '../packages/local/src/consumers.ts';
import { raiseDemoAlert } from '@flywheel/testing/demo-alert';
import { registered, scaledModel } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { tempDataDir } from '@flywheel/testing/temp-dir';

const BIN = join(import.meta.dirname, '../packages/cli/bin/flywheel.js');

/** A loopback port nothing listens on: one the OS just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Every step is a separate Node process; on a loaded 2-core machine each takes seconds.
describe('the flywheel CLI, as a process against the local system', { timeout: 120_000 }, () => {
  let system: TestSystem;
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let workDir: Awaited<ReturnType<typeof tempDataDir>>;

  /** `flywheel …args` with the system's URL; the key comes from the data dir, as after `npm start`. */
  function flywheel(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Ran> {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: workDir.path,
      env: { PATH: process.env.PATH, FLYWHEEL_URL: system.url, FLYWHEEL_DATA_DIR: dataDir.path, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdin.end(options.stdin ?? '');
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  }
  const json = async (args: string[]) => {
    const ran = await flywheel(['--json', ...args]);
    expect(ran.code, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout);
  };

  beforeAll(async () => {
    [dataDir, workDir] = await Promise.all([tempDataDir('cli-data'), tempDataDir('cli-cwd')]);
    system = await startTestSystem({ dataDir: dataDir.path, consumers: localConsumers });
    await seedDemo({ url: system.url, key: system.adminKey });
  });
  afterAll(async () => {
    await system?.stop();
    await Promise.all([dataDir?.remove(), workDir?.remove()]);
  });

  it('lists the demo endpoint as a table for people and as JSON for scripts, with the admin key from the data dir', async () => {
    const table = await flywheel(['endpoints', 'list']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/│ demo\s+│ 1\s+│ control demo@1 100%/);
    const listed = await json(['endpoints', 'list']);
    expect(listed.endpoints.map((e: { endpoint: string }) => e.endpoint)).toEqual(['demo']);
    expect((await json(['models', 'list'])).models).toMatchObject([{ model: 'demo', latestVersion: 1 }]);
  });

  it('answers NDJSON rows from stdin in order, one line each, and names the line that failed', async () => {
    const rows = [
      { tenure_months: 3, monthly_spend: 80, support_calls: 4, usage_hours: 2, plan: 'basic', region: 'north' },
      { tenure_months: 40, monthly_spend: 20, support_calls: 0, usage_hours: 30, plan: 'pro', region: 'south' },
    ];
    const input = [JSON.stringify(rows[0]), JSON.stringify({ records: [rows[1]], unit: 'user-7' }), '{"plan":"gold"}', 'not json'].join('\n');
    const ran = await flywheel(['predict', 'demo', '--file', '-'], { stdin: `${input}\n` });
    expect(ran.code).toBe(1);
    const lines = ran.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ endpoint: 'demo', variant: 'control', version: 1, outputs: { label: [expect.any(Number)] } });
    expect(lines[1].outputs.probabilities[0]).toHaveLength(2);
    expect(lines[2]).toMatchObject({ line: 3, error: { status: 400 } });
    expect(lines[3]).toMatchObject({ line: 4, error: { detail: 'not valid JSON' } });
    expect(ran.stderr).toMatch(/^line 3: 400 /m);
    expect(ran.stderr).toContain('flywheel: 2 of the lines failed');
  });

  it('registers a model from a file with features, and recognises the same bytes', async () => {
    const model = join(workDir.path, 'scaled.onnx');
    const features = join(workDir.path, 'features.json');
    await writeFile(model, scaledModel(2));
    await writeFile(features, JSON.stringify(['a', 'b', 'c'].map((name, index) => ({ name, kind: 'numerical', input: 'x', index }))));
    const first = await flywheel(['models', 'register', 'scaled', model, '--features', features]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/version\s+│ 1\s/);
    const again = await json(['models', 'register', 'scaled', model]);
    expect(again).toMatchObject({ model: 'scaled', version: 1, features: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
    expect((await flywheel(['models', 'register', 'scaled', model])).stdout).toContain('already registered');
    const shown = await flywheel(['models', 'show', 'scaled']);
    expect(shown.stdout).toMatch(/x FP32\[-1,3\]\s+│ a, b, c/);
  });

  it('moves a version through stages and tags it; production waits for another key', async () => {
    const version = String(await registered(system, 'staged', scaledModel(3)));
    const staged = await flywheel(['models', 'stage', 'staged', version, 'staging', '--reason', 'offline evaluation']);
    expect(staged.code, staged.stderr).toBe(0);
    expect(staged.stdout).toMatch(/stage\s+│ staging/);
    expect(await json(['models', 'stage', 'staged', version, 'production', '--reason', 'better'])).toMatchObject({ stage: 'staging', pendingStage: { stage: 'production' } });
    const self = await flywheel(['models', 'approve', 'staged', version, '--reason', 'my own']);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('another key must approve it');
    expect((await json(['models', 'tag', 'staged', version, 'team=risk', 'tier=1', '--reason', 'handed over'])).tags).toEqual({ team: 'risk', tier: '1' });
    expect((await json(['models', 'tag', 'staged', version, '--remove', 'tier'])).tags).toEqual({ team: 'risk' });
    expect((await flywheel(['models', 'stage', 'staged', version, 'gold', '--reason', 'x'])).code).toBe(1);
    expect((await flywheel(['models', 'tag', 'staged', version, 'no-equals'])).code).toBe(2);
  });

  it('deploys, ramps a canary, rolls back and promotes, each as a new config version', async () => {
    const dir = workDir.path;
    await writeFile(join(dir, 'v1.onnx'), scaledModel(5));
    await writeFile(join(dir, 'v2.onnx'), scaledModel(6));
    const v1 = (await json(['models', 'register', 'blue', join(dir, 'v1.onnx')])).version;
    const v2 = (await json(['models', 'register', 'blue', join(dir, 'v2.onnx')])).version;
    const split = (view: { config: { variants: Array<{ name: string; version: number; weight: number }> } }) =>
      view.config.variants.map((v) => `${v.name}:${v.version}:${v.weight}`);

    expect(split(await json(['endpoints', 'deploy', 'blue', `blue@${v1}`]))).toEqual([`main:${v1}:100`]);
    const canary = await flywheel(['endpoints', 'canary', 'blue', `blue@${v2}`, '--percent', '10']);
    expect(canary.stdout.trim()).toBe(`blue: config version 2, main blue@${v1} 90%, canary blue@${v2} 10%`);
    expect(split(await json(['endpoints', 'canary', 'blue', `blue@${v2}`, '--percent', '30']))).toEqual([`main:${v1}:70`, `canary:${v2}:30`]);

    const rolledBack = await json(['endpoints', 'rollback', 'blue']);
    expect(rolledBack).toMatchObject({ configVersion: 4, change: { kind: 'rollback', restoredFrom: 2 } });
    expect(split(rolledBack)).toEqual([`main:${v1}:90`, `canary:${v2}:10`]);

    expect(split(await json(['endpoints', 'promote', 'blue']))).toEqual([`main:${v2}:100`]);
    const toFirst = await json(['endpoints', 'rollback', 'blue', '--to', '1']);
    expect(split(toFirst)).toEqual([`main:${v1}:100`]);
    const history = await flywheel(['endpoints', 'history', 'blue']);
    expect(history.stdout).toMatch(/│ 6\s+│ rollback of 1/);

    // What the API served follows the split: the promoted model answered before the last rollback.
    const served = await flywheel(['predict', 'blue'], { stdin: '{"inputs":{"x":[[1,1,1]]}}\n' });
    expect(JSON.parse(served.stdout)).toMatchObject({ version: v1, outputs: { y: [[5, 5, 5]] } });
  });

  it('says in one line why it cannot do what was asked, with exit code 2 for usage and 1 for refusals', async () => {
    const noPercent = await flywheel(['endpoints', 'canary', 'demo', 'demo@1']);
    expect(noPercent.code).toBe(2);
    expect(noPercent.stderr).toContain("required option '--percent <n>' not specified");
    const badTarget = await flywheel(['endpoints', 'canary', 'demo', 'demo', '--percent', '10']);
    expect(badTarget).toMatchObject({ code: 2, stderr: 'flywheel: name a model as <model>@<version> or <model>@<alias>, got "demo"\n' });
    const missing = await flywheel(['endpoints', 'show', 'nope']);
    expect(missing).toMatchObject({ code: 1, stderr: 'flywheel: 404 No endpoint nope.\n' });
    const unknownVersion = await flywheel(['endpoints', 'canary', 'demo', 'demo@9', '--percent', '10']);
    expect(unknownVersion.code).toBe(1);
    expect(unknownVersion.stderr).toContain('variants/1/version: model demo has no version 9');
    expect((await json(['endpoints', 'show', 'demo'])).configVersion).toBe(1);
    const closed = await closedPort();
    const unreachable = await flywheel(['endpoints', 'list'], { env: { FLYWHEEL_URL: `http://127.0.0.1:${closed}` } });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(new RegExp(`^flywheel: cannot reach http://127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED\\)`));
    const noKey = await flywheel(['endpoints', 'list'], { env: { FLYWHEEL_DATA_DIR: join(workDir.path, 'empty') } });
    expect(noKey.stderr).toContain('flywheel: no API key: set FLYWHEEL_API_KEY');
    const help = await flywheel(['endpoints', 'canary', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--percent <n>');
  });

  it('creates a limited key, which then sees what it may and is refused the rest, and revokes it', async () => {
    const created = await json(['keys', 'create', 'reader', '--scopes', 'read']);
    expect(created).toMatchObject({ name: 'reader', scopes: ['read'], key: expect.any(String) });
    const env = { FLYWHEEL_API_KEY: created.key };
    expect((await flywheel(['endpoints', 'list'], { env })).code).toBe(0);
    const refused = await flywheel(['endpoints', 'deploy', 'demo', 'demo@1'], { env });
    expect(refused).toMatchObject({ code: 1, stderr: 'flywheel: 403 This API key lacks the `deploy` scope.\n' });
    expect((await json(['keys', 'list'])).keys.map((k: { name: string }) => k.name)).toContain('reader');
    expect(await json(['keys', 'revoke', created.id])).toMatchObject({ id: created.id, revokedAt: expect.any(String) });
  });

  it('shows drift and alerts, and acknowledges and resolves an alert', async () => {
    const [alert] = await raiseDemoAlert(system);
    const drift = await flywheel(['drift', 'demo', '--since', '7d']);
    expect(drift.code, drift.stderr).toBe(0);
    expect(drift.stdout).toMatch(/DRIFTED/);
    expect(drift.stdout).toMatch(/│ monthly_spend\s+│ numerical\s+│ [\w+-]+\s+│ [\d.e-]+\s+│/);
    expect((await flywheel(['drift', 'demo', '--since', 'yesterday'])).stderr).toContain('--since takes a duration such as 30m, 1h or 7d');

    const open = await flywheel(['alerts', '--open']);
    expect(open.stdout).toContain(alert.id);
    expect(await json(['alerts', 'acknowledge', alert.id])).toMatchObject({ id: alert.id, status: 'acknowledged' });
    expect((await json(['alerts', '--status', 'acknowledged'])).alerts.map((a: { id: string }) => a.id)).toEqual([alert.id]);
    expect((await flywheel(['alerts', 'resolve', alert.id])).stdout.trim()).toBe(`alert ${alert.id} is resolved`);
    expect((await flywheel(['alerts', 'acknowledge', alert.id])).stderr).toMatch(/^flywheel: 409 /);
  });

  it('lists retraining runs and watches one until it has finished', async () => {
    const started = await system.api('/v1/models/demo/retrain', { method: 'POST', json: { reason: 'cli test' } });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    expect((await flywheel(['runs'])).stdout).toContain(runId);
    // The train consumer runs it in this process; --watch returns once it has finished, either way.
    const watched = await json(['runs', 'demo', '--watch', '--interval', '1s']);
    const run = watched.runs.find((r: { runId: string }) => r.runId === runId);
    expect(run).toMatchObject({ trigger: { kind: 'manual', reason: 'cli test' }, status: expect.stringMatching(/^(succeeded|failed)$/) });
    expect(run.finishedAt).toEqual(expect.any(String));
  });
  it('submits a batch job from a file, waits for it and writes its output; status and wait name the job', async () => {
    const rows = [
      { key: 'a', tenure_months: 3, monthly_spend: 80, support_calls: 4, usage_hours: 2, plan: 'basic', region: 'north' },
      { key: 'b', plan: 'gold' },
      { key: 'c', tenure_months: 40, monthly_spend: 20, support_calls: 0, usage_hours: 30, plan: 'pro', region: 'south' },
    ];
    await writeFile(join(workDir.path, 'rows.ndjson'), rows.map((row) => JSON.stringify(row)).join('\n'));
    const submitted = await flywheel(['batch', 'submit', 'demo', 'rows.ndjson', '--id-field', 'key', '--wait', '--output', 'scored.ndjson']);
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(submitted.stdout).toMatch(/status\s+│ succeeded/);
    expect(submitted.stdout).toMatch(/3\/3 done, 1 failed/);
    const scored = (await readFile(join(workDir.path, 'scored.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(scored.map((row: { id: string }) => row.id)).toEqual(['a', 'b', 'c']);
    expect(scored[1].error).toMatch(/missing feature/);
    expect(scored[0].outputs.label).toEqual(expect.any(Number));
    const jobId = /job\s+│ (bj-[0-9a-f]+)/.exec(submitted.stdout)![1];
    expect(await json(['batch', 'status', jobId])).toMatchObject({ jobId, status: 'succeeded', rows: { total: 3, done: 3, failed: 1 } });
    const waited = await flywheel(['batch', 'wait', jobId, '--output', '-']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout.trim().split('\n')).toHaveLength(3);
    expect((await flywheel(['batch', 'status', 'bj-00000000000000000000000000000000'])).stderr).toMatch(/^flywheel: 404 /);
    const listed = await flywheel(['batch', 'list', '--endpoint', 'demo', '--status', 'succeeded']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${jobId}\\s+│ demo\\s+│ demo@\\d+\\s+│ succeeded\\s+│ 3/3\\s+│ 1`));
    expect((await json(['batch', 'list', '--status', 'failed', '--endpoint', 'demo'])).jobs).toEqual([]);
  });
});
