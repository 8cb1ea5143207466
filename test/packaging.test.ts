import { execFileSync } from 'node:child_process';
// Every function of infra/functions.ts, packaged as `sst deploy` packages it and run the way Lambda
// runs it: the bundle and its declared copyFiles alone in a directory, a fresh Node process started
// from an empty directory, the environment sst.config.ts gives the function and nothing else —
// except what points the SDK at the embedded stack instead of AWS (FLYWHEEL_AWS_ENDPOINT_*, dummy
// credentials and a region, as Lambda's own environment would carry real ones).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { APIGatewayProxyStructuredResultV2, CloudFrontResultResponse, SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '@flywheel/core';
import { createAwsClients, DynamoApiKeyStore, DynamoWindowStore, S3PredictionLogSpill, endpointsToEnv, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { bucket, functions, queues, tables, type FunctionDefinition } from '@flywheel/infra';
import { provisionStack, startEmbeddedAws } from '@flywheel/local';
import { generateTabularDataset, registryFeatures, registryTask, trainChallenger } from '@flywheel/train';
import { mlpFixture } from '@flywheel/testing/test-models';
import { buildNodePackage, packageBytes } from '../infra/node-build.ts';
import { copyFilesOf, onnxRuntimeFiles, regionalArchitecture, type LambdaArchitecture } from '../infra/function-package.ts';
import { lambdaRuntimeEnv, startPackagedFunction, type PackagedFunction } from '@flywheel/testing/lambda-package';
import { functionUrlEvent, originRequestEvent, scheduledEvent, sqsEventFrom, type HttpCall } from '@flywheel/testing/lambda-events';
import { expectClose, scaledModel } from '@flywheel/testing/models';
import { parquetOf } from '@flywheel/testing/parquet';
import { archiveShiftedTraffic } from '@flywheel/testing/retrain-fixtures';
import { batchBody, logRecord, totalCount } from '@flywheel/testing/monitor-fixtures';
import { recordConfig, recordedResolver, type Recording } from '@flywheel/testing/sst-recording';
import { repoRoot } from '@flywheel/testing/sst-platform';
import type { TestSystem } from '@flywheel/testing/system';
import { tempDataDir } from '@flywheel/testing/temp-dir';

const MiB = 1024 * 1024;
/** Lambda: a function's code and layers, unzipped. */
const LAMBDA_UNZIPPED_LIMIT = 250 * MiB;
/** Lambda@Edge, origin-request and origin-response triggers: the zipped package. */
const EDGE_ORIGIN_ZIPPED_LIMIT = 50 * MiB;

const region = 'us-east-1';
const pascal = (name: string) => name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
const all = Object.values(functions) as FunctionDefinition[];
/** The architecture of this machine, as Lambda names it: the packages run here are built for it. */
const hostArchitecture: LambdaArchitecture = process.arch === 'arm64' ? 'arm64' : 'x86_64';
const nativeDir = (architecture: LambdaArchitecture) => `node_modules/onnxruntime-node/bin/napi-v6/linux/${architecture === 'x86_64' ? 'x64' : 'arm64'}/`;

/** The files `copyFiles` puts in a package, directories expanded, relative to the package root. */
async function copiedFiles(fn: FunctionDefinition, architecture?: LambdaArchitecture): Promise<string[]> {
  const files: string[] = [];
  for (const entry of copyFilesOf(fn, architecture)) {
    const to = entry.to.replace(/^\.\//, '');
    const from = join(repoRoot, entry.from);
    if (!(await stat(from)).isDirectory()) files.push(to);
    else
      for (const file of await readdir(from, { recursive: true, withFileTypes: true })) if (file.isFile()) files.push(join(to, relative(from, join(file.parentPath, file.name))));
  }
  return files;
}

interface DeclaredPackage {
  dir: string;
  handler: string;
  /** The environment sst.config.ts gives the function (SST's own variables included). */
  env: Record<string, string>;
}

describe('the deployed packages, built as sst deploy builds them and run as Lambda runs them', () => {
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let workDir: Awaited<ReturnType<typeof tempDataDir>>;
  let stopAws: () => Promise<void>;
  let emulatorEnv: Record<string, string>;
  let clients: AwsClients;
  let names: ResourceNames;
  let recording: Recording;
  let resolve: (value: unknown) => Promise<unknown>;
  let authorization: string;
  const packages = new Map<string, Promise<DeclaredPackage>>();
  const running = new Map<string, Promise<PackagedFunction>>();

  beforeAll(async () => {
    dataDir = await tempDataDir('packaging');
    workDir = await tempDataDir('packages');
    const aws = await startEmbeddedAws({ dataDir: dataDir.path });
    stopAws = () => aws.stop();
    clients = createAwsClients({ endpoints: aws.endpoints });
    names = await provisionStack(clients);
    emulatorEnv = {
      ...endpointsToEnv(aws.endpoints),
      AWS_ACCESS_KEY_ID: 'ASIAPACKAGINGTEST000',
      AWS_SECRET_ACCESS_KEY: 'packaging-test-secret-access-key-0000000',
      AWS_SESSION_TOKEN: 'packaging-test-session-token',
    };
    const { key, record } = await generateApiKey('packaging', ['admin']);
    await new DynamoApiKeyStore(clients.dynamodb, names.tables.registry).create(record);
    authorization = `Bearer ${key}`;
    ({ recording } = await recordConfig({ FLYWHEEL_KMS_KEY: undefined, FLYWHEEL_ALARM_EMAIL: undefined }, { work: workDir.path }));
    // What each output of the deployment is, for this stack.
    const outputs = new Map<string, string>([
      [`aws.getRegionOutput().region`, region],
      [`${pascal(bucket.name)}.name`, names.bucket],
      // What `sst secret set` would have stored.
      ['UnitHashKey.value', randomBytes(24).toString('base64')],
      ['AlertWebhooks.value', '[]'],
      // The feature catalog's names; no query reaches Athena here (there is no emulator of it).
      ['FeatureDatabase.name', 'flywheel_packaging_features'],
      ['FeatureWorkgroup.name', 'flywheel-packaging-features'],
    ]);
    for (const [key, table] of Object.entries(tables)) outputs.set(`${pascal(table.name)}.name`, names.tables[key as keyof typeof tables]);
    for (const [key, queue] of Object.entries(queues)) outputs.set(`${pascal(queue.name)}.url`, names.queues[key as keyof typeof queues]);
    resolve = recordedResolver((ref) => outputs.get(ref));
  });

  afterAll(async () => {
    for (const fn of running.values()) await (await fn.catch(() => undefined))?.stop();
    clients?.dynamodb.destroy();
    clients?.sqs.destroy();
    clients?.s3.destroy();
    await stopAws?.();
    await dataDir?.remove();
    await workDir?.remove();
  });

  /**
   * The package sst.config.ts declares for `fn`: SST builds the regional ones, the config itself
   * the edge one. With `architecture`, a regional one as a deployment for that architecture
   * would build it (sst.config.ts deploys arm64; this machine may be x86_64).
   */
  function packageOf(fn: FunctionDefinition, architecture?: LambdaArchitecture): Promise<DeclaredPackage> {
    const key = `${fn.name}:${architecture ?? 'declared'}`;
    if (!packages.has(key)) packages.set(key, declaredPackage(fn, architecture));
    return packages.get(key)!;
  }

  async function declaredPackage(fn: FunctionDefinition, architecture?: LambdaArchitecture): Promise<DeclaredPackage> {
    if (fn.trigger.kind === 'edge') {
      const { args } = recording.find('aws.lambda.Function', pascal(fn.name));
      const code = (await resolve(args.code)) as { path: string };
      return { dir: code.path, handler: (await resolve(args.handler)) as string, env: {} };
    }
    const { args } = recording.find('sst.aws.Function', pascal(fn.name));
    const built = await buildNodePackage({
      handler: args.handler,
      runtime: args.runtime,
      root: repoRoot,
      out: join(workDir.path, architecture ? `${fn.name}-${architecture}` : fn.name),
      define: (await resolve(args.nodejs?.esbuild?.define ?? {})) as Record<string, string>,
      copyFiles: architecture ? copyFilesOf(fn, architecture) : args.copyFiles,
    });
    const sstEnv = {
      SST_RESOURCE_App: JSON.stringify({ name: 'flywheel', stage: 'production' }),
      SST_KEY: randomBytes(32).toString('base64'),
      SST_KEY_FILE: 'resource.enc',
    };
    return { dir: built.dir, handler: built.handler, env: { ...((await resolve(args.environment)) as Record<string, string>), ...sstEnv } };
  }

  /** The function's container, its package built for this machine's architecture: started on first use, warm afterwards. */
  function functionOf(fn: FunctionDefinition): Promise<PackagedFunction> {
    if (!running.has(fn.name)) {
      running.set(
        fn.name,
        packageOf(fn, fn.trigger.kind === 'edge' ? undefined : hostArchitecture).then((pkg) => {
          const functionName = fn.trigger.kind === 'edge' ? `us-east-1.flywheel-production-${pascal(fn.name)}` : `flywheel-production-${pascal(fn.name)}`;
          // Lambda@Edge runs in the region nearest the viewer; what it reads is in the home region it was built with.
          const runsIn = fn.trigger.kind === 'edge' ? 'eu-west-2' : region;
          return startPackagedFunction({
            dir: pkg.dir,
            handler: pkg.handler,
            env: { ...lambdaRuntimeEnv(functionName, fn.memoryMb, pkg.dir, runsIn), ...pkg.env, ...emulatorEnv },
            functionName,
            memoryMb: fn.memoryMb,
            timeoutSeconds: fn.timeoutSeconds,
          });
        }),
      );
    }
    return running.get(fn.name)!;
  }

  async function callApi(call: HttpCall): Promise<{ status: number; headers: Record<string, string>; json: any }> {
    const api = await functionOf(functions.api);
    const result = await api.invoke<APIGatewayProxyStructuredResultV2 & { statusCode: number }>(
      functionUrlEvent({ ...call, headers: { authorization, ...(typeof call.body === 'string' ? { 'content-type': 'application/json' } : {}), ...call.headers } }),
    );
    const text = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64').toString() : (result.body ?? '');
    return { status: result.statusCode, headers: (result.headers ?? {}) as Record<string, string>, json: text ? JSON.parse(text) : undefined };
  }

  /** Every message waiting in a queue, received as Lambda's event source mapping receives them. */
  async function drain(queue: keyof typeof queues): Promise<{ messages: Message[]; arn: string }> {
    const url = names.queues[queue];
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    const messages: Message[] = [];
    for (;;) {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ['All'], MessageAttributeNames: ['All'] }),
      );
      if (Messages.length === 0) return { messages, arn: Attributes!.QueueArn! };
      messages.push(...Messages);
    }
  }

  describe.each(all.map((fn) => [fn.name, fn] as const))('%s', (_, fn) => {
    it('holds its bundle and the files it declares, runtime files only if it runs a model, within Lambda’s limits', async () => {
      const pkg = await packageOf(fn);
      const files = (await readdir(pkg.dir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile()).map((f) => relative(pkg.dir, join(f.parentPath, f.name)));
      expect(files.sort()).toEqual(['bundle.mjs', ...(await copiedFiles(fn))].sort());
      expect(files.includes(onnxRuntimeFiles[1])).toBe(fn.runsModels);
      // onnxruntime-node for the deployed architecture only, and nowhere at the edge (WASM there).
      const native = fn.runsModels && fn.trigger.kind !== 'edge';
      expect(files.some((file) => file.startsWith(nativeDir(regionalArchitecture)))).toBe(native);
      expect(files.filter((file) => file.startsWith('node_modules/onnxruntime-node/bin/') && !file.startsWith(nativeDir(regionalArchitecture)))).toEqual([]);
      if (native) expect(files).toContain(`${nativeDir(regionalArchitecture)}libonnxruntime.so.1`);
      const unzipped = await packageBytes(pkg.dir);
      const zipped = files.reduce((sum, file) => sum + deflateRawSync(readFileSync(join(pkg.dir, file)), { level: 9 }).byteLength, 0);
      console.log(
        `package ${fn.name} (${fn.trigger.kind === 'edge' ? 'x86_64' : regionalArchitecture}): ${(unzipped / MiB).toFixed(2)} MiB unzipped, ${(zipped / MiB).toFixed(2)} MiB deflated, ${files.length} files`,
      );
      expect(unzipped).toBeLessThan(LAMBDA_UNZIPPED_LIMIT);
      if (fn.trigger.kind === 'edge') expect(zipped).toBeLessThan(EDGE_ORIGIN_ZIPPED_LIMIT);
    }, 60_000);
  });

  it.each(all.filter((fn) => fn.runsModels && fn.trigger.kind !== 'edge').map((fn) => [fn.name, fn] as const))(
    '%s: built for x86_64, holds the x64 binary and not the arm64 one, within Lambda’s limits',
    async (_, fn) => {
      const pkg = await packageOf(fn, 'x86_64');
      const files = (await readdir(pkg.dir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile()).map((f) => relative(pkg.dir, join(f.parentPath, f.name)));
      expect(files).toContain(`${nativeDir('x86_64')}libonnxruntime.so.1`);
      expect(files.filter((file) => file.startsWith(nativeDir('arm64')))).toEqual([]);
      const unzipped = await packageBytes(pkg.dir);
      console.log(`package ${fn.name} (x86_64): ${(unzipped / MiB).toFixed(2)} MiB unzipped`);
      expect(unzipped).toBeLessThan(LAMBDA_UNZIPPED_LIMIT);
    },
    60_000,
  );

  const fixture = mlpFixture();

  it('scripts/create-admin-key.ts: makes the first admin key of a deployment, which the packaged API accepts', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'create-admin-key.ts'), 'first admin'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH!, FLYWHEEL_TABLE_REGISTRY: names.tables.registry, AWS_REGION: region, ...emulatorEnv },
    });
    const firstKey = stdout.trim();
    expect(firstKey.length).toBeGreaterThan(16);
    const listed = await callApi({ method: 'GET', path: '/v1/keys', headers: { authorization: `Bearer ${firstKey}` } });
    expect(listed.status, JSON.stringify(listed.json)).toBe(200);
    expect(JSON.stringify(listed.json)).toContain('first admin');
    expect((await callApi({ method: 'GET', path: '/v1/keys', headers: { authorization: `Bearer ${firstKey}x` } })).status).toBe(401);
  }, 60_000);

  it('api: registers a model, configures an endpoint and predicts through its Function URL, on onnxruntime-node', async () => {
    // The deploy tells the api to use the native backend, which then must load from the package.
    expect((await packageOf(functions.api, hostArchitecture)).env.FLYWHEEL_INFERENCE_BACKEND).toBe('node');
    expect((await callApi({ method: 'GET', path: '/healthz', headers: { authorization: '' } })).status).toBe(200);
    const registered = await callApi({ method: 'POST', path: '/v1/models/packaged/versions', body: fixture.bytes, headers: { 'content-type': 'application/octet-stream' } });
    expect(registered.status, JSON.stringify(registered.json)).toBe(201);
    const config = { variants: [{ name: 'main', model: 'packaged', version: 1, weight: 100 }] };
    const created = await callApi({ method: 'PUT', path: '/v1/endpoints/packaged', body: JSON.stringify(config) });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const predicted = await callApi({ method: 'POST', path: '/v1/endpoints/packaged/predict', body: JSON.stringify({ inputs: fixture.inputs, id: 'pkg-1' }) });
    expect(predicted.status, JSON.stringify(predicted.json)).toBe(200);
    expect(predicted.json).toMatchObject({ id: 'pkg-1', endpoint: 'packaged', variant: 'main', model: 'packaged', version: 1 });
    for (const [name, expected] of Object.entries(fixture.expected)) expectClose(predicted.json.outputs[name], expected, name);
  }, 60_000);

  it('edge: answers a predict origin-request from the registry, and passes other requests to the origin', async () => {
    const edge = await functionOf(functions.edge);
    const body = JSON.stringify({ inputs: fixture.inputs, id: 'edge-1' });
    const answer = await edge.invoke<CloudFrontResultResponse>(
      originRequestEvent({ method: 'POST', path: '/v1/endpoints/packaged/predict', headers: { Authorization: authorization, 'Content-Type': 'application/json' }, body }),
    );
    expect(answer.status, answer.body).toBe('200');
    const json = JSON.parse(answer.body!);
    expect(json).toMatchObject({ id: 'edge-1', endpoint: 'packaged', model: 'packaged', version: 1 });
    for (const [name, expected] of Object.entries(fixture.expected)) expectClose(json.outputs[name], expected, name);
    const other = originRequestEvent({ method: 'GET', path: '/v1/models', headers: { Authorization: authorization } });
    expect(await edge.invoke(other)).toEqual(other.Records[0].cf.request);
    // Lambda@Edge has no environment: every resource name the code reads (the prediction-log
    // queue's too, once it reads it) and the home region are in the code, none left to the environment.
    const bundle = readFileSync(join((await packageOf(functions.edge)).dir, 'bundle.mjs'), 'utf8');
    for (const name of [names.tables.registry, names.bucket]) expect(bundle).toContain(JSON.stringify(name));
    expect(bundle).not.toMatch(/process\.env\.FLYWHEEL_(TABLE|QUEUE|BUCKET|HOME_REGION|ONNX)/);
  }, 60_000);

  it('monitor: turns the logged predictions into window counts and an archive', async () => {
    const { messages, arn } = await drain('predictionLogs');
    expect(messages.length).toBeGreaterThan(0);
    const monitor = await functionOf(functions.monitor);
    const result = await monitor.invoke<SQSBatchResponse>(sqsEventFrom(messages, arn));
    expect(result, monitor.output()).toEqual({ batchItemFailures: [] });
    expect(await totalCount(new DynamoWindowStore(clients.dynamodb, names.tables.monitoring), 'packaged')).toBeGreaterThanOrEqual(1);
    const archived = await clients.s3.send(new ListObjectsV2Command({ Bucket: names.bucket, Prefix: `${bucket.prefixes.logs}endpoint=packaged/` }));
    expect(archived.KeyCount).toBeGreaterThan(0);
  }, 60_000);

  it('api: streams its response, then flushes the prediction log — a slow queue delays the end of the invocation, not the answer', async () => {
    // A queue that takes 400 ms to answer: the api's own container, its queue reached through a proxy that holds each connection's first bytes.
    const slowQueue = await delayingProxy(new URL(emulatorEnv.FLYWHEEL_AWS_ENDPOINT_SQS), 400);
    const pkg = await packageOf(functions.api, hostArchitecture);
    const functionName = `flywheel-production-${pascal(functions.api.name)}`;
    const api = await startPackagedFunction({
      dir: pkg.dir,
      handler: pkg.handler,
      env: { ...lambdaRuntimeEnv(functionName, functions.api.memoryMb, pkg.dir, region), ...pkg.env, ...emulatorEnv, FLYWHEEL_AWS_ENDPOINT_SQS: slowQueue.url },
      functionName,
      memoryMb: functions.api.memoryMb,
      timeoutSeconds: functions.api.timeoutSeconds,
    });
    try {
      const body = JSON.stringify({ inputs: fixture.inputs, id: 'streamed-1' });
      const { result, afterResponseMs } = await api.invokeTimed<APIGatewayProxyStructuredResultV2 & { statusCode: number }>(
        functionUrlEvent({ method: 'POST', path: '/v1/endpoints/packaged/predict', headers: { authorization, 'content-type': 'application/json' }, body }),
      );
      expect(result.statusCode, api.output()).toBe(200);
      expect(result.headers?.['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(Buffer.from(result.body!, 'base64').toString())).toMatchObject({ id: 'streamed-1', endpoint: 'packaged' });
      // The response was complete before the log went to the slow queue; the invocation waited for it.
      expect(afterResponseMs).toBeGreaterThanOrEqual(350);
      const { messages } = await drain('predictionLogs');
      expect(messages.some((message) => message.Body!.includes('"id":"streamed-1/0"'))).toBe(true);
    } finally {
      await api.stop();
      await slowQueue.close();
    }
  }, 60_000);

  it('events: records the CloudEvents the API emitted, so GET /v1/events lists them', async () => {
    const { messages, arn } = await drain('events');
    const ids = messages.map((message) => (JSON.parse(message.Body!) as { id: string }).id);
    expect(ids.length).toBeGreaterThan(0);
    const events = await functionOf(functions.events);
    expect(await events.invoke(sqsEventFrom(messages, arn))).toEqual({ batchItemFailures: [] });
    const listed = await callApi({ method: 'GET', path: '/v1/events', query: 'limit=1000' });
    expect(listed.status).toBe(200);
    expect(listed.json.events.map((event: { id: string }) => event.id)).toEqual(expect.arrayContaining(ids));
  }, 60_000);

  it('train: runs a retraining job to a registered, checked new version', async () => {
    const dataset = generateTabularDataset({ seed: 11, rows: 600, concept: 1 });
    const trained = await trainChallenger({ dataset, params: { trees: { rounds: 15 } } });
    const metadata = { features: registryFeatures(dataset.features, trained.layout), task: registryTask(dataset.task, trained.layout) };
    const registered = await callApi({
      method: 'POST',
      path: '/v1/models/churn/versions',
      body: trained.bytes,
      headers: { 'content-type': 'application/octet-stream', 'flywheel-metadata': JSON.stringify(metadata) },
    });
    expect(registered.status, JSON.stringify(registered.json)).toBe(201);
    const config = {
      variants: [{ name: 'control', model: 'churn', version: 1, weight: 100 }],
      retrain: { on: ['drift'], minLabels: 100, cooldownMinutes: 60, canaryPercent: 10, minImprovement: 0.01 },
    };
    expect((await callApi({ method: 'PUT', path: '/v1/endpoints/churn', body: JSON.stringify(config) })).status).toBe(201);
    // What the monitor would have archived and feedback would have labelled: shifted traffic.
    const shifted = await archiveShiftedTraffic({ clients, names } as TestSystem, 'churn', 'churn', 1, 400);
    const feedback = shifted.examples.map((example) => ({ id: example.key, label: example.label }));
    const labelled = await callApi({ method: 'POST', path: '/v1/endpoints/churn/feedback', body: JSON.stringify({ feedback }) });
    expect(labelled.status, JSON.stringify(labelled.json)).toBeLessThan(300);
    await drain('events');

    const requested = await callApi({ method: 'POST', path: '/v1/models/churn/retrain', body: JSON.stringify({ reason: 'packaging test' }) });
    expect(requested.status, JSON.stringify(requested.json)).toBe(202);
    const { messages, arn } = await drain('trainJobs');
    expect(messages.map((message) => JSON.parse(message.Body!).runId)).toEqual([requested.json.runId]);
    const train = await functionOf(functions.train);
    expect(await train.invoke(sqsEventFrom(messages, arn)), train.output()).toEqual({ batchItemFailures: [] });
    const run = await callApi({ method: 'GET', path: `/v1/runs/${requested.json.runId}` });
    expect(run.json, train.output()).toMatchObject({ status: 'succeeded', model: 'churn', parentVersion: 1, version: 2, dataset: { rows: 400 } });
    const version = await callApi({ method: 'GET', path: '/v1/models/churn/versions/2' });
    expect(version.json.lineage).toMatchObject({ runId: requested.json.runId, parentVersion: 1 });
    // The commit was bundled in at build time: the package runs where there is no git.
    const gitSha = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    expect(run.json.code).toEqual({ gitSha, trainer: expect.stringMatching(/^@flywheel\/train@\d/) });
    const tracked = await callApi({ method: 'GET', path: '/api/2.0/mlflow/runs/get', query: `run_id=${requested.json.runId}` });
    expect(tracked.json.run.data.tags).toContainEqual({ key: 'mlflow.source.git.commit', value: gitSha });
  }, 120_000);

  it('batch: plans a job the API accepted, scores its chunk and assembles the output the API serves', async () => {
    const features = ['a', 'b', 'c'].map((name, index) => ({ name, kind: 'numerical', input: 'x', index }));
    const registered = await callApi({
      method: 'POST',
      path: '/v1/models/scaled/versions',
      body: scaledModel(3),
      headers: { 'content-type': 'application/octet-stream', 'flywheel-metadata': JSON.stringify({ features }) },
    });
    expect(registered.status, JSON.stringify(registered.json)).toBe(201);
    const config = { variants: [{ name: 'main', model: 'scaled', version: 1, weight: 100 }] };
    expect((await callApi({ method: 'PUT', path: '/v1/endpoints/scaled', body: JSON.stringify(config) })).status).toBe(201);
    // Inline NDJSON, and a Parquet upload read by the bundled pure-JS reader.
    const upload = await callApi({ method: 'POST', path: '/v1/batch-uploads', body: JSON.stringify({ format: 'parquet' }) });
    expect(upload.status, JSON.stringify(upload.json)).toBe(201);
    const parquet = await parquetOf('SELECT 1::BIGINT AS a, 2.0::DOUBLE AS b, 3.0::DOUBLE AS c');
    expect((await fetch(upload.json.uploadUrl, { method: 'PUT', body: parquet })).status).toBe(200);
    for (const input of [{ records: [{ a: 1, b: 2, c: 3 }] }, { key: upload.json.key }]) {
      const submitted = await callApi({ method: 'POST', path: '/v1/endpoints/scaled/batch', body: JSON.stringify({ input }) });
      expect(submitted.status, JSON.stringify(submitted.json)).toBe(202);
      const batch = await functionOf(functions.batch);
      for (const kind of ['plan', 'chunk']) {
        const { messages, arn } = await drain('batchChunks');
        expect(messages.map((message) => JSON.parse(message.Body!).kind)).toEqual([kind]);
        expect(await batch.invoke(sqsEventFrom(messages, arn)), batch.output()).toEqual({ batchItemFailures: [] });
      }
      const job = await callApi({ method: 'GET', path: `/v1/batch-jobs/${submitted.json.jobId}` });
      expect(job.json).toMatchObject({ status: 'succeeded', rows: { total: 1, done: 1, failed: 0 } });
      const output = await callApi({ method: 'GET', path: `/v1/batch-jobs/${submitted.json.jobId}/output` });
      expect(output.json).toMatchObject({ row: 0, outputs: { y: [3, 6, 9] } });
    }
  }, 60_000);
  it('api: runs the feature store: rows in (Parquet written in JavaScript to S3), the online lookup, and a predict by entity key that equals the one by hand', async () => {
    const view = {
      entity: 'account_id',
      features: [
        { name: 'b', kind: 'numerical' },
        { name: 'c', kind: 'numerical' },
      ],
      ttlSeconds: 86_400,
    };
    expect((await callApi({ method: 'PUT', path: '/v1/feature-views/accounts', body: JSON.stringify(view) })).status).toBe(201);
    const at = new Date(Date.now() - 60_000).toISOString();
    const rows = [
      { account_id: 'acc-1', event_time: at, b: 2, c: 5 },
      { account_id: 'acc-2', event_time: at, b: 'two' },
    ];
    const ingested = await callApi({ method: 'POST', path: '/v1/feature-views/accounts/rows', body: JSON.stringify({ rows }) });
    expect(ingested.status, JSON.stringify(ingested.json)).toBe(200);
    expect(ingested.json).toMatchObject({ accepted: 1, rejected: [{ index: 1 }] });
    const stored = await clients.s3.send(new ListObjectsV2Command({ Bucket: names.bucket, Prefix: `${bucket.prefixes.features}view=accounts/date=${at.slice(0, 10)}/` }));
    expect(stored.Contents?.map((o) => o.Key)).toEqual([expect.stringMatching(/\/[0-9a-f]{64}\.parquet$/)]);
    const online = await callApi({ method: 'GET', path: '/v1/feature-views/accounts/online/acc-1' });
    expect(online.json, JSON.stringify(online.json)).toMatchObject({ entityId: 'acc-1', values: { b: 2, c: 5 }, eventTime: at });

    const features = [
      { name: 'a', kind: 'numerical', input: 'x', index: 0 },
      { name: 'b', kind: 'numerical', input: 'x', index: 1, view: 'accounts' },
      { name: 'c', kind: 'numerical', input: 'x', index: 2, view: 'accounts' },
    ];
    const registered = await callApi({
      method: 'POST',
      path: '/v1/models/by-account/versions',
      body: scaledModel(3),
      headers: { 'content-type': 'application/octet-stream', 'flywheel-metadata': JSON.stringify({ features }) },
    });
    expect(registered.status, JSON.stringify(registered.json)).toBe(201);
    expect(
      (await callApi({ method: 'PUT', path: '/v1/endpoints/by-account', body: JSON.stringify({ variants: [{ name: 'main', model: 'by-account', version: 1, weight: 100 }] }) }))
        .status,
    ).toBe(201);
    const predict = (records: unknown[]) => callApi({ method: 'POST', path: '/v1/endpoints/by-account/predict', body: JSON.stringify({ records }) });
    const byKey = await predict([{ account_id: 'acc-1', a: 1 }]);
    const byHand = await predict([{ a: 1, b: 2, c: 5 }]);
    expect(byKey.status, JSON.stringify(byKey.json)).toBe(200);
    expect(byKey.json.outputs).toEqual(byHand.json.outputs);
    expect(byKey.json.outputs).toEqual({ y: [[3, 6, 15]] });
  }, 60_000);

  it('erasure: works an erasure the API accepted, from its queue, with only the resources it is granted', async () => {
    const requested = await callApi({ method: 'POST', path: '/v1/erasures', body: JSON.stringify({ subject: { unit: 'packaged-subject' }, reason: 'packaging test' }) });
    expect(requested.status, JSON.stringify(requested.json)).toBe(202);
    const { messages, arn } = await drain('erasures');
    expect(messages.map((message) => JSON.parse(message.Body!).erasureId)).toEqual([requested.json.erasureId]);
    const erasure = await functionOf(functions.erasure);
    expect(await erasure.invoke(sqsEventFrom(messages, arn)), erasure.output()).toEqual({ batchItemFailures: [] });
    const done = await callApi({ method: 'GET', path: `/v1/erasures/${requested.json.erasureId}` });
    expect(done.json, erasure.output()).toMatchObject({ status: 'succeeded', phase: 'done' });
    expect(done.json.report.archive.objectsScanned).toBeGreaterThan(0);

    // An entity of a feature view: its online item deleted, its Parquet rewritten in the function.
    const view = { entity: 'user_id', features: [{ name: 'age', kind: 'numerical' }] };
    expect((await callApi({ method: 'PUT', path: '/v1/feature-views/erasable', body: JSON.stringify(view) })).status).toBe(201);
    const rows = [
      { user_id: 'u1', event_time: '2026-01-01T00:00:00Z', age: 30 },
      { user_id: 'u2', event_time: '2026-01-01T00:00:00Z', age: 50 },
    ];
    expect((await callApi({ method: 'POST', path: '/v1/feature-views/erasable/rows', body: JSON.stringify({ rows }) })).json).toMatchObject({ accepted: 2 });
    const byEntity = await callApi({
      method: 'POST',
      path: '/v1/erasures',
      body: JSON.stringify({ subject: { entity: { view: 'erasable', id: 'u1' } }, reason: 'packaging test' }),
    });
    expect(byEntity.status, JSON.stringify(byEntity.json)).toBe(202);
    const entityMessages = await drain('erasures');
    expect(await erasure.invoke(sqsEventFrom(entityMessages.messages, entityMessages.arn)), erasure.output()).toEqual({ batchItemFailures: [] });
    const erased = await callApi({ method: 'GET', path: `/v1/erasures/${byEntity.json.erasureId}` });
    expect(erased.json, erasure.output()).toMatchObject({ status: 'succeeded', report: { features: { onlineItemsDeleted: 1, offlineFilesRewritten: 1 } } });
    expect((await callApi({ method: 'GET', path: '/v1/feature-views/erasable/online/u1' })).json.values).toEqual({ age: null });
    expect((await callApi({ method: 'GET', path: '/v1/feature-views/erasable/online/u2' })).json.values).toEqual({ age: 50 });
  }, 120_000);

  const ruleArn = (fn: FunctionDefinition) => `arn:aws:events:${region}:123456789012:rule/flywheel-production-${pascal(fn.name)}ScheduleRule`;

  it('replay: re-sends a spilled prediction-log batch to the queue and removes it from the spill, on its schedule', async () => {
    await drain('predictionLogs');
    const spill = new S3PredictionLogSpill(clients.s3, names.bucket);
    const body = batchBody([logRecord(1, { endpoint: 'packaged' }), logRecord(2, { endpoint: 'packaged' })]);
    await spill.write('spilled-batch-1', body);
    const replay = await functionOf(functions.replay);
    expect(await replay.invoke(scheduledEvent(ruleArn(functions.replay)))).toEqual({ replayed: 1, failed: 0 });
    expect((await drain('predictionLogs')).messages.map((message) => message.Body)).toEqual([body]);
    const left: string[] = [];
    for await (const key of spill.keys()) left.push(key);
    expect(left).toEqual([]);
  }, 60_000);

  it.each(all.filter((fn) => fn.trigger.kind === 'schedule' && fn.name !== 'replay').map((fn) => [fn.name, fn] as const))(
    '%s: runs from an EventBridge schedule event',
    async (_, fn) => {
      const scheduled = await functionOf(fn);
      await expect(scheduled.invoke(scheduledEvent(ruleArn(fn)))).resolves.not.toThrow();
    },
    60_000,
  );
});

/** A TCP proxy to `target` that holds each connection's first bytes for `delayMs`: a slow service. */
async function delayingProxy(target: URL, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    client.pause();
    const timer = setTimeout(() => {
      client.pipe(upstream);
      client.resume();
    }, delayMs);
    upstream.pipe(client);
    const close = () => {
      clearTimeout(timer);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
