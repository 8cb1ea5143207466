// Cold start of the packaged api function: a fresh Node process, the bundle and its copyFiles as
// `sst deploy` builds them (infra/node-build.ts), the environment the deploy gives it, started
// from an empty directory — from process start to the first prediction's response. A breakdown
// from processes that take it step by step: the bundle's import, the first request that builds
// the app and its clients (GET /healthz), then the first predict (key, endpoint and version
// lookups, the artifact from S3, the runtime's start, the session, the load-time probe, the run);
// and, apart, the runtime alone: loading onnxruntime-node from the package and creating the
// model's session. The emulated AWS services run in a process of their own.
// Run: npx tsx bench/cold-start.ts (env ROUNDS, default 7; MODELS=trees,medium; BACKENDS=node,web;
// CPU_PROF=dir to write a CPU profile of every fresh process there)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp } from '@flywheel/api';
import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createApiDependencies } from '@flywheel/deploy';
import { functions } from '@flywheel/infra';
import { buildDefinesOf, copyFilesOf, runtimeSettingsOf } from '../infra/function-package.ts';
import { buildNodePackage, packageBytes } from '../infra/node-build.ts';
import { functionUrlEvent } from '@flywheel/testing/lambda-events';
import { lambdaRuntimeEnv } from '@flywheel/testing/lambda-package';
import { repoRoot } from '@flywheel/testing/sst-platform';
import { startAwsProcess } from './aws-process.ts';
import { benchModelOf, type BenchModelName } from './models.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const MODELS = (process.env.MODELS ?? 'trees,medium').split(',') as BenchModelName[];
const BACKENDS = (process.env.BACKENDS ?? 'node,web').split(',');

// Runs in the fresh process, outside the package: Lambda's runtime, reduced to timing marks.
// performance.now() counts from the process's time origin, so the marks are times since start.
const runnerSource = `
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const [bundle, mode, eventsFile, streamingModule] = process.argv.slice(2);
// Lambda's runtime puts its \`awslambda\` global (response streaming) in place before the import.
const { installAwsLambdaGlobal, invokeHandler } = await import(streamingModule);
installAwsLambdaGlobal();
const invoke = async (event) => {
  const { result } = await invokeHandler(handler, event, context);
  return { ...result, body: Buffer.from(result.body, 'base64').toString() };
};
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const context = { functionName: 'api', awsRequestId: 'cold-start', getRemainingTimeInMillis: () => 30000 };
let handler;
// Each mark: [wall ms since start, CPU ms of the process since start].
const marks = {};
const mark = (name) => { const cpu = process.cpuUsage(); marks[name] = [performance.now(), (cpu.user + cpu.system) / 1000]; };
mark('started');
if (mode === 'runtime') {
  const ort = createRequire(bundle)('onnxruntime-node');
  mark('runtimeLoaded');
  const session = await ort.InferenceSession.create(Buffer.from(events.modelBase64, 'base64'), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  mark('sessionCreated');
} else {
  ({ handler } = await import(bundle));
  mark('imported');
  if (mode === 'steps') {
    const health = await invoke(events.health);
    if (health.statusCode !== 200) throw new Error('healthz: ' + health.statusCode + ' ' + health.body);
    mark('appBuilt');
  }
  const first = await invoke(events.predict);
  if (first.statusCode !== 200) throw new Error('predict: ' + first.statusCode + ' ' + first.body);
  mark('firstPrediction');
  await invoke(events.predict);
  mark('secondPrediction');
}
console.log(JSON.stringify(marks));
process.exit(0);
`;

function runOnce(runner: string, bundle: string, mode: string, eventsFile: string, env: Record<string, string>, cwd: string): Promise<Record<string, [number, number]>> {
  return new Promise((resolve, reject) => {
    const profile = process.env.CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF}`, `--cpu-prof-name=${mode}-${Date.now()}.cpuprofile`] : [];
    const streamingModule = new URL('../packages/testing/src/lambda-streaming.mjs', import.meta.url).href;
    const child = spawn(process.execPath, [...profile, runner, bundle, mode, eventsFile, streamingModule], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('{"started"'));
      if (code === 0 && line) resolve(JSON.parse(line) as Record<string, [number, number]>);
      else reject(new Error(`${mode} exited with ${code}:\n${output}`));
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value: number) => `${value.toFixed(0)} ms`;

const aws = await startAwsProcess();
process.on('exit', () => aws.child.kill('SIGTERM'));
Object.assign(process.env, aws.env);
const work = await mkdtemp(join(tmpdir(), 'flywheel-cold-'));
try {
  const api = functions.api;
  const architecture = process.arch === 'arm64' ? 'arm64' : 'x86_64';
  const built = await buildNodePackage({
    handler: api.handler,
    runtime: 'nodejs22.x',
    root: repoRoot,
    out: join(work, 'package'),
    define: buildDefinesOf(api),
    copyFiles: copyFilesOf(api, architecture),
  });
  const bundle = pathToFileURL(join(built.dir, 'bundle.mjs')).href;
  const runner = join(work, 'runner.mjs');
  await writeFile(runner, runnerSource);
  const emptyDir = await mkdtemp(join(tmpdir(), 'flywheel-cold-cwd-'));
  const bundleBytes = (await import('node:fs')).statSync(join(built.dir, 'bundle.mjs')).size;

  const app = createApp(createApiDependencies(createAwsClients(), resourceNamesFromEnv()));
  const headers = { authorization: `Bearer ${aws.adminKey}`, 'content-type': 'application/json' };
  const rows: string[] = [];
  for (const modelName of MODELS) {
    const model = await benchModelOf(modelName);
    const registered = await app.fetch(
      new Request(`http://local/v1/models/cold-${modelName}/versions`, {
        method: 'POST',
        body: model.bytes as Uint8Array<ArrayBuffer>,
        headers: { ...headers, 'content-type': 'application/octet-stream' },
      }),
    );
    if (!registered.ok) throw new Error(`registering ${modelName}: ${await registered.text()}`);
    const config = { variants: [{ name: 'main', model: `cold-${modelName}`, version: 1, weight: 100 }] };
    await app.fetch(new Request(`http://local/v1/endpoints/cold-${modelName}`, { method: 'PUT', body: JSON.stringify(config), headers }));
    const eventsFile = join(work, `events-${modelName}.json`);
    await writeFile(
      eventsFile,
      JSON.stringify({
        health: functionUrlEvent({ method: 'GET', path: '/healthz' }),
        predict: functionUrlEvent({ method: 'POST', path: `/v1/endpoints/cold-${modelName}/predict`, headers, body: JSON.stringify({ inputs: model.inputs(1), unit: 'u-1' }) }),
        modelBase64: Buffer.from(model.bytes).toString('base64'),
      }),
    );
    for (const backend of BACKENDS) {
      const env = {
        ...lambdaRuntimeEnv('flywheel-production-Api', api.memoryMb, built.dir, 'us-east-1'),
        ...aws.env,
        ...runtimeSettingsOf(api),
        FLYWHEEL_INFERENCE_BACKEND: backend,
        FLYWHEEL_UNIT_HASH_KEY: randomBytes(24).toString('base64'),
        AWS_ACCESS_KEY_ID: 'ASIACOLDSTARTBENCH00',
        AWS_SECRET_ACCESS_KEY: 'cold-start-bench-secret-access-key-000000',
        AWS_SESSION_TOKEN: 'cold-start-bench-session-token',
      };
      const results: Record<string, Array<Record<string, [number, number]>>> = { direct: [], steps: [], runtime: [] };
      await runOnce(runner, bundle, 'direct', eventsFile, env, emptyDir); // the page cache warm, as a container's disk is
      for (let round = 0; round < ROUNDS; round++) {
        for (const mode of backend === 'node' ? ['direct', 'steps', 'runtime'] : ['direct', 'steps']) {
          results[mode].push(await runOnce(runner, bundle, mode, eventsFile, env, emptyDir));
        }
      }
      /** Median wall time (and CPU time) from mark `from` to mark `to` of a mode's runs; `from` undefined: from the process's start. */
      const span = (mode: string, to: string, from?: string) => {
        const at = (m: Record<string, [number, number]>, name: string | undefined, i: 0 | 1) => (name ? m[name][i] : 0);
        const wall = median(results[mode].map((m) => at(m, to, 0) - at(m, from, 0)));
        const cpu = median(results[mode].map((m) => at(m, to, 1) - at(m, from, 1)));
        return `${ms(wall)} (${ms(cpu)})`;
      };
      rows.push(
        `| ${model.label} | ${backend} | **${span('direct', 'firstPrediction')}** | ${span('steps', 'started')} | ${span('steps', 'imported', 'started')} | ${span('steps', 'appBuilt', 'imported')} | ${span('steps', 'firstPrediction', 'appBuilt')} | ${
          backend === 'node' ? `${span('runtime', 'runtimeLoaded', 'started')} + ${span('runtime', 'sessionCreated', 'runtimeLoaded')}` : '–'
        } | ${span('direct', 'secondPrediction', 'firstPrediction')} |`,
      );
    }
  }
  console.log(
    `\nnode ${process.version}, ${ROUNDS} rounds, medians; bundle ${(bundleBytes / 2 ** 20).toFixed(2)} MiB, package ${((await packageBytes(built.dir)) / 2 ** 20).toFixed(1)} MiB (${architecture}); load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n`,
  );
  console.log('Wall time, CPU time of the process in parentheses.\n');
  console.log(
    '| model | backend | start → first prediction | node start | bundle import | first request: app + clients (/healthz) | first predict after it | runtime load + session create, alone | second predict |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
  await rm(emptyDir, { recursive: true, force: true });
} finally {
  await rm(work, { recursive: true, force: true });
}
process.exit(0);
