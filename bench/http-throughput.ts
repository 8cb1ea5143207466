// Requests per second of the API (built as functions/api.ts builds it: auth, endpoint config,
// sticky routing, validation, prediction log to SQS) against a minimal Hono server that only
// parses, runs and answers, on the same model and the same inference backend — per bench model
// (bench/models.ts) and backend (onnxruntime-node, onnxruntime-web), with the ratio to the
// minimal server on the same backend and to the native minimal server. Optionally the API
// without its prediction log, and without joining concurrent requests into one run
// (EXTRAS=without-log,unbatched; on the first backend). Each server is its own process on
// loopback, the emulated AWS services another, as they are separate in AWS; autocannon drives
// them in alternating rounds, one request of one row at a time per connection.
// Run: npx tsx bench/http-throughput.ts (env MODELS=tiny,medium,wide; BACKENDS=node,web;
// ROUNDS 5; SECONDS 4; CONNECTIONS 16; EXTRAS; CPU_PROF=dir for a CPU profile of each server there)
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Tensor } from 'onnxruntime-common';
import { PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { createApp } from '@flywheel/api';
import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createApiDependencies } from '@flywheel/deploy';
import { sha256Hex } from '@flywheel/inference';
import { inferenceBackend, type BackendName } from '../packages/inference/src/backend.ts';
import { startAwsProcess } from './aws-process.ts';
import { benchModelOf, type BenchModelName } from './models.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 4);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const MODELS = (process.env.MODELS ?? 'tiny,medium,wide').split(',') as BenchModelName[];
const BACKENDS = (process.env.BACKENDS ?? 'node,web').split(',') as BackendName[];
const EXTRAS = (process.env.EXTRAS ?? '').split(',').filter(Boolean);

interface Target {
  url: string;
  headers: Record<string, string>;
  pid: number;
}

/** CPU seconds (user + system) a process has used, from /proc: robust to other load on the machine. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** In a child process: serve, then print how to reach the server as one JSON line. */
async function serveInChild(kind: string, modelName: BenchModelName): Promise<void> {
  let fetch: (request: Request) => Response | Promise<Response>;
  let path = '/predict';
  if (kind === 'minimal') {
    // The session as serving creates it on this backend (FLYWHEEL_INFERENCE_BACKEND), nothing around it.
    const model = await benchModelOf(modelName);
    const session = await (await inferenceBackend()).createSession(model.bytes);
    fetch = new Hono().post('/predict', async (c) => {
      const { inputs } = (await c.req.json()) as { inputs: Record<string, unknown[]> };
      const rows = inputs[model.input];
      const data = Float32Array.from(rows.flat(Infinity) as number[]);
      const results = await session.run({ [model.input]: new Tensor('float32', data, [rows.length, ...model.row]) });
      const outputs = Object.fromEntries(Object.entries(results).map(([name, tensor]) => [name, Array.from(tensor.data as Float32Array)]));
      return c.json({ outputs });
    }).fetch;
  } else {
    // The API exactly as functions/api.ts builds it, configured by the environment.
    const deps = createApiDependencies(createAwsClients(), resourceNamesFromEnv());
    if (kind === 'flywheel-without-log') delete deps.predictionLog;
    // Unbatched: every request its own run, as the minimal server does it.
    fetch = createApp(deps, { serving: { batchRuns: kind !== 'flywheel-unbatched' } }).fetch;
    path = `/v1/endpoints/bench-${modelName}/predict`;
  }
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(JSON.stringify({ url: `http://127.0.0.1:${info.port}${path}` })));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

function startChild<T>(kind: string, model: BenchModelName, env: Record<string, string>): Promise<{ child: ChildProcess; ready: T }> {
  const profile = process.env.CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF}`, `--cpu-prof-name=${kind}-${env.FLYWHEEL_INFERENCE_BACKEND}-${model}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...profile, '--disable-warning=ExperimentalWarning', '--import', 'tsx', new URL(import.meta.url).pathname, '--serve', kind, model], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) resolve({ child, ready: JSON.parse(line) as T });
    });
  });
}

/**
 * Drives one server; besides its CPU per request, that of the emulators' process, which shares
 * this machine's cores here but would be SQS, DynamoDB and S3 in AWS.
 */
async function load(target: Target, body: string, seconds: number, emulatorsPid: number) {
  // Nothing consumes the prediction log here: emptied first, as the monitor keeps it in AWS, so the
  // emulated queue does not slow down as it grows over the run.
  await logQueue.send(new PurgeQueueCommand({ QueueUrl: resourceNamesFromEnv().queues.predictionLogs }));
  const cpuBefore = cpuSeconds(target.pid);
  const emulatorsBefore = cpuSeconds(emulatorsPid);
  const result = await autocannon({ url: target.url, method: 'POST', headers: target.headers, body, connections: CONNECTIONS, duration: seconds });
  if (result.non2xx || result.errors) throw new Error(`${target.url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const perRequest = (cpu: number) => (cpu / result.requests.total) * 1e6;
  return {
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPerRequest: perRequest(cpuSeconds(target.pid) - cpuBefore),
    emulatorsCpuPerRequest: perRequest(cpuSeconds(emulatorsPid) - emulatorsBefore),
  };
}

/**
 * Puts the artifact where registration finds it already stored (content-addressed), in 8 MiB
 * parts: the embedded S3 refuses single bodies over 11 MiB, and registration's one PutObject
 * would send the 20 MB model in one (the multipart upload of artifacts is issue 13 part 6).
 */
async function storeArtifact(bytes: Uint8Array): Promise<void> {
  const { s3 } = createAwsClients();
  const Bucket = resourceNamesFromEnv().bucket;
  const Key = `models/sha256/${await sha256Hex(bytes)}.onnx`;
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const parts = [];
  const partBytes = 8 * 1024 * 1024;
  for (let offset = 0, number = 1; offset < bytes.length; offset += partBytes, number++) {
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: number, Body: bytes.subarray(offset, offset + partBytes) }));
    parts.push({ ETag, PartNumber: number });
  }
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
  s3.destroy();
}

let logQueue: SQSClient;
const children: ChildProcess[] = [];
const serveIndex = process.argv.indexOf('--serve');
if (serveIndex > 0) {
  await serveInChild(process.argv[serveIndex + 1], process.argv[serveIndex + 2] as BenchModelName);
} else {
  try {
    const aws = await startAwsProcess();
    children.push(aws.child);
    Object.assign(process.env, aws.env);
    logQueue = createAwsClients().sqs;
    const emulatorsPid = aws.child.pid!;
    const headers = { authorization: `Bearer ${aws.adminKey}`, 'content-type': 'application/json' };
    const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    for (const modelName of MODELS) {
      const model = await benchModelOf(modelName);
      const servers: Record<string, Target> = {};
      for (const backend of BACKENDS) {
        const env = { FLYWHEEL_INFERENCE_BACKEND: backend };
        const kinds = ['flywheel', ...(backend === BACKENDS[0] ? EXTRAS.map((extra) => `flywheel-${extra}`) : [])];
        for (const kind of kinds) {
          const { child, ready } = await startChild<{ url: string }>(kind, modelName, { ...aws.env, ...env });
          servers[`${kind} (${backend})`] = { url: ready.url, headers, pid: child.pid! };
        }
        const minimal = await startChild<{ url: string }>('minimal', modelName, env);
        servers[`minimal (${backend})`] = { url: minimal.ready.url, headers: { 'content-type': 'application/json' }, pid: minimal.child.pid! };
      }
      const api = new URL(Object.values(servers)[0].url).origin;
      if (model.bytes.length > 10 * 1024 * 1024) await storeArtifact(model.bytes);
      const registered = await fetch(`${api}/v1/models/bench-${modelName}/versions`, {
        method: 'POST',
        body: model.bytes as Uint8Array<ArrayBuffer>,
        headers: { ...headers, 'content-type': 'application/octet-stream' },
      });
      if (!registered.ok) throw new Error(`registering ${modelName}: ${registered.status} ${await registered.text()}`);
      const config = { variants: [{ name: 'main', model: `bench-${modelName}`, version: 1, weight: 100 }] };
      const endpoint = await fetch(`${api}/v1/endpoints/bench-${modelName}`, { method: 'PUT', body: JSON.stringify(config), headers });
      if (!endpoint.ok) throw new Error(`configuring bench-${modelName}: ${endpoint.status} ${await endpoint.text()}`);
      const body = JSON.stringify({ inputs: model.inputs(1), unit: 'user-42' });

      for (const target of Object.values(servers)) await load(target, body, 2, emulatorsPid); // warm up: JIT, caches, sessions
      const loadBefore = loadavg();
      const rounds: Record<string, Array<Awaited<ReturnType<typeof load>>>> = Object.fromEntries(Object.keys(servers).map((name) => [name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        const order = Object.entries(servers);
        for (const [name, target] of round % 2 ? order.reverse() : order) rounds[name].push(await load(target, body, SECONDS, emulatorsPid));
      }
      console.log(
        `\n${model.label}: node ${process.version}, ${CONNECTIONS} connections, one row per request, ${ROUNDS} alternating rounds × ${SECONDS} s, medians over rounds; load average ${loads(loadBefore)} before, ${loads(loadavg())} after\n`,
      );
      console.log(
        "| server | requests/s | vs minimal, same backend | vs minimal (node) | CPU per request | vs minimal, same backend (CPU) | latency p50 / p99 | emulators' CPU per request |",
      );
      console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
      for (const [name, results] of Object.entries(rounds)) {
        const backend = /\((\w+)\)$/.exec(name)![1];
        const ratio = (to: string) => median(results.map((r, i) => r.rps / rounds[to][i].rps));
        const sameMinimal = `minimal (${backend})`;
        const nativeMinimal = rounds['minimal (node)'] ? `${(ratio('minimal (node)') * 100).toFixed(1)} %` : '–';
        const cpuRatio = median(rounds[sameMinimal].map((r, i) => r.cpuPerRequest / results[i].cpuPerRequest));
        console.log(
          `| ${name} | ${median(results.map((r) => r.rps)).toFixed(0)} | ${(ratio(sameMinimal) * 100).toFixed(1)} % | ${nativeMinimal} | ${median(results.map((r) => r.cpuPerRequest)).toFixed(0)} µs | ${(cpuRatio * 100).toFixed(1)} % | ${median(results.map((r) => r.p50))} / ${median(results.map((r) => r.p99))} ms | ${median(results.map((r) => r.emulatorsCpuPerRequest)).toFixed(0)} µs |`,
        );
      }
      for (const target of Object.values(servers)) process.kill(target.pid, 'SIGTERM');
    }
    console.log(
      '\n"vs minimal": per-round ratios, median; for CPU, the minimal server\'s CPU per request over this one\'s (the throughput ratio a CPU-bound server would reach on an otherwise idle machine).',
    );
    console.log("emulators' CPU: the dynalite/fauxqs process during the server's rounds (the prediction log's SQS traffic lands there), per request.");
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  }
}
