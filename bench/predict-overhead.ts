// What the predict path costs on top of the model: the whole in-process request (routing, auth,
// body parsing and validation, endpoint config, variant assignment, session cache, tensor codec,
// prediction log hand-off, JSON response) against a bare `session.run` on the same model, both
// measured in the same run, in alternating rounds; the emulated AWS services run in another
// process, as they would be remote in AWS. The prediction log prepares and sends its records
// after the response; that work is measured separately, as the CPU its flush takes after each
// round. The model runs on the configured backend (FLYWHEEL_INFERENCE_BACKEND, default
// onnxruntime-node), the bare run too. Run: npx tsx bench/predict-overhead.ts (env MODEL: a
// bench model of bench/models.ts, default tiny; ROUNDS 9; ITERATIONS 2000)
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Tensor } from 'onnxruntime-common';
import { createApp, type ApiDependencies } from '@flywheel/api';
import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createApiDependencies } from '@flywheel/deploy';
import { loadModel, predict } from '@flywheel/inference';
import { isPredictRequest, predictRequestSchema, servePredict } from '../packages/api/src/routes/predict.ts';
import { Serving } from '../packages/api/src/serving/serving.ts';
import { benchModelOf, benchModelNames, type BenchModelName } from './models.ts';
import { startAwsProcess } from './aws-process.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const ITERATIONS = Number(process.env.ITERATIONS ?? 2000);
const WARMUP = 1000;

const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Timing {
  p50: number;
  p99: number;
  /** CPU time of this process per request: unlike wall time, not inflated when other processes take the core. */
  cpu: number;
}

async function timed(iterations: number, run: () => Promise<unknown>): Promise<Timing> {
  const samples = new Float64Array(iterations);
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    samples[i] = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpuBefore);
  samples.sort();
  return { p50: quantile(samples, 0.5) * 1000, p99: quantile(samples, 0.99) * 1000, cpu: (cpu.user + cpu.system) / iterations };
}

const aws = await startAwsProcess();
// Also when a measurement throws: the emulators must not outlive the bench.
process.on('exit', () => aws.child.kill('SIGTERM'));
Object.assign(process.env, aws.env);
const clients = createAwsClients();
const names = resourceNamesFromEnv();
const authorization = `Bearer ${aws.adminKey}`;

// Default, the "small tabular model": 4 features → 8 hidden units → 3 classes (probabilities and gates).
const modelName = (process.env.MODEL ?? 'tiny') as BenchModelName;
if (!benchModelNames.includes(modelName)) throw new Error(`MODEL: unknown model ${modelName}; one of ${benchModelNames.join(', ')}`);
const fixture = await benchModelOf(modelName);
const inputs = fixture.inputs(1);
const body = JSON.stringify({ inputs, unit: 'user-42' });

async function register(deps: ApiDependencies) {
  const app = createApp(deps);
  const headers = { authorization, 'content-type': 'application/json' };
  await app.request('/v1/models/bench/versions', {
    method: 'POST',
    body: fixture.bytes as Uint8Array<ArrayBuffer>,
    headers: { authorization, 'content-type': 'application/octet-stream' },
  });
  await app.request('/v1/endpoints/bench', { method: 'PUT', body: JSON.stringify({ variants: [{ name: 'main', model: 'bench', version: 1, weight: 100 }] }), headers });
  return app;
}

/** The predict path below HTTP: JSON text in, validated, routed, run, logged, JSON text out. */
function servingPath(deps: ApiDependencies) {
  const serving = new Serving(deps);
  return async () => {
    const context = { receivedAt: Date.now(), startedAt: performance.now() };
    // Validated as the route validates: the checked fast path, the schema when it says no.
    const parsed: unknown = JSON.parse(body);
    const request = isPredictRequest(parsed) ? parsed : predictRequestSchema.parse(parsed);
    const { response } = await servePredict(serving, 'bench', request, context);
    return JSON.stringify(response);
  };
}

/** The whole app in-process: a Web Request through Hono, auth and all, to a Web Response. */
function appPath(app: Awaited<ReturnType<typeof register>>) {
  const headers = { authorization, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  return async () => {
    const response = await app.fetch(new Request('http://localhost/v1/endpoints/bench/predict', { method: 'POST', body, headers }));
    if (response.status !== 200) throw new Error(`predict answered ${response.status}: ${await response.text()}`);
    return response.text();
  };
}

const withLog = createApiDependencies(clients, names);
const { predictionLog: _log, ...withoutLog } = withLog;
const app = await register(withLog);
const model = await loadModel(fixture.bytes);
const data = fixture.flat(1);
const bare = () => model.session.run({ [fixture.input]: new Tensor('float32', data, [1, ...fixture.row]) });
const paths = {
  // How much of the path is the tensor codec (nested JSON arrays in and out) rather than serving.
  'inference predict() alone (tensor codec + run)': () => predict(model, inputs),
  'predict path, prediction log on': servingPath(withLog),
  'predict path, no prediction log': servingPath(withoutLog),
  'whole app in-process (Request → Response)': appPath(app),
};

/** CPU per request the log's flush takes after a round: preparing, encoding and sending its records. */
async function flushedLogCpu(): Promise<number> {
  const before = process.cpuUsage();
  await withLog.predictionLog?.flush();
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / ITERATIONS;
}

for (const run of [bare, ...Object.values(paths)]) await timed(WARMUP, run);
await withLog.predictionLog?.flush();

const loadBefore = loadavg();
const results = new Map<string, Timing[]>();
const overheads = new Map<string, Timing[]>();
const logCpu = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  const baseline = await timed(ITERATIONS, bare);
  results.set('bare session.run', [...(results.get('bare session.run') ?? []), baseline]);
  for (const [name, run] of Object.entries(paths)) {
    const measured = await timed(ITERATIONS, run);
    // The log's batches go out between rounds, not during the next path's measurement.
    logCpu.set(name, [...(logCpu.get(name) ?? []), await flushedLogCpu()]);
    results.set(name, [...(results.get(name) ?? []), measured]);
    overheads.set(name, [...(overheads.get(name) ?? []), { p50: measured.p50 - baseline.p50, p99: measured.p99 - baseline.p99, cpu: measured.cpu - baseline.cpu }]);
  }
}

const fmt = (µs: number) => `${µs.toFixed(1)} µs`;
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(
  `\n${fixture.label}: node ${process.version}, ${ROUNDS} rounds × ${ITERATIONS} requests, medians over rounds; load average ${load(loadBefore)} before, ${load(loadavg())} after\n`,
);
console.log('| path | p50 | p99 | CPU / request | overhead p50 | overhead p99 | overhead CPU | log CPU after response |');
console.log('|---|---|---|---|---|---|---|---|');
const column = (rounds: Timing[] | undefined, key: keyof Timing) => (rounds ? fmt(median(rounds.map((r) => r[key]))) : '—');
for (const [name, rounds] of results) {
  const overhead = overheads.get(name);
  const afterResponse = logCpu.get(name);
  const logged = afterResponse && median(afterResponse) >= 1 ? fmt(median(afterResponse)) : '—';
  console.log(
    `| ${name} | ${column(rounds, 'p50')} | ${column(rounds, 'p99')} | ${column(rounds, 'cpu')} | ${column(overhead, 'p50')} | ${column(overhead, 'p99')} | ${column(overhead, 'cpu')} | ${logged} |`,
  );
}
console.log('\noverheads: per round, the path minus bare session.run measured just before it; then the median over rounds');
console.log("log CPU after response: per round, the CPU the prediction log's flush took after the path's requests (prepare, encode, send), per request");

await withLog.predictionLog?.close();
process.exit(0);
