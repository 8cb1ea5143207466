// In-process `session.run` of every bench model on both inference backends (onnxruntime-web's
// WASM and onnxruntime-node's native CPU build, one thread each, the session options serving
// uses) at batch sizes 1, 16 and 128, in alternating rounds; medians over rounds of each round's
// median run time. Also checks that both backends answer alike (largest difference printed).
// Run: npx tsx bench/backend-runs.ts (env ROUNDS, default 5; MODELS=tiny,medium,wide,conv,trees)
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Tensor, type InferenceSession } from 'onnxruntime-common';
import { inferenceBackend } from '../packages/inference/src/backend.ts';
import { benchModelOf, benchModelsFromEnv, type BenchModel } from './models.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BATCHES = [1, 16, 128];
/** Time spent per measurement, at least 3 runs. */
const BUDGET_MS = 120;
const backends = ['web', 'node'] as const;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function feeds(model: BenchModel, batch: number) {
  return { [model.input]: new Tensor('float32', model.flat(batch), [batch, ...model.row]) };
}

/** Median wall time of one run, over as many runs as fit the budget (at least 3). */
async function timeRuns(session: InferenceSession, input: Record<string, Tensor>): Promise<number> {
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || performance.now() - start < BUDGET_MS) {
    const before = performance.now();
    await session.run(input);
    samples.push(performance.now() - before);
  }
  return median(samples);
}

function largestDifference(a: InferenceSession.OnnxValueMapType, b: InferenceSession.OnnxValueMapType): number {
  let largest = 0;
  for (const name of Object.keys(a)) {
    const [x, y] = [(a[name] as Tensor).data, (b[name] as Tensor).data] as ArrayLike<number | bigint>[];
    for (let i = 0; i < x.length; i++) largest = Math.max(largest, Math.abs(Number(x[i]) - Number(y[i])));
  }
  return largest;
}

const format = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`);

const models = await Promise.all(benchModelsFromEnv().map(benchModelOf));
const sessions = new Map<string, InferenceSession>();
for (const backend of backends) {
  const runtime = await inferenceBackend(backend);
  for (const model of models) sessions.set(`${model.name}/${backend}`, await runtime.createSession(model.bytes));
}
const differences = new Map<string, number>();
for (const model of models) {
  for (const batch of BATCHES) {
    const input = feeds(model, batch);
    const [web, native] = await Promise.all(backends.map((backend) => sessions.get(`${model.name}/${backend}`)!.run(input)));
    differences.set(`${model.name}/${batch}`, largestDifference(web, native));
  }
}
const loadBefore = loadavg();
const results = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const model of models) {
    for (const batch of BATCHES) {
      const input = feeds(model, batch);
      // The order of the backends alternates from round to round.
      for (const backend of round % 2 ? [...backends].reverse() : backends) {
        const key = `${model.name}/${batch}/${backend}`;
        results.set(key, [...(results.get(key) ?? []), await timeRuns(sessions.get(`${model.name}/${backend}`)!, input)]);
      }
    }
  }
}
const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(`\nnode ${process.version}, one thread per backend, ${ROUNDS} alternating rounds, medians; load average ${loads(loadBefore)} before, ${loads(loadavg())} after\n`);
console.log('| model | batch | onnxruntime-web | onnxruntime-node | web / node | largest difference |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const model of models) {
  for (const batch of BATCHES) {
    const [web, native] = backends.map((backend) => median(results.get(`${model.name}/${batch}/${backend}`)!));
    console.log(
      `| ${model.label} | ${batch} | ${format(web)} | ${format(native)} | ${(web / native).toFixed(1)}× | ${differences.get(`${model.name}/${batch}`)!.toExponential(1)} |`,
    );
  }
}
for (const session of sessions.values()) await session.release();
