// What a 100 % shadow costs the requests it mirrors: the in-process predict path (JSON text in,
// validated, routed, run, logged, JSON text out) on two endpoints serving the same model, one
// of them mirroring every request to a shadow of that same model, measured in alternating rounds
// in the same process. Requests arrive one macrotask apart (a `setImmediate` between them, as
// network arrivals would be), so a shadow's run — scheduled after its response — competes with
// the requests that follow, as in a server. Sequential callers show the cost when there is idle
// time between requests; concurrent callers when there is none. The emulated AWS services run
// in another process. Run: npx tsx bench/shadow-latency.ts (env ROUNDS 9, ITERATIONS 2000, CALLERS 8)
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createApp } from '@flywheel/api';
import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createApiDependencies } from '@flywheel/deploy';
import { predictRequestSchema, servePredict } from '../packages/api/src/routes/predict.ts';
import { Serving } from '../packages/api/src/serving/serving.ts';
import { mlpFixture } from '@flywheel/testing/test-models';
import { startAwsProcess } from './aws-process.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const ITERATIONS = Number(process.env.ITERATIONS ?? 2000);
const CALLERS = Number(process.env.CALLERS ?? 8);
const WARMUP = 1000;

const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Timing {
  p50: number;
  p99: number;
  /** CPU of this process per request, shadow runs included (they run in it too). */
  cpu: number;
}

/** `iterations` requests from `callers` closed-loop callers, each waiting a macrotask between its requests. */
async function timed(iterations: number, callers: number, run: (i: number) => Promise<unknown>): Promise<Timing> {
  const samples = new Float64Array(iterations);
  const cpuBefore = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < iterations) {
        const i = next++;
        await nextMacrotask();
        const start = performance.now();
        await run(i);
        samples[i] = performance.now() - start;
      }
    }),
  );
  // Shadows still in flight belong to this round's requests.
  for (let i = 0; i < 20; i++) await nextMacrotask();
  const cpu = process.cpuUsage(cpuBefore);
  samples.sort();
  return { p50: quantile(samples, 0.5) * 1000, p99: quantile(samples, 0.99) * 1000, cpu: (cpu.user + cpu.system) / iterations };
}

const aws = await startAwsProcess();
Object.assign(process.env, aws.env);
const deps = createApiDependencies(createAwsClients(), resourceNamesFromEnv());
const authorization = `Bearer ${aws.adminKey}`;

// The "small tabular model" of the serving benches, on both sides of the mirror.
const fixture = mlpFixture();
const app = createApp(deps);
const headers = { authorization, 'content-type': 'application/json' };
await app.request('/v1/models/bench/versions', {
  method: 'POST',
  body: fixture.bytes as Uint8Array<ArrayBuffer>,
  headers: { authorization, 'content-type': 'application/octet-stream' },
});
const variants = [{ name: 'main', model: 'bench', version: 1, weight: 100 }];
await app.request('/v1/endpoints/plain', { method: 'PUT', body: JSON.stringify({ variants }), headers });
await app.request('/v1/endpoints/mirrored', { method: 'PUT', body: JSON.stringify({ variants, shadows: [{ name: 'copy', model: 'bench', version: 1, percent: 100 }] }), headers });

const serving = new Serving(deps);
const path = (endpoint: string) => async (i: number) => {
  const body = JSON.stringify({ inputs: { features: [[0.1, 2.0, 3.5, (i % 100) / 10]] }, unit: `user-${i % 1000}` });
  const { response } = await servePredict(serving, endpoint, predictRequestSchema.parse(JSON.parse(body)), { receivedAt: Date.now(), startedAt: performance.now() });
  return JSON.stringify(response);
};
const paths = { 'no shadow': path('plain'), '100 % shadow, same model': path('mirrored') };

for (const run of Object.values(paths)) await timed(WARMUP, 1, run);
await deps.predictionLog?.flush();

const loadBefore = loadavg();
const shadowStats = { ...serving.shadows.stats };
const results = new Map<string, Timing[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const callers of [1, CALLERS]) {
    for (const [name, run] of Object.entries(paths)) {
      const key = `${name}\u0000${callers}`;
      results.set(key, [...(results.get(key) ?? []), await timed(ITERATIONS, callers, run)]);
      // The log's batches go out between measurements, not during the next one.
      await deps.predictionLog?.flush();
    }
  }
}
const ran = Object.fromEntries(Object.entries(serving.shadows.stats).map(([k, v]) => [k, v - shadowStats[k as keyof typeof shadowStats]]));

const fmt = (µs: number) => `${µs.toFixed(0)} µs`;
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(
  `\nnode ${process.version}, ${ROUNDS} rounds × ${ITERATIONS} requests per path, medians over rounds; load average ${load(loadBefore)} before, ${load(loadavg())} after\n`,
);
console.log('| callers | path | p50 | p99 | CPU / request | Δ p50 | Δ p99 |');
console.log('|---|---|---|---|---|---|---|');
for (const callers of [1, CALLERS]) {
  const plain = results.get(`no shadow\u0000${callers}`)!;
  for (const name of Object.keys(paths)) {
    const rounds = results.get(`${name}\u0000${callers}`)!;
    const delta = (key: 'p50' | 'p99') => (rounds === plain ? '—' : fmt(median(rounds.map((r, i) => r[key] - plain[i][key]))));
    console.log(
      `| ${callers} | ${name} | ${fmt(median(rounds.map((r) => r.p50)))} | ${fmt(median(rounds.map((r) => r.p99)))} | ${fmt(median(rounds.map((r) => r.cpu)))} | ${delta('p50')} | ${delta('p99')} |`,
    );
  }
}
console.log(`\nshadow runs during the rounds: ${JSON.stringify(ran)} (of ${ROUNDS * 2 * ITERATIONS} mirrored requests)`);
console.log('Δ: per round, the shadowed path minus the plain one measured just before it; then the median over rounds');

await deps.predictionLog?.close();
aws.child.kill('SIGTERM');
process.exit(0);
