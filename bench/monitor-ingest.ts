// Monitor benchmarks: ingest throughput on one core (20 features), window state size as traffic
// grows, and the cost of a drift query over 30 days of hourly windows.
//   npx tsx bench/monitor-ingest.ts [--records 200000]
import { cpus, loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import {
  buildReferenceProfile,
  decodePredictionLogBatch,
  encodeBatchBody,
  encodeLogRecord,
  packMessages,
  SQS_PACKING_LIMITS,
  type ColumnSpec,
  type PredictionLogRecord,
  type ReferenceProfile,
  silentLogger,
  WindowStateBuilder,
  emptyWindowState,
  mergeWindowStates,
  windowKeyId,
  type BatchLedger,
  type StoredWindow,
  type WindowKey,
  type WindowState,
  type WindowStore,
} from '@flywheel/core';
import { LogIngest, NO_NOTIFIER, queryDrift, type MonitorDependencies } from '@flywheel/monitor';
import { createAwsClients, DynamoModelRegistry, DynamoWindowStore, type AwsClients, encodeArchive } from '@flywheel/aws';
import { createMonitorDependencies, StackAdapters } from '@flywheel/deploy';
import { functions } from '@flywheel/infra';
import { provisionStack, startEmbeddedAws } from '@flywheel/local';
import { seededRandom } from '@flywheel/testing/drift/random';
import { tempDataDir } from '@flywheel/testing/temp-dir';

const argRecords = process.argv.indexOf('--records');
const RECORDS = argRecords > 0 ? Number(process.argv[argRecords + 1]) : 200_000;
const HOUR = 3_600_000;
/** Messages per monitor invocation as deployed (the event source's batch size in infra/). */
const MONITOR_BATCH = functions.monitor.trigger.batchSize;
const random = seededRandom(42);

const NUMERICAL = 15;
const CATEGORICAL = 5;
const CATEGORIES = Array.from({ length: 12 }, (_, i) => `cat-${i}`);
const features: ColumnSpec[] = [
  ...Array.from({ length: NUMERICAL }, (_, i) => ({ name: `n${i}`, kind: 'numerical' as const })),
  ...Array.from({ length: CATEGORICAL }, (_, i) => ({ name: `c${i}`, kind: 'categorical' as const })),
];

function row(): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (let i = 0; i < NUMERICAL; i++) inputs[`n${i}`] = Math.round(random.normal(i * 10, 1 + i) * 1000) / 1000;
  for (let i = 0; i < CATEGORICAL; i++) inputs[`c${i}`] = CATEGORIES[random.pick([6, 5, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1])];
  return inputs;
}

const profile: ReferenceProfile = buildReferenceProfile({
  features,
  records: Array.from({ length: 10_000 }, row),
  outputs: [{ name: 'score', kind: 'numerical' }],
  outputRecords: Array.from({ length: 10_000 }, () => ({ score: random.uniform() })),
});

const hourStart = Math.floor(Date.now() / HOUR) * HOUR - 24 * HOUR;
function record(i: number, hour = 0, model = 'bench-model'): PredictionLogRecord {
  return {
    id: `req-${i}/0`,
    time: new Date(hourStart + hour * HOUR + (i % 3_000_000)).toISOString(),
    endpoint: 'bench',
    variant: 'main',
    model,
    version: 1,
    configVersion: 1,
    inputs: row(),
    outputs: { score: random.uniform() },
    latencyMs: random.lognormal(1, 0.5),
    status: 'ok',
    unit: 'x6dMNFO6T1pb4dGTrHcXZw',
  };
}

/** Real message bodies, packed as the sink packs them (256 KiB messages). */
function messages(count: number, model?: string): { messageId: string; body: string }[] {
  const encoded = Array.from({ length: count }, (_, i) => encodeLogRecord(record(i, 0, model)));
  return packMessages(encoded, SQS_PACKING_LIMITS.maxMessageBytes).map((run, i) => ({
    messageId: `m-${i}`,
    body: encodeBatchBody(`bench-${i}-${Math.random().toString(36).slice(2, 10)}`, run),
  }));
}

// --- In-memory ports: the monitor's logic with storage taken out of the measurement. ---
class MemoryWindows implements WindowStore {
  readonly items = new Map<string, StoredWindow>();
  async get(key: WindowKey) {
    return this.items.get(windowKeyId(key));
  }
  async put(key: WindowKey, state: WindowState, applied: readonly string[], expectedRevision: number) {
    const current = this.items.get(windowKeyId(key));
    if ((current?.revision ?? 0) !== expectedRevision) return false;
    this.items.set(windowKeyId(key), { key, state, applied: new Set(applied), revision: expectedRevision + 1 });
    return true;
  }
  async forget(key: WindowKey, ids: readonly string[]) {
    const current = this.items.get(windowKeyId(key));
    if (current) this.items.set(windowKeyId(key), { ...current, applied: new Set([...current.applied].filter((id) => !ids.includes(id))), revision: current.revision + 1 });
  }
  async list(endpoint: string, from: string, to: string) {
    return [...this.items.values()].filter((w) => w.key.endpoint === endpoint && w.key.start >= from && w.key.start < to).sort((a, b) => (a.key.start < b.key.start ? -1 : 1));
  }
}

class MemoryLedger implements BatchLedger {
  readonly done = new Map<string, readonly WindowKey[]>();
  async claim(batchId: string) {
    const windows = this.done.get(batchId);
    return windows ? { status: 'done' as const, windows } : { status: 'claimed' as const };
  }
  async complete(batchId: string, _owner: string, windows: readonly WindowKey[]) {
    this.done.set(batchId, windows);
  }
  async release() {}
}

function memoryDependencies(options: { encodeArchive?: boolean } = {}): MonitorDependencies {
  return {
    windows: new MemoryWindows(),
    ledger: new MemoryLedger(),
    archive: { put: async (_key, lines) => void (options.encodeArchive ? await encodeArchive(lines) : undefined) },
    profiles: { get: async () => profile },
    deadLetters: { send: async () => undefined },
    alerts: {
      states: async () => [],
      getState: async () => undefined,
      saveState: async () => true,
      create: async () => undefined,
      get: async () => undefined,
      transition: async () => undefined,
      list: async () => [],
    },
    events: { publish: async () => undefined },
    driftScores: { put: async () => undefined, list: async () => [] },
    notifier: NO_NOTIFIER,
  };
}

interface Rate {
  /** Records per second of wall-clock time. */
  wall: number;
  /** Records per second of CPU time of this process (all its threads): what one core sustains, whatever else the machine runs. */
  cpu: number;
}

async function measure(run: () => Promise<number>): Promise<Rate> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const records = await run();
  const wallSeconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { wall: records / wallSeconds, cpu: records / ((used.user + used.system) / 1e6) };
}

function ingestRate(monitor: LogIngest, bodies: { messageId: string; body: string }[], perInvocation: number): Promise<Rate> {
  return measure(async () => {
    let records = 0;
    for (let i = 0; i < bodies.length; i += perInvocation) {
      const result = await monitor.ingest(bodies.slice(i, i + perInvocation));
      if (result.failedMessageIds.length > 0) throw new Error('ingest failed');
      records += result.stats.records;
    }
    return records;
  });
}

/**
 * What the requests of a run cost in AWS: DynamoDB capacity units as dynalite computes them
 * (`ReturnConsumedCapacity`, DynamoDB's own rules: writes per 1 KB of the larger of the old and
 * new item, strongly consistent reads per 4 KB) and S3 requests by kind, counted by middleware on
 * the bench's clients. Queries report no capacity in dynalite: counted as requests.
 */
class RequestMeter {
  wcu = 0;
  rcu = 0;
  readonly requests = new Map<string, number>();
  on = false;

  attach(clients: AwsClients): void {
    clients.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.on) return next(args);
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity = 'TOTAL';
        const command = String(context.commandName);
        this.count(`dynamodb ${command}`);
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
        const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        if (/^(Get|BatchGet|Query|Scan)/.test(command)) this.rcu += units;
        else this.wcu += units;
        return result;
      },
      { step: 'initialize', name: 'benchRequestMeter' },
    );
    clients.s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (this.on) this.count(`s3 ${context.commandName}`);
        return next(args);
      },
      { step: 'initialize', name: 'benchRequestMeter' },
    );
  }

  count(name: string): void {
    this.requests.set(name, (this.requests.get(name) ?? 0) + 1);
  }

  reset(): void {
    this.wcu = 0;
    this.rcu = 0;
    this.requests.clear();
  }

  /** Per million records. */
  perMillion(records: number): string {
    const scale = 1e6 / records;
    const kinds = [...this.requests].sort().map(([name, n]) => `${name.replace('Command', '')} ${fmt(n * scale)}`);
    return `WCU ${fmt(this.wcu * scale)}, RCU ${fmt(this.rcu * scale)}; requests: ${kinds.join(', ')}`;
  }
}

/**
 * The whole monitor against dynalite + fauxqs, in alternating rounds: without the feedback join
 * (the baseline), with it on rows the join does not keep (this bench's endpoint and model are not
 * registered: one variant, no task), and with it on rows it keeps (a registered model version
 * with a task: every row written for its feedback).
 */
async function storedIngest(clients: AwsClients, names: Awaited<ReturnType<typeof provisionStack>>): Promise<void> {
  await new DynamoModelRegistry(clients.dynamodb, names.tables.registry).register({
    model: 'bench-model-task',
    sha256: '0'.repeat(64),
    sizeBytes: 1,
    signature: { inputs: [], outputs: [] },
    notes: [],
    task: { type: 'regression', output: 'score' },
    lineage: {},
    createdAt: new Date().toISOString(),
  });
  const meter = new RequestMeter();
  meter.attach(clients);
  const variants = [
    { name: 'no join (baseline)', join: false, model: 'bench-model' },
    { name: 'join on, rows not kept (one variant, no task)', join: true, model: 'bench-model' },
    { name: 'join on, every row kept (version with a task)', join: true, model: 'bench-model-task' },
  ];
  const rates = variants.map(() => [] as Rate[]);
  const costs = variants.map(() => '');
  const records = Math.max(10_000, Math.round(RECORDS / 2));
  for (let round = 0; round < 3; round++) {
    for (const [i, variant] of variants.entries()) {
      const { predictions, ...rest } = createMonitorDependencies(new StackAdapters(clients, names));
      const deps = { ...rest, ...(variant.join ? { predictions } : {}), profiles: { get: async () => profile } };
      // Fresh batch ids per round, so every round does all the writes.
      const fresh = messages(records, variant.model);
      meter.reset();
      meter.on = round === 0;
      rates[i].push(await ingestRate(new LogIngest(deps, quiet), fresh, MONITOR_BATCH));
      if (round === 0) costs[i] = meter.perMillion(records);
      meter.on = false;
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const baseline = median(rates[0].map((r) => r.cpu));
  console.log(`  whole monitor, S3 + DynamoDB (dynalite + fauxqs in-process), ${fmt(records)} records per round, ${MONITOR_BATCH} messages per invocation, alternating:`);
  for (const [i, variant] of variants.entries()) {
    const cpu = median(rates[i].map((r) => r.cpu));
    console.log(
      `    ${variant.name.padEnd(48)} ${fmt(cpu).padStart(7)} records per CPU-second (${((100 * cpu) / baseline).toFixed(1)} % of the baseline), ${fmt(median(rates[i].map((r) => r.wall)))} per wall-clock second (medians of ${rates[i].length})`,
    );
  }
  console.log('  what the monitor asks of AWS, per million records (first round of each):');
  for (const [i, variant] of variants.entries()) console.log(`    ${variant.name}: ${costs[i]}`);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const quiet = { logger: silentLogger };

async function main(): Promise<void> {
  console.log(`monitor benchmarks — ${NUMERICAL} numerical + ${CATEGORICAL} categorical features, Node ${process.version}\n`);
  const bodies = messages(RECORDS);
  const bodyBytes = bodies.reduce((sum, m) => sum + m.body.length, 0);
  console.log(`${fmt(RECORDS)} records in ${bodies.length} messages of ≤ 256 KiB (${fmt(bodyBytes / RECORDS)} bytes per record)`);
  const reference = performance.now();
  let sum = 0;
  for (let i = 0; i < 1e8; i++) sum += i;
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model}), load average ${loadavg()[0].toFixed(1)}, 1e8-add loop ${(performance.now() - reference).toFixed(0)} ms${sum > 0 ? '' : ''}\n`,
  );
  await ingestRate(new LogIngest(memoryDependencies(), quiet), messages(20_000), MONITOR_BATCH);

  // 1. Throughput: best and median of a few rounds (the machine may be shared; best shows capacity).
  const rounds = 5;
  const summary = (rates: Rate[]) => {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return `${fmt(median(rates.map((r) => r.cpu))).padStart(9)} records per CPU-second, ${fmt(median(rates.map((r) => r.wall)))} per wall-clock second (medians of ${rates.length})`;
  };
  const coreRates: Rate[] = [];
  for (let round = 0; round < rounds; round++) {
    coreRates.push(
      await measure(async () => {
        let decoded = 0;
        const builder = new WindowStateBuilder(profile);
        for (const { body } of bodies) {
          const batch = decodePredictionLogBatch(body);
          for (const r of batch.records) builder.add(r);
          decoded += batch.records.length;
        }
        return decoded;
      }),
    );
  }
  console.log(`ingest throughput (one process; the JS runs on one core, archive gzip on libuv threads)`);
  console.log(`  decode + validate + count into the window:          ${summary(coreRates)}`);
  const memoryRates: Rate[] = [];
  for (let round = 0; round < rounds; round++) memoryRates.push(await ingestRate(new LogIngest(memoryDependencies(), quiet), bodies, MONITOR_BATCH));
  console.log(`  whole monitor, storage in memory (S3/Dynamo out):   ${summary(memoryRates)}`);
  const encodedRates: Rate[] = [];
  for (let round = 0; round < rounds; round++) encodedRates.push(await ingestRate(new LogIngest(memoryDependencies({ encodeArchive: true }), quiet), bodies, MONITOR_BATCH));
  console.log(`  … plus gzipping the archive objects (not sent):     ${summary(encodedRates)}`);

  const dir = await tempDataDir('bench');
  const aws = await startEmbeddedAws({ dataDir: dir.path });
  const clients = createAwsClients({ endpoints: aws.endpoints });
  const names = await provisionStack(clients, { prefix: 'bench' });
  try {
    await storedIngest(clients, names);

    // 2. Window state size.
    console.log('\nwindow state per feature (21 columns: 20 features + 1 output)');
    let state = emptyWindowState(profile);
    let counted = 0;
    for (const target of [1_000, 10_000, 100_000, 1_000_000]) {
      const b = new WindowStateBuilder(profile);
      for (; counted < target; counted++) b.add(record(counted));
      state = mergeWindowStates(state, b.build());
      const json = JSON.stringify(state);
      const sketchJson = JSON.stringify(state.sketch);
      console.log(
        `  ${fmt(target).padStart(9)} records: ${fmt(Buffer.byteLength(sketchJson) / 21)} B/column JSON, ${fmt(gzipSync(json).length / 21)} B/column stored (gzip); whole window ${fmt(Buffer.byteLength(json))} B JSON`,
      );
    }

    // 3. Drift over 30 days of hourly windows.
    const windows = new MemoryWindows();
    const dynamoWindows = new DynamoWindowStore(clients.dynamodb, names.tables.monitoring);
    const base = Math.floor(Date.now() / HOUR) * HOUR - 720 * HOUR;
    for (let h = 0; h < 720; h++) {
      const b = new WindowStateBuilder(profile);
      for (let i = 0; i < 200; i++) b.add(record(h * 1000 + i));
      const key = { endpoint: 'bench-30d', variant: 'main', model: 'bench-model', version: 1, start: new Date(base + h * HOUR).toISOString() };
      await windows.put(key, b.build(), [], 0);
      await dynamoWindows.put(key, b.build(), [], 0);
    }
    const query = { endpoint: 'bench-30d', from: new Date(base).toISOString(), to: new Date(base + 720 * HOUR).toISOString() };
    const profiles = { get: async () => profile };
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      const result = await queryDrift(windows, profiles, query);
      times.push(performance.now() - t);
      if (result.status !== 'ok' || result.count !== 720 * 200) throw new Error('unexpected drift result');
    }
    const readTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await queryDrift(dynamoWindows, profiles, query);
      readTimes.push(performance.now() - t);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log('\ndrift query over 30 days of hourly windows (720 merges, 21 columns)');
    console.log(`  merge + evaluate, windows in memory:        ${median(times).toFixed(1)} ms (median of ${times.length})`);
    console.log(`  read 720 windows from DynamoDB (dynalite) + merge + evaluate: ${median(readTimes).toFixed(1)} ms (median of ${readTimes.length})`);
  } finally {
    clients.dynamodb.destroy();
    clients.sqs.destroy();
    clients.s3.destroy();
    await aws.stop();
    await dir.remove();
  }
}

await main();
