import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '@flywheel/api';
import { createAwsClients } from '@flywheel/aws';
import { createServingDependencies } from '@flywheel/deploy';
import { provisionStack, startEmbeddedAws } from '@flywheel/local';
import { demoTraffic } from '@flywheel/train';
import { startProcess } from '@flywheel/testing/start-process';
import { tempDataDir } from '@flywheel/testing/temp-dir';

const ROWS = 100_000;

interface JobView {
  status: string;
  rows: { total: number | null; done: number; failed: number };
  chunks: { total: number | null; done: number };
}

interface OutputRow {
  row: number;
  id?: string;
  outputs?: Record<string, unknown>;
  error?: string;
}

/**
 * One request on its own connection. The server, busy counting the job's logged rows on a loaded
 * machine, can stall its event loop past its keep-alive timeout and then close an idle socket
 * just as the next request is written to it; a fresh connection per request has no idle socket.
 */
function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<{ status: number; text: string; headers: string }> {
  return new Promise((resolve, reject) => {
    const headers = { ...init.headers, ...(init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) }) };
    const request = httpRequest(url, { method: init.method ?? 'GET', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      const headers = Object.entries(response.headers)
        .map(([name, value]) => `${name}: ${String(value)}`)
        .join('\n');
      response.on('end', () => resolve({ status: response.statusCode!, text: Buffer.concat(chunks).toString('utf8'), headers }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(init.body);
  });
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a batch job through npm start', () => {
  it('scores 100,000 NDJSON rows as the online route does, and survives kill -9 mid-job with every row exactly once', { timeout: 240_000 }, async () => {
    const dir = await tempDataDir('batch-start');
    cleanups.push(dir.remove);
    const first = startProcess({ PORT: '0', FLYWHEEL_DATA_DIR: dir.path, FLYWHEEL_DEMO: '1' });
    cleanups.push(async () => void first.child.kill('SIGKILL'));
    const url = await first.listening();
    const seeded = Date.now() + 60_000;
    while (!first.output().includes('demo ready') && Date.now() < seeded) await new Promise((r) => setTimeout(r, 100));
    expect(first.output()).toContain('demo ready');
    const key = (await readFile(join(dir.path, 'admin-key'), 'utf8')).trim();
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

    // A tenth of the rows logged (a chunk is logged whole or not at all): the monitor, counting them
    // in the same process, then takes a small share of the machine.
    const endpoint = await call(`${url}/v1/endpoints/demo`, { headers: auth });
    const { config } = JSON.parse(endpoint.text) as { config: Record<string, unknown> };
    const etag = /etag: ?([^\r\n]+)/i.exec(endpoint.headers)![1];
    const logged = await call(`${url}/v1/endpoints/demo`, {
      method: 'PUT',
      headers: { ...auth, 'if-match': etag },
      body: JSON.stringify({ ...config, logging: { percent: 10, redact: [] } }),
    });
    expect(logged.status, logged.text).toBe(200);

    // Drifted traffic, so the rows are not the ones the demo was trained on, each with an id. 12.6
    // MiB: past the 11 MiB a single PUT to the local S3 takes, so it goes up in parts.
    const examples = demoTraffic('after', { seed: 11, rows: ROWS, idPrefix: 'batch' }).examples;
    const records: Record<string, unknown>[] = examples.map((example) => ({ ...example.features }));
    const input = Buffer.from(examples.map((example, i) => JSON.stringify({ id: example.key, ...records[i] })).join('\n'));
    expect(input.length).toBeGreaterThan(11 * 1024 * 1024);
    const upload = JSON.parse((await call(`${url}/v1/batch-uploads`, { method: 'POST', headers: auth, body: JSON.stringify({ sizeBytes: input.length }) })).text) as {
      key: string;
      uploadId: string;
      partBytes: number;
      parts: Array<{ partNumber: number; uploadUrl: string }>;
    };
    expect(upload.parts).toHaveLength(Math.ceil(input.length / upload.partBytes));
    const parts = [];
    for (const { partNumber, uploadUrl } of upload.parts) {
      const put = await call(uploadUrl, { method: 'PUT', body: input.subarray((partNumber - 1) * upload.partBytes, partNumber * upload.partBytes) });
      expect(put.status, put.text).toBe(200);
      parts.push({ partNumber, etag: /etag: ?([^\r\n]+)/i.exec(put.headers)![1] });
    }
    const submitted = await call(`${url}/v1/endpoints/demo/batch`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ input: { key: upload.key, uploadId: upload.uploadId, parts }, idField: 'id' }),
    });
    expect(submitted.status, submitted.text).toBe(202);
    const { jobId } = JSON.parse(submitted.text) as { jobId: string };
    const jobOf = async (base: string) => JSON.parse((await call(`${base}/v1/batch-jobs/${jobId}`, { headers: auth })).text) as JobView;

    // Killed once part of the job has landed and most of it has not.
    let atKill: JobView;
    for (;;) {
      atKill = await jobOf(url);
      if (atKill.rows.done >= ROWS / 10 || (atKill.status !== 'running' && atKill.status !== 'queued')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    expect(atKill.status).toBe('running');
    expect(atKill.rows.done).toBeLessThan(ROWS / 2);

    const second = startProcess({ PORT: '0', FLYWHEEL_DATA_DIR: dir.path });
    cleanups.push(async () => void second.child.kill('SIGKILL'));
    const again = await second.listening();
    let job = await jobOf(again);
    const deadline = Date.now() + 120_000;
    while (job.status === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      job = await jobOf(again);
    }
    expect(job).toMatchObject({ status: 'succeeded', rows: { total: ROWS, done: ROWS, failed: 0 }, chunks: { total: 100, done: 100 } });

    const { text } = await call(`${again}/v1/batch-jobs/${jobId}/output`, { headers: auth });
    const output = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as OutputRow);
    expect(output).toHaveLength(ROWS);
    expect(output.map((row) => row.row)).toEqual([...Array(ROWS).keys()]);
    expect(output.map((row) => row.id)).toEqual(examples.map((example) => example.key));

    // A sample through the online route, one row per request: each answer equals its output row.
    for (let i = 0; i < ROWS; i += 997) {
      const answer = await call(`${again}/v1/endpoints/demo/predict`, { method: 'POST', headers: auth, body: JSON.stringify({ records: [records[i]] }) });
      expect(answer.status, answer.text).toBe(200);
      const online = (JSON.parse(answer.text) as { outputs: Record<string, unknown[]> }).outputs;
      expect(output[i].outputs, `row ${i}`).toEqual(Object.fromEntries(Object.entries(online).map(([name, values]) => [name, values[0]])));
    }
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    // Every row through the serving path in this process, against the same stored model.
    const aws = await startEmbeddedAws({ dataDir: dir.path });
    cleanups.push(() => aws.stop());
    const clients = createAwsClients({ endpoints: aws.endpoints });
    const names = await provisionStack(clients);
    const app = createApp(createServingDependencies(clients, { registryTable: names.tables.registry, bucket: names.bucket }));
    for (let start = 0; start < ROWS; start += 10_000) {
      const slice = records.slice(start, start + 10_000);
      const response = await app.request('/v1/endpoints/demo/predict', { method: 'POST', headers: auth, body: JSON.stringify({ records: slice }) });
      expect(response.status).toBe(200);
      const outputs = ((await response.json()) as { outputs: Record<string, unknown[]> }).outputs;
      slice.forEach((_, i) => {
        const expected = Object.fromEntries(Object.entries(outputs).map(([name, values]) => [name, values[i]]));
        if (JSON.stringify(output[start + i].outputs) !== JSON.stringify(expected)) expect(output[start + i].outputs, `row ${start + i}`).toEqual(expected);
      });
    }
  });
});
