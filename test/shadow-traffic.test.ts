import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitorHandler } from '@flywheel/deploy';
import { tableLookupModel } from '@flywheel/testing/failing-model';
import { eventually, queueDrained } from '@flywheel/testing/monitor-fixtures';
import { expectProblem, putEndpoint, registered, scaledModel } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

interface ShadowSummary {
  name: string;
  model: string;
  version: number;
  count: number;
  errors: number;
  argmaxAgreement: number | null;
  meanAbsoluteDifference: number | null;
}

interface LogRecord {
  id: string;
  variant: string;
  model: string;
  version: number;
  configVersion: number;
  status: 'ok' | 'error';
  outputs?: { y: number[] };
  shadowOf?: string;
  agreement?: { argmax?: boolean; absDiff?: number };
}

const REQUESTS = 40;
// Two rows of distinct integers 0..9 each, so every row has one argmax; every fourth request
// carries a 12, which the table-lookup model cannot look up.
const rowsOf = (i: number) => [[i % 10, (i + 3) % 10, (i + 7) % 10], i % 4 === 0 ? [12, 1, 5] : [(i + 1) % 10, (i + 5) % 10, (i + 8) % 10]];
const failing = (i: number) => i % 4 === 0;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('shadow traffic over HTTP', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({ consumers: { monitor: (clients, names) => createMonitorHandler(clients, names) } });
    expect(await registered(system, 'scorer', scaledModel(2))).toBe(1);
    expect(await registered(system, 'scorer', scaledModel(3))).toBe(2);
    expect(await registered(system, 'scorer', scaledModel(-1))).toBe(3);
    expect(await registered(system, 'lookup', tableLookupModel())).toBe(1);
  });
  afterAll(() => system?.stop());

  // One request at a time, so shadow runs never reach the concurrency limit and each is logged.
  const predictAll = async () => {
    const responses: { text: string; headers: Record<string, string> }[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const response = await system.api('/v1/endpoints/mirrored/predict', { method: 'POST', json: { id: `req-${i}`, unit: `user-${i}`, inputs: { x: rowsOf(i) } } });
      expect(response.status).toBe(200);
      responses.push({ text: await response.text(), headers: Object.fromEntries(response.headers) });
    }
    return responses;
  };

  it('answers byte for byte as without shadows, logs each shadow run joined to its request by id, and reports agreement', async () => {
    expect((await putEndpoint(system, 'mirrored', { variants: [{ name: 'main', model: 'scorer', version: 1, weight: 100 }] })).status).toBe(201);
    const plain = await predictAll();

    const shadows = [
      { name: 'same-class', model: 'scorer', version: 2, percent: 100 },
      { name: 'flipped', model: 'scorer', version: 3, percent: 100 },
      { name: 'lookup', model: 'lookup', version: 1, percent: 100 },
      { name: 'half', model: 'scorer', version: 2, percent: 50 },
    ];
    expect((await putEndpoint(system, 'mirrored', { variants: [{ name: 'main', model: 'scorer', version: 1, weight: 100 }], shadows })).status).toBe(200);
    const mirrored = await predictAll();
    for (let i = 0; i < REQUESTS; i++) {
      expect(mirrored[i].text).toBe(plain[i].text);
      expect({ ...mirrored[i].headers, date: '', 'flywheel-config-version': '' }).toEqual({ ...plain[i].headers, date: '', 'flywheel-config-version': '' });
      expect(mirrored[i].headers['flywheel-config-version']).toBe('2');
    }

    const rows = REQUESTS * 2;
    const summaries = await eventually(
      async () => (await (await system.api('/v1/endpoints/mirrored/shadows')).json()) as ShadowSummary[],
      (list) => list.length === 4 && list.filter((s) => s.name !== 'half').every((s) => s.count >= (s.name === 'lookup' ? rows - REQUESTS / 4 : rows)),
    );
    const byName = Object.fromEntries(summaries.map((s) => [s.name, s]));
    const inputs = Array.from({ length: REQUESTS }, (_, i) => rowsOf(i)).flat();
    // Per row, the mean |3x − 2x| = mean |x|; averaged over rows.
    const meanAbsX = mean(inputs.map((row) => mean(row.map(Math.abs))));
    expect(byName['same-class']).toMatchObject({ model: 'scorer', version: 2, count: rows, errors: 0, argmaxAgreement: 1 });
    expect(byName['same-class'].meanAbsoluteDifference).toBeCloseTo(meanAbsX, 5);
    // −x has its argmax where x has its argmin: no row agrees; |−x − 2x| = 3|x|.
    expect(byName.flipped).toMatchObject({ model: 'scorer', version: 3, count: rows, errors: 0, argmaxAgreement: 0 });
    expect(byName.flipped.meanAbsoluteDifference).toBeCloseTo(3 * meanAbsX, 5);
    // The lookup fails whole requests (one error record each) and agrees exactly on the rest.
    const failures = Array.from({ length: REQUESTS }, (_, i) => i).filter(failing).length;
    expect(byName.lookup).toMatchObject({
      model: 'lookup',
      version: 1,
      count: (REQUESTS - failures) * 2 + failures,
      errors: failures,
      argmaxAgreement: 1,
      meanAbsoluteDifference: 0,
    });
    // Half of the units, give or take: drawn per unit, so every mirrored request has both rows.
    expect(byName.half.count % 2).toBe(0);
    expect(byName.half.count / 2).toBeGreaterThan(8);
    expect(byName.half.count / 2).toBeLessThan(32);

    await queueDrained(system.clients.sqs, system.names.queues.predictionLogs);
    const records = (await archived(system, 'mirrored')).filter((r) => r.configVersion === 2);
    const byId = new Map<string, LogRecord[]>();
    for (const record of records) byId.set(record.id, [...(byId.get(record.id) ?? []), record]);
    for (let i = 0; i < REQUESTS; i++) {
      for (const row of [0, 1]) {
        const joined = byId.get(`req-${i}/${row}`) ?? [];
        const x = rowsOf(i)[row];
        const primary = joined.filter((r) => r.shadowOf === undefined);
        expect(primary).toHaveLength(1);
        expect(primary[0]).toMatchObject({ variant: 'main', model: 'scorer', version: 1, status: 'ok', outputs: { y: x.map((v) => 2 * v) } });
        const shadow = (name: string) => joined.filter((r) => r.variant === name);
        expect(shadow('same-class')).toEqual([expect.objectContaining({ shadowOf: 'main', model: 'scorer', version: 2, status: 'ok', outputs: { y: x.map((v) => 3 * v) } })]);
        expect(shadow('same-class')[0].agreement).toEqual({ argmax: true, absDiff: expect.closeTo(mean(x.map(Math.abs)), 5) });
        expect(shadow('flipped')[0]).toMatchObject({ shadowOf: 'main', outputs: { y: x.map((v) => 0 - v) }, agreement: { argmax: false } });
        if (failing(i)) {
          // A failed shadow run is one error record, under the request's first row id.
          expect(shadow('lookup')).toEqual(row === 0 ? [expect.objectContaining({ shadowOf: 'main', status: 'error' })] : []);
        } else {
          expect(shadow('lookup')).toEqual([expect.objectContaining({ shadowOf: 'main', status: 'ok', agreement: { argmax: true, absDiff: 0 } })]);
        }
      }
    }

    // Served traffic is counted as before: the variant's windows and /metrics hold no shadow row.
    const drift = await system.api('/v1/endpoints/mirrored/drift');
    const problem = (await drift.json()) as { versions: Array<{ model: string; version: number; records: number }> };
    expect(drift.status).toBe(404);
    expect(problem.versions).toEqual([{ model: 'scorer', version: 1, records: 2 * rows }]);
    const metrics = await (await system.api('/metrics')).text();
    const series = metrics.split('\n').filter((line) => line.startsWith('flywheel_predictions_total{endpoint="mirrored"'));
    expect(series).toEqual([`flywheel_predictions_total{endpoint="mirrored",variant="main",model="scorer",version="1"} ${2 * REQUESTS}`]);
  });

  it('answers bad shadow queries with problems', async () => {
    await expectProblem(await system.api('/v1/endpoints/nobody/shadows'), 404);
    await expectProblem(await system.api('/v1/endpoints/mirrored/shadows?from=yesterday'), 400);
    await expectProblem(await system.api('/v1/endpoints/mirrored/shadows?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'), 400);
    await expectProblem(await system.api('/v1/endpoints/mirrored/shadows', { key: null }), 401);
    const empty = await system.api('/v1/endpoints/mirrored/shadows?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z');
    expect(await empty.json()).toEqual([]);
  });
});

async function archived(system: TestSystem, endpoint: string): Promise<LogRecord[]> {
  const listed = await system.clients.s3.send(new ListObjectsV2Command({ Bucket: system.names.bucket, Prefix: `logs/endpoint=${endpoint}/` }));
  const records: LogRecord[] = [];
  for (const object of listed.Contents ?? []) {
    const body = await system.clients.s3.send(new GetObjectCommand({ Bucket: system.names.bucket, Key: object.Key }));
    const text = gunzipSync(await body.Body!.transformToByteArray()).toString('utf8');
    records.push(
      ...text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as LogRecord),
    );
  }
  return records;
}
