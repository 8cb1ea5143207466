// Requests per second of the API (built as functions/api.ts builds it: auth, endpoint config,
// sticky routing, validation, prediction log to SQS) against a minimal Hono + onnxruntime-web
// server that only parses, runs and answers, on the same model; the API also without its
// prediction log, and without joining concurrent requests into one run (one run per request, as
// the minimal server does). Each server is its own process
// on loopback, the emulated AWS services another, as they are separate in AWS; autocannon drives
// them in alternating rounds. Run: npx tsx bench/http-throughput.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import * as ort from 'onnxruntime-web';
import { createApp } from '@flywheel/api';
import { createApiDependencies, createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { mlpFixture } from '../packages/inference/src/test-models.ts';
import { startAwsProcess } from './aws-process.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const fixture = mlpFixture();
const body = JSON.stringify({ inputs: { features: [[0.1, 2.0, 3.5, 1.0]] }, unit: 'user-42' });

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
async function serveInChild(kind: string): Promise<void> {
  let fetch: (request: Request) => Response | Promise<Response>;
  let path = '/predict';
  if (kind === 'minimal') {
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(fixture.bytes, { executionProviders: ['wasm'] });
    fetch = new Hono().post('/predict', async (c) => {
      const { inputs } = (await c.req.json()) as { inputs: { features: number[][] } };
      const rows = inputs.features;
      const results = await session.run({ features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]) });
      const outputs = Object.fromEntries(Object.entries(results).map(([name, tensor]) => [name, Array.from(tensor.data as Float32Array)]));
      return c.json({ outputs });
    }).fetch;
  } else {
    // The API exactly as functions/api.ts builds it, configured by the environment.
    const deps = createApiDependencies(createAwsClients(), resourceNamesFromEnv());
    if (kind === 'flywheel-without-log') delete deps.predictionLog;
    // Unbatched: every request its own run, as the minimal server does it.
    fetch = createApp(deps, { serving: { batchRuns: kind !== 'flywheel-unbatched' } }).fetch;
    path = '/v1/endpoints/bench/predict';
  }
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(JSON.stringify({ url: `http://127.0.0.1:${info.port}${path}` })));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

function startChild<T>(kind: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; ready: T }> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', 'tsx', new URL(import.meta.url).pathname, '--serve', kind], {
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
async function load(target: Target, seconds: number, emulatorsPid: number) {
  const cpuBefore = cpuSeconds(target.pid);
  const emulatorsBefore = cpuSeconds(emulatorsPid);
  const result = await autocannon({ url: target.url, method: 'POST', headers: target.headers, body, connections: CONNECTIONS, duration: seconds });
  if (result.non2xx || result.errors) throw new Error(`${target.url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const perRequest = (cpu: number) => (cpu / result.requests.total) * 1e6;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPerRequest: perRequest(cpuSeconds(target.pid) - cpuBefore),
    emulatorsCpuPerRequest: perRequest(cpuSeconds(emulatorsPid) - emulatorsBefore),
  };
}

const children: ChildProcess[] = [];
const serveIndex = process.argv.indexOf('--serve');
if (serveIndex > 0) {
  await serveInChild(process.argv[serveIndex + 1]);
} else {
  try {
    const aws = await startAwsProcess();
    children.push(aws.child);
    const servers: Record<string, Target> = {};
    const headers = { authorization: `Bearer ${aws.adminKey}`, 'content-type': 'application/json' };
    for (const kind of ['flywheel', 'flywheel-without-log', 'flywheel-unbatched']) {
      const { child, ready } = await startChild<{ url: string }>(kind, aws.env);
      servers[kind] = { url: ready.url, headers, pid: child.pid! };
    }
    const minimal = await startChild<{ url: string }>('minimal');
    servers.minimal = { url: minimal.ready.url, headers: { 'content-type': 'application/json' }, pid: minimal.child.pid! };
    const api = new URL(servers.flywheel.url).origin;
    await fetch(`${api}/v1/models/bench/versions`, { method: 'POST', body: fixture.bytes as Uint8Array<ArrayBuffer>, headers: { ...headers, 'content-type': 'application/octet-stream' } });
    await fetch(`${api}/v1/endpoints/bench`, { method: 'PUT', body: JSON.stringify({ variants: [{ name: 'main', model: 'bench', version: 1, weight: 100 }] }), headers });

    const emulatorsPid = aws.child.pid!;
    for (const target of Object.values(servers)) await load(target, 2, emulatorsPid); // warm up: JIT, caches, sessions
    const loadBefore = loadavg();
    const rounds: Record<string, Array<Awaited<ReturnType<typeof load>>>> = Object.fromEntries(Object.keys(servers).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, target] of Object.entries(servers)) rounds[name].push(await load(target, SECONDS, emulatorsPid));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `\nnode ${process.version}, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds × ${SECONDS} s, medians over rounds; load average ${loads(loadBefore)} before, ${loads(loadavg())} after\n`,
    );
    console.log('| server | requests/s | vs minimal | CPU per request | vs minimal | latency p50 | latency p99 | emulators\' CPU per request |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const [name, results] of Object.entries(rounds)) {
      const ratio = median(results.map((r, i) => r.rps / rounds.minimal[i].rps));
      const cpu = median(results.map((r) => r.cpuPerRequest));
      const cpuRatio = median(rounds.minimal.map((r, i) => r.cpuPerRequest / results[i].cpuPerRequest));
      console.log(
        `| ${name} | ${median(results.map((r) => r.rps)).toFixed(0)} | ${(ratio * 100).toFixed(1)}% | ${cpu.toFixed(0)} µs | ${(cpuRatio * 100).toFixed(1)}% | ${median(results.map((r) => r.p50))} ms | ${median(results.map((r) => r.p99))} ms | ${median(results.map((r) => r.emulatorsCpuPerRequest)).toFixed(0)} µs |`,
      );
    }
    console.log('\n"vs minimal": per-round ratios, median; for CPU, minimal\'s CPU per request over this one\'s (the throughput ratio a CPU-bound server would reach on an otherwise idle machine).');
    console.log('emulators\' CPU: the dynalite/fauxqs process during the server\'s rounds (the prediction log\'s SQS traffic lands there), per request.');
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
}
