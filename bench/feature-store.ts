// The feature store's three paths, against the emulated AWS services in a process of their own
// (as they are remote in AWS): ingest rows/s (validation, Parquet in JavaScript into S3, the online
// store's conditional puts), the latency an online lookup adds to a prediction (the same records
// request with the features sent by hand vs. by entity key, alternating rounds), and historical
// point-in-time join rows/s (S3 objects fetched to a temp dir, DuckDB over them; Athena's own speed
// cannot be measured here).
// Run: npx tsx bench/feature-store.ts   (ROWS=100000 ENTITIES=10000 ROUNDS=5 ITERATIONS=500)
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createAwsClients, encodeFeatureRows, resourceNamesFromEnv } from '@flywheel/aws';
import { createApiDependencies, createFeatureStore } from '@flywheel/deploy';
import { DuckDbFeatureEngine } from '@flywheel/aws/duckdb';
import { nextFeatureViewRecord } from '@flywheel/core';
import { createApp } from '@flywheel/api';
import { servePredict } from '../packages/api/src/routes/predict.ts';
import { Serving } from '../packages/api/src/serving/serving.ts';
import { mlpFixture } from '@flywheel/testing/test-models';
import { startAwsProcess } from './aws-process.ts';

const ROWS = Number(process.env.ROWS ?? 100_000);
const ENTITIES = Number(process.env.ENTITIES ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const ITERATIONS = Number(process.env.ITERATIONS ?? 500);
const BATCH = 10_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const aws = await startAwsProcess();
process.on('exit', () => aws.child.kill('SIGTERM'));
Object.assign(process.env, aws.env);
const clients = createAwsClients();
const names = resourceNamesFromEnv();
const engine = new DuckDbFeatureEngine(clients.s3, names.bucket);
const store = createFeatureStore(clients, names, engine);

const definition = {
  entity: 'customer_id',
  features: [
    { name: 'spend', kind: 'numerical' as const },
    { name: 'visits', kind: 'numerical' as const },
  ],
  ttlSeconds: 90 * 86_400,
};
const created = nextFeatureViewRecord('customers', undefined, definition, new Date().toISOString());
if (!('record' in created)) throw new Error('invalid view');
const view = created.record;
await store.ports.views.append(view);

// Ingest: ROWS rows over ENTITIES customers across the last 30 days, in requests of BATCH rows.
const now = Date.now();
const span = 30 * 86_400_000;
let seed = 7;
const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const rows = Array.from({ length: ROWS }, () => ({
  customer_id: `c${Math.floor(random() * ENTITIES)}`,
  event_time: new Date(now - span + Math.floor(random() * span)).toISOString(),
  spend: Math.round(random() * 100_000) / 100,
  visits: Math.floor(random() * 50),
}));
const ingestStart = performance.now();
for (let start = 0; start < rows.length; start += BATCH) await store.ingest(view, rows.slice(start, start + BATCH), Date.now());
const ingestMs = performance.now() - ingestStart;
console.log(`ingest: ${ROWS} rows (${ENTITIES} entities, batches of ${BATCH}) in ${ingestMs.toFixed(0)} ms = ${Math.round(ROWS / (ingestMs / 1000))} rows/s`);
// The two halves of one batch, to say where the time goes.
const batch = rows.slice(0, BATCH).map((row) => ({ ...row, spend: row.spend + 1 }));
const { accepted } = await import('@flywheel/core').then(({ validateFeatureRows }) => validateFeatureRows(definition, batch, Date.now()));
let t = performance.now();
const encoded = encodeFeatureRows(
  accepted.map((row) => ({ entity_id: row.entityId, event_time_ms: row.eventTimeMs, ingested_at_ms: Date.now(), feature_values: JSON.stringify(row.values) })),
);
const encodeMs = performance.now() - t;
t = performance.now();
await store.ports.offline.append('customers', accepted, Date.now());
const offlineMs = performance.now() - t;
t = performance.now();
await store.ports.online.write('customers', accepted);
const onlineMs = performance.now() - t;
console.log(
  `  one batch of ${BATCH}: Parquet encoding alone ${encodeMs.toFixed(0)} ms (${(encoded.byteLength / 1024).toFixed(0)} KiB); offline (Parquet by date + S3 puts) ${offlineMs.toFixed(0)} ms, online (${new Set(accepted.map((r) => r.entityId)).size} conditional puts) ${onlineMs.toFixed(0)} ms`,
);

// Online lookup on the predict path: one record, by hand vs. by entity key.
const fixture = mlpFixture();
const authorization = `Bearer ${aws.adminKey}`;
const deps = { ...createApiDependencies(clients, names), features: store };
const app = createApp(deps);
const features = [
  { name: 'age', kind: 'numerical', input: 'features', index: 0 },
  { name: 'spend', kind: 'numerical', input: 'features', index: 1, view: 'customers' },
  { name: 'visits', kind: 'numerical', input: 'features', index: 2, view: 'customers' },
  { name: 'tenure', kind: 'numerical', input: 'features', index: 3 },
];
await app.request('/v1/models/bench-features/versions', {
  method: 'POST',
  body: fixture.bytes as Uint8Array<ArrayBuffer>,
  headers: { authorization, 'content-type': 'application/octet-stream', 'flywheel-metadata': JSON.stringify({ features }) },
});
await app.request('/v1/endpoints/bench-features', {
  method: 'PUT',
  body: JSON.stringify({ variants: [{ name: 'main', model: 'bench-features', version: 1, weight: 100 }] }),
  headers: { authorization, 'content-type': 'application/json' },
});
const serving = new Serving(deps);
const online = await store.online(view, ['c1'], Date.now());
const known = online.get('c1')!.values;
const byHand = { records: [{ age: 30, spend: known.spend, visits: known.visits, tenure: 2 }] };
const byKey = { records: [{ customer_id: 'c1', age: 30, tenure: 2 }] };
const predictOnce = (body: typeof byHand | typeof byKey) => servePredict(serving, 'bench-features', body as never, { receivedAt: Date.now(), startedAt: performance.now() });
const a = await predictOnce(byHand);
const b = await predictOnce(byKey);
if (JSON.stringify(a.response.outputs) !== JSON.stringify(b.response.outputs)) throw new Error('by key and by hand disagree');

async function timed(body: typeof byHand | typeof byKey): Promise<{ p50: number; p99: number }> {
  const samples = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const start = performance.now();
    await predictOnce(body);
    samples[i] = performance.now() - start;
  }
  samples.sort();
  return { p50: quantile(samples, 0.5) * 1000, p99: quantile(samples, 0.99) * 1000 };
}
for (let i = 0; i < 200; i++) await predictOnce(i % 2 ? byHand : byKey);
const hand: { p50: number; p99: number }[] = [];
const key: { p50: number; p99: number }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  hand.push(await timed(byHand));
  key.push(await timed(byKey));
}
const p = (list: { p50: number; p99: number }[], q: 'p50' | 'p99') => median(list.map((x) => x[q]));
console.log(`predict, one record (µs, medians of ${ROUNDS} rounds of ${ITERATIONS}):`);
console.log(`  features by hand   p50 ${p(hand, 'p50').toFixed(0)}  p99 ${p(hand, 'p99').toFixed(0)}`);
console.log(`  by entity key      p50 ${p(key, 'p50').toFixed(0)}  p99 ${p(key, 'p99').toFixed(0)}`);
console.log(
  `  added by lookup    p50 ${(p(key, 'p50') - p(hand, 'p50')).toFixed(0)}  p99 ${(p(key, 'p99') - p(hand, 'p99')).toFixed(0)}  (ratio p50 ${(p(key, 'p50') / p(hand, 'p50')).toFixed(1)}×)`,
);

// Historical: a spine of ROWS (entity, time) rows over the same span.
const spine = Array.from({ length: ROWS }, () => ({ entityId: `c${Math.floor(random() * ENTITIES)}`, eventTimeMs: now - span + Math.floor(random() * span) }));
const joinMs: number[] = [];
for (let round = 0; round < Math.min(ROUNDS, 3); round++) {
  const start = performance.now();
  const answers = await store.historical(view, spine);
  joinMs.push(performance.now() - start);
  if (answers.length !== spine.length) throw new Error('join lost rows');
}
console.log(
  `historical join: ${ROWS} spine rows over ${ROWS + BATCH} stored rows, median ${median(joinMs).toFixed(0)} ms = ${Math.round(ROWS / (median(joinMs) / 1000))} rows/s (rounds: ${joinMs.map((ms) => ms.toFixed(0)).join(', ')} ms)`,
);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
await engine.close();
process.exit(0);
