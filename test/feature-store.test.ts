import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, decodeFeatureRows, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { createFeatureStore } from '@flywheel/deploy';
import { DuckDbFeatureEngine } from '@flywheel/aws/duckdb';
import { EVENT_TIME_SKEW_MS, nextFeatureViewRecord, type FeatureStore, type FeatureViewDefinition, type FeatureViewRecord } from '@flywheel/core';
import { provisionStack, startEmbeddedAws, type EmbeddedAws } from '@flywheel/local';
import { tempDataDir } from '@flywheel/testing/temp-dir';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');

async function createView(store: FeatureStore, name: string, definition: FeatureViewDefinition): Promise<FeatureViewRecord> {
  const next = nextFeatureViewRecord(name, undefined, definition, new Date().toISOString());
  if (!('record' in next)) throw new Error('invalid view');
  expect(await store.ports.views.append(next.record)).toBe(true);
  return next.record;
}

/** A deterministic stream of numbers in [0, 1). */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('feature store on the embedded stack (DynamoDB online, Parquet in S3, DuckDB joins)', () => {
  let aws: EmbeddedAws;
  let clients: AwsClients;
  let names: ResourceNames;
  let engine: DuckDbFeatureEngine;
  let store: FeatureStore;
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;

  beforeAll(async () => {
    dataDir = await tempDataDir('feature-store');
    aws = await startEmbeddedAws({ dataDir: dataDir.path });
    clients = createAwsClients({ endpoints: aws.endpoints });
    names = await provisionStack(clients, { prefix: 'fs' });
    engine = new DuckDbFeatureEngine(clients.s3, names.bucket);
    store = createFeatureStore(clients, names, engine);
  });
  afterAll(async () => {
    await engine?.close();
    await aws?.stop();
    await dataDir?.remove();
  });

  it('keeps the newest row per entity online whatever order rows arrive in, and refuses bad rows while keeping the good ones', async () => {
    const view = await createView(store, 'customers', {
      entity: 'customer_id',
      features: [
        { name: 'spend', kind: 'numerical' },
        { name: 'tier', kind: 'categorical' },
      ],
      ttlSeconds: 86_400,
    });
    const at = (h: number) => new Date(T0 + h * HOUR).toISOString();
    const result = await store.ingest(
      view,
      [
        { customer_id: 'c1', event_time: at(5), spend: 50, tier: 'gold' },
        { customer_id: 'c1', event_time: at(9), spend: 90, tier: 'gold' },
        { customer_id: 'c2', event_time: at(1), spend: 'lots' },
        { customer_id: 'c2', event_time: 'yesterday', spend: 3 },
        { event_time: at(1), spend: 3, colour: 'red' },
      ],
      T0 + 10 * HOUR,
    );
    expect(result.accepted).toBe(2);
    expect(result.rejected).toEqual([
      { index: 2, errors: ['spend: must be a finite number, got "lots"'] },
      { index: 3, errors: [expect.stringContaining('event_time')] },
      { index: 4, errors: [expect.stringContaining('customer_id'), 'colour: the view has no such feature'] },
    ]);
    // An older row arriving late does not replace the newer one.
    await store.ingest(view, [{ customer_id: 'c1', event_time: at(7), spend: 70, tier: 'silver' }], T0 + 11 * HOUR);
    const online = await store.online(view, ['c1', 'c2'], T0 + 12 * HOUR);
    expect(online.get('c1')).toEqual({ values: { spend: 90, tier: 'gold' }, eventTimeMs: T0 + 9 * HOUR });
    expect(online.get('c2')).toEqual({ values: { spend: null, tier: null }, eventTimeMs: null });
    // Past the ttl the row no longer answers.
    expect((await store.online(view, ['c1'], T0 + 9 * HOUR + 86_401_000)).get('c1')?.values).toEqual({ spend: null, tier: null });

    const historical = await store.historical(view, [
      { entityId: 'c1', eventTimeMs: T0 + 6 * HOUR },
      { entityId: 'c1', eventTimeMs: T0 + 8 * HOUR },
      { entityId: 'c1', eventTimeMs: T0 + 4 * HOUR },
    ]);
    expect(historical.map((row) => row.values.spend)).toEqual([50, 70, null]);
  });

  it('writes Parquet in JavaScript that DuckDB reads column for column, and that the JavaScript reader reads back', async () => {
    const view = await createView(store, 'written', {
      entity: 'id',
      features: [
        { name: 'label', kind: 'categorical' },
        { name: 'x', kind: 'numerical' },
      ],
    });
    const sent = [
      { id: "o'brien", event_time: '2026-03-01T10:00:00.123Z', label: 'naïve "quoted" ✓', x: -1.5e-7 },
      { id: 'a', event_time: '2026-03-01T09:00:00Z', label: null, x: 0.1 },
      { id: 'a', event_time: '2026-03-01T08:00:00Z', label: 42, x: 7 },
    ];
    expect((await store.ingest(view, sent, T0 + 24 * HOUR)).accepted).toBe(3);
    const [key] = ((await clients.s3.send(new ListObjectsV2Command({ Bucket: names.bucket, Prefix: 'features/view=written/' }))).Contents ?? []).map((o) => o.Key!);
    const bytes = await (await clients.s3.send(new GetObjectCommand({ Bucket: names.bucket, Key: key }))).Body!.transformToByteArray();
    const dir = await mkdtemp(join(tmpdir(), 'feature-parquet-'));
    const duckdb = await DuckDBInstance.create(':memory:');
    try {
      await writeFile(join(dir, 'rows.parquet'), bytes);
      const connection = await duckdb.connect();
      const read = await connection.runAndReadAll(
        `SELECT entity_id, event_time_ms, ingested_at_ms, feature_values, typeof(event_time_ms) FROM read_parquet('${join(dir, 'rows.parquet')}')`,
      );
      const expected = [
        ['a', BigInt(Date.parse(sent[2].event_time)), BigInt(T0 + 24 * HOUR), JSON.stringify({ label: 42, x: 7 }), 'BIGINT'],
        ['a', BigInt(Date.parse(sent[1].event_time)), BigInt(T0 + 24 * HOUR), JSON.stringify({ label: null, x: 0.1 }), 'BIGINT'],
        ["o'brien", BigInt(Date.parse(sent[0].event_time)), BigInt(T0 + 24 * HOUR), JSON.stringify({ label: sent[0].label, x: sent[0].x }), 'BIGINT'],
      ];
      expect(read.getRows()).toEqual(expected);
      connection.closeSync();
      expect(await decodeFeatureRows(bytes)).toEqual(
        expected.map(([entity_id, event, ingested, feature_values]) => ({ entity_id, event_time_ms: Number(event), ingested_at_ms: Number(ingested), feature_values })),
      );
    } finally {
      duckdb.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a row stamped beyond the clock-skew allowance, and serves online one a little ahead of the clock', async () => {
    const view = await createView(store, 'skewed', { entity: 'id', features: [{ name: 'x', kind: 'numerical' }], ttlSeconds: 3600 });
    const now = Date.now();
    const result = await store.ingest(
      view,
      [
        { id: 'ahead', event_time: new Date(now + 60_000).toISOString(), x: 1 },
        { id: 'future', event_time: new Date(now + EVENT_TIME_SKEW_MS + 60_000).toISOString(), x: 2 },
      ],
      now,
    );
    expect(result.accepted).toBe(1);
    expect(result.rejected).toEqual([{ index: 1, errors: [expect.stringContaining('is in the future')] }]);
    const online = await store.online(view, ['ahead', 'future'], Date.now());
    expect(online.get('ahead')).toEqual({ values: { x: 1 }, eventTimeMs: now + 60_000 });
    expect(online.get('future')?.eventTimeMs).toBeNull();
    // Point-in-time, the row answers only from its own time on.
    const answers = await store.historical(view, [
      { entityId: 'ahead', eventTimeMs: now },
      { entityId: 'ahead', eventTimeMs: now + 60_000 },
    ]);
    expect(answers.map((a) => a.values.x)).toEqual([null, 1]);
  });

  it("keeps numbers at the edges of the online store's range in both stores, and refuses one beyond it before anything is written", async () => {
    const view = await createView(store, 'ranges', {
      entity: 'id',
      features: [
        { name: 'x', kind: 'numerical' },
        { name: 'c', kind: 'categorical' },
      ],
    });
    const event_time = new Date(T0).toISOString();
    const result = await store.ingest(
      view,
      [
        { id: 'edges', event_time, x: -9.99e125, c: 1e-130 },
        { id: 'huge', event_time, x: -1.5e300 },
        { id: 'tiny', event_time, c: 5e-324 },
      ],
      T0 + 1,
    );
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((row) => row.index)).toEqual([1, 2]);
    const online = await store.online(view, ['edges', 'huge', 'tiny'], T0 + HOUR);
    expect(online.get('edges')?.values).toEqual({ x: -9.99e125, c: 1e-130 });
    expect(online.get('huge')?.eventTimeMs).toBeNull();
    const answers = await store.historical(
      view,
      ['edges', 'huge', 'tiny'].map((entityId) => ({ entityId, eventTimeMs: T0 + HOUR })),
    );
    expect(answers.map((answer) => answer.values)).toEqual([
      { x: -9.99e125, c: 1e-130 },
      { x: null, c: null },
      { x: null, c: null },
    ]);
  });

  it('counts a row sent twice at the same event time once, the later send winning', async () => {
    const view = await createView(store, 'resent', { entity: 'id', features: [{ name: 'x', kind: 'numerical' }] });
    const event_time = new Date(T0).toISOString();
    await store.ingest(view, [{ id: 'a', event_time, x: 1 }], T0 + 1);
    await store.ingest(view, [{ id: 'a', event_time, x: 1 }], T0 + 2);
    await store.ingest(view, [{ id: 'a', event_time, x: 2 }], T0 + 3);
    expect((await store.historical(view, [{ entityId: 'a', eventTimeMs: T0 + HOUR }]))[0]).toEqual({ values: { x: 2 }, eventTimeMs: T0 });
    expect((await store.online(view, ['a'], T0 + HOUR)).get('a')?.values).toEqual({ x: 2 });
  });

  it('joins 100k rows point-in-time exactly as an independent as-of join does, never from the future', async () => {
    const ttlSeconds = 30 * 3600;
    const view = await createView(store, 'accounts', { entity: 'account', features: [{ name: 'balance', kind: 'numerical' }], ttlSeconds });
    const next = random(15);
    const entities = 2000;
    const spanMs = 20 * 24 * HOUR;
    const rows = Array.from({ length: 60_000 }, () => ({
      account: `a${Math.floor(next() * entities)}`,
      event_time: new Date(T0 + Math.floor((next() * spanMs) / 1000) * 1000).toISOString(),
      balance: Math.round(next() * 1e6) / 100,
    }));
    // In three requests, so the same (entity, time) may arrive again in a later one with another value.
    const resent = rows.slice(0, 3000).map((row) => ({ ...row, balance: row.balance + 1 }));
    for (const [i, batch] of [rows.slice(0, 30_000), rows.slice(30_000), resent].entries()) {
      const { accepted } = await store.ingest(view, batch, T0 + spanMs + i);
      expect(accepted).toBe(batch.length);
    }

    // The independent answer: per entity, its rows by time (the last ingest of a time winning), then a binary search.
    const history = new Map<string, Map<number, number>>();
    for (const row of [...rows, ...resent]) {
      const times = history.get(row.account) ?? new Map<number, number>();
      times.set(Date.parse(row.event_time), row.balance);
      history.set(row.account, times);
    }
    const sorted = new Map([...history].map(([account, times]) => [account, [...times].sort((a, b) => a[0] - b[0])]));
    const expectedAt = (account: string, at: number) => {
      const series = sorted.get(account) ?? [];
      let lo = 0;
      let hi = series.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (series[mid][0] <= at) lo = mid + 1;
        else hi = mid;
      }
      const found = series[lo - 1];
      return found && at - found[0] <= ttlSeconds * 1000 ? { balance: found[1], time: found[0] } : { balance: null, time: null };
    };

    const spine = Array.from({ length: 100_000 }, () => ({
      entityId: `a${Math.floor(next() * (entities + 50))}`,
      eventTimeMs: T0 - 2 * HOUR + Math.floor(next() * (spanMs + 4 * HOUR)),
    }));
    // Some spine rows exactly at a row's time: that row answers (≤), the next one does not.
    for (let i = 0; i < 1000; i++) spine[i] = { entityId: rows[i].account, eventTimeMs: Date.parse(rows[i].event_time) };
    const answers = await store.historical(view, spine);
    expect(answers).toHaveLength(spine.length);
    let matched = 0;
    answers.forEach((answer, i) => {
      const expected = expectedAt(spine[i].entityId, spine[i].eventTimeMs);
      if (answer.eventTimeMs !== null) expect(answer.eventTimeMs).toBeLessThanOrEqual(spine[i].eventTimeMs);
      if (answer.values.balance !== expected.balance || answer.eventTimeMs !== expected.time) {
        expect({ row: i, ...answer }).toEqual({ row: i, values: { balance: expected.balance }, eventTimeMs: expected.time });
      }
      if (expected.time !== null) matched++;
    });
    // The data is such that both outcomes are common: most rows find a value, many (ttl, unknown entities) do not.
    expect(matched).toBeGreaterThan(50_000);
    expect(spine.length - matched).toBeGreaterThan(5_000);
  }, 120_000);

  it('erases an entity: its online item is gone and the Parquet files are rewritten without its rows', async () => {
    const view = await createView(store, 'erasable', { entity: 'user', features: [{ name: 'score', kind: 'numerical' }] });
    const day = (d: number) => new Date(T0 + d * 24 * HOUR).toISOString();
    await store.ingest(
      view,
      [
        { user: 'u1', event_time: day(0), score: 1 },
        { user: 'u2', event_time: day(0), score: 2 },
        { user: 'u1', event_time: day(1), score: 3 },
      ],
      T0 + 48 * HOUR,
    );
    const keys = async () =>
      ((await clients.s3.send(new ListObjectsV2Command({ Bucket: names.bucket, Prefix: 'features/view=erasable/' }))).Contents ?? []).map((o) => o.Key!).sort();
    expect((await keys()).map((key) => key.split('/')[2])).toEqual(['date=2026-03-01', 'date=2026-03-02']);

    await store.eraseEntity('erasable', 'u1');

    expect((await store.online(view, ['u1', 'u2'], T0 + 48 * HOUR)).get('u1')?.eventTimeMs).toBeNull();
    expect((await store.online(view, ['u2'], T0 + 48 * HOUR)).get('u2')?.values).toEqual({ score: 2 });
    const later = T0 + 47 * HOUR;
    const answers = await store.historical(view, [
      { entityId: 'u1', eventTimeMs: later },
      { entityId: 'u2', eventTimeMs: later },
    ]);
    expect(answers.map((a) => a.values.score)).toEqual([null, 2]);
    // Day 2 held only u1's row, so its file is gone; day 1's was rewritten with u2's row alone.
    expect((await keys()).map((key) => key.split('/')[2])).toEqual(['date=2026-03-01']);
  });
});
