import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@flywheel/core';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  DynamoDatasetRegistry,
  DynamoErasedSubjects,
  DynamoWindowStore,
  LOCAL_UNIT_HASH_KEY,
  S3DatasetStore,
  S3LogArchive,
  S3LogArchiveReader,
  hmacUnitHasher,
} from '@flywheel/aws';
import { createFeatureEraser, createErasureHandler, createEventsHandler, createMonitorHandler, StackAdapters } from '@flywheel/deploy';
import { bucket as bucketDefinition } from '@flywheel/infra';
import { archiveKey } from '@flywheel/monitor';
import { assembleExamples, canonicalDatasetBytes, type LabelRow, type LoggedRow } from '@flywheel/train';
import type { ErasureWorkDependencies } from '@flywheel/core';
import { expectProblem } from '@flywheel/testing/models';
import { classifierEndpoint, postFeedback, predictRow } from '@flywheel/testing/feedback-fixtures';
import { eventually, lambdaContext, logRecord, queueDrained, sqsEvent } from '@flywheel/testing/monitor-fixtures';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { erasureViewSchema } from '../packages/api/src/routes/erasures.ts';

const hashUnit = hmacUnitHasher(LOCAL_UNIT_HASH_KEY);
// The archive is read by date partition: a range of a few days around now.
const WIDE = { from: new Date(Date.now() - 2 * 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() };

/** Every object in the bucket as text (gunzipped when it is gzip). */
async function bucketTexts(system: TestSystem): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await system.clients.s3.send(new ListObjectsV2Command({ Bucket: system.names.bucket, ContinuationToken: token }));
    for (const { Key } of page.Contents ?? []) {
      const { Body } = await system.clients.s3.send(new GetObjectCommand({ Bucket: system.names.bucket, Key: Key! }));
      const bytes = Buffer.from(await Body!.transformToByteArray());
      texts.set(Key!, (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8'));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return texts;
}

/** Every item of every table, as JSON text. */
async function tableItems(system: TestSystem): Promise<{ table: string; item: Record<string, unknown>; text: string }[]> {
  const items: { table: string; item: Record<string, unknown>; text: string }[] = [];
  for (const table of Object.values(system.names.tables)) {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await system.clients.dynamodb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      for (const raw of page.Items ?? []) {
        const item = unmarshall(raw);
        items.push({ table, item, text: JSON.stringify(item) });
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return items;
}

/** The erasure's own bookkeeping keeps the unit hash (to resume, and to leave the unit out of later datasets), never the unit or its rows once done. */
const isErasureBookkeeping = (item: Record<string, unknown>) => /^(ERASURE#|ERASURE-SUBJECT#|ERASED-UNITS$)/.test(String(item.pk));

async function erasureWhen(system: TestSystem, erasureId: string, done: (view: ErasureView) => boolean, timeoutMs = 30_000): Promise<ErasureView> {
  return eventually(async () => erasureView(await system.api(`/v1/erasures/${erasureId}`)), done, timeoutMs, 200);
}

/** The erasure as answered; what is answered is what the OpenAPI document says. */
async function erasureView(response: Response): Promise<ErasureView> {
  return erasureViewSchema.parse(await response.json()) as ErasureView;
}

interface ErasureView {
  erasureId: string;
  status: string;
  phase: string;
  error?: string;
  progress: Record<string, number>;
  report?: {
    archive: { objectsScanned: number; objectsRewritten: number; rowsRemoved: number; objects: string[] };
    feedback: { itemsDeleted: number };
    joins: { predictionItemsDeleted: number };
    datasets: { scanned: number; marked: number; rowsRemoved: number; sha256: string[] };
    features: unknown;
    windows: { changed: boolean };
  };
}

describe('erasure by subject', () => {
  let system: TestSystem;
  const ENDPOINT = 'shop';
  const ALICE = 'alice@example.com';
  const BOB = 'bob@example.com';
  const aliceIds = ['ra-1', 'ra-2', 'ra-3', 'ra-4', 'ra-5', 'ra-6'];
  const bobIds = ['rb-1', 'rb-2', 'rb-3', 'rb-4', 'rb-5', 'rb-6'];

  beforeAll(async () => {
    system = await startTestSystem({
      consumers: {
        monitor: (clients, names) => createMonitorHandler(clients, names, { logger: silentLogger }),
        events: (clients, names) => createEventsHandler(clients, names, { logger: silentLogger }),
        erasure: (clients, names) => createErasureHandler(clients, names, { logger: silentLogger, features: createFeatureEraser(clients, names) }),
      },
    });
    await classifierEndpoint(system, ENDPOINT);
  });
  afterAll(() => system?.stop());

  it('removes a unit from the archive, feedback, joins and datasets; window counts stay as they were', async () => {
    // Three rounds, so the subject's rows sit in several archive objects beside another subject's.
    for (let round = 0; round < 3; round++) {
      for (const i of [round * 2, round * 2 + 1]) {
        await predictRow(system, ENDPOINT, { id: aliceIds[i], hot: i % 3, unit: ALICE });
        await predictRow(system, ENDPOINT, { id: bobIds[i], hot: i % 3, unit: BOB });
      }
      await system.api('/healthz');
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await queueDrained(system.clients.sqs, system.names.queues.predictionLogs);
    }
    const labelled = [...aliceIds.slice(0, 4), ...bobIds.slice(0, 4)];
    const feedback = await postFeedback(system, ENDPOINT, { feedback: labelled.map((id) => ({ id, label: 'a', outcome: true })) });
    expect(feedback.status).toBe(202);

    const aliceHash = hashUnit(ALICE);
    const reader = new S3LogArchiveReader(system.clients.s3, system.names.bucket);
    const archived = await eventually(
      async () => {
        const records = [];
        for await (const record of reader.records(ENDPOINT, WIDE)) records.push(record);
        return records;
      },
      (records) => records.length === 12,
    );
    expect(
      archived
        .filter((r) => r.unit === aliceHash)
        .map((r) => r.id)
        .sort(),
    ).toEqual(aliceIds.map((id) => `${id}/0`));

    // A dataset assembled as the trainer assembles one: archived rows joined with their labels.
    const labels: LabelRow[] = [];
    for await (const label of new StackAdapters(system.clients, system.names).feedback.feedback.labels(ENDPOINT, WIDE)) labels.push(label);
    const rows: LoggedRow[] = archived.map((r) => ({ id: r.id.split('/')[0], row: 0, time: r.time, features: r.inputs }));
    const { examples } = await assembleExamples(rows, labels);
    expect(examples).toHaveLength(8);
    // Registered as the trainer registers a run's dataset: its bytes by content address, a version naming them.
    const bytes = canonicalDatasetBytes(examples);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const datasets = new S3DatasetStore(system.clients.s3, system.names.bucket);
    const datasetRegistry = new DynamoDatasetRegistry(system.clients.dynamodb, system.names.tables.registry);
    await datasets.put(sha256, bytes);
    const { dataset } = await datasetRegistry.register({
      name: 'erasure-model',
      sha256,
      rows: 8,
      sizeBytes: bytes.byteLength,
      schema: { features: [{ name: 'x', kind: 'numerical' }], label: { task: 'multiclass-classification', classes: ['a'] } },
      labels: { kind: 'classes', counts: { a: 8 } },
      timeRange: WIDE,
      source: { endpoint: ENDPOINT },
      createdBy: { runId: 'run-erasure-dataset' },
      createdAt: new Date().toISOString(),
    });

    const before = await bucketTexts(system);
    const aliceObjects = [...before].filter(([key, text]) => key.startsWith(bucketDefinition.prefixes.logs) && text.includes(aliceHash)).map(([key]) => key);
    expect(aliceObjects.length).toBeGreaterThanOrEqual(2);
    const itemsBefore = await tableItems(system);
    expect(itemsBefore.filter(({ text }) => text.includes('"ra-')).length).toBeGreaterThan(0);
    const windows = new DynamoWindowStore(system.clients.dynamodb, system.names.tables.monitoring);
    const windowsBefore = await windows.list(ENDPOINT, WIDE.from, WIDE.to);
    expect(windowsBefore.length).toBeGreaterThan(0);

    // Asked twice at once: one erasure.
    const body = { subject: { unit: ALICE }, reason: 'GDPR art. 17 request 2026-118' };
    const answers = await Promise.all([0, 1].map(() => system.api('/v1/erasures', { method: 'POST', json: body })));
    expect(answers.map((r) => r.status)).toEqual([202, 202]);
    const [first, second] = (await Promise.all(answers.map((r) => r.json()))) as { erasureId: string }[];
    expect(second.erasureId).toBe(first.erasureId);

    const done = await erasureWhen(system, first.erasureId, (view) => view.status === 'succeeded');
    expect(done.report).toMatchObject({
      archive: { objectsRewritten: aliceObjects.length, rowsRemoved: 6 },
      feedback: { itemsDeleted: 4 },
      joins: { predictionItemsDeleted: 6 },
      datasets: { scanned: 1, marked: 1, rowsRemoved: 4, sha256: [sha256] },
      features: { requested: false },
      windows: { changed: false },
    });
    expect([...done.report!.archive.objects].sort()).toEqual([...aliceObjects].sort());
    const claimsBefore = itemsBefore.filter(({ item }) => String(item.pk).startsWith('EXPERIMENTUNIT#') && String(item.sk).endsWith(`#${aliceHash}`));
    expect(claimsBefore.length).toBeGreaterThan(0);
    expect(done.report).toMatchObject({ experiments: { unitClaimsDeleted: claimsBefore.length } });

    // Scanned through the SDK: no object and no item holds the subject's rows, the other subject's are all there.
    const after = await bucketTexts(system);
    for (const [key, text] of after) {
      expect(text.includes(aliceHash), key).toBe(false);
      for (const id of aliceIds) expect(text.includes(`"${id}/0"`), `${key} still holds ${id}`).toBe(false);
    }
    const remaining = [];
    for await (const record of reader.records(ENDPOINT, WIDE)) remaining.push(record.id);
    expect(remaining.sort()).toEqual(bobIds.map((id) => `${id}/0`));
    for (const { table, item, text } of await tableItems(system)) {
      expect(text.includes(ALICE), `${table} ${text}`).toBe(false);
      for (const id of aliceIds) expect(text.includes(`${id}/0`), `${table} ${text}`).toBe(false);
      if (!isErasureBookkeeping(item)) expect(text.includes(aliceHash), `${table} ${text}`).toBe(false);
    }
    const kept = ((await datasets.lines(sha256)) ?? []) as { key: string }[];
    expect(kept.map((line) => line.key).sort()).toEqual(bobIds.slice(0, 4).map((id) => `${id}/0`));
    // The version still names the bytes runs trained on, and says rows were erased since.
    const marked = (await datasetRegistry.get(dataset.name, dataset.version))!;
    expect(marked.sha256).toBe(sha256);
    expect(marked.erasures).toEqual([{ erasureId: first.erasureId, rows: 4, at: expect.any(String) }]);
    // Bob's feedback is still there; Alice's is gone.
    const labelsAfter: string[] = [];
    for await (const label of new StackAdapters(system.clients, system.names).feedback.feedback.labels(ENDPOINT, WIDE)) labelsAfter.push(label.id);
    expect(labelsAfter.sort()).toEqual(bobIds.slice(0, 4));

    // Aggregates keep their counts: every window exactly as it was.
    expect(await windows.list(ENDPOINT, WIDE.from, WIDE.to)).toEqual(windowsBefore);
    // Later datasets leave the subject out.
    expect((await new DynamoErasedSubjects(system.clients.dynamodb, system.names.tables.operations).units()).has(aliceHash)).toBe(true);

    // Done, the same request starts a new erasure (new rows may have been logged since).
    const again = await system.api('/v1/erasures', { method: 'POST', json: body });
    expect(again.status).toBe(202);
    const repeat = (await again.json()) as { erasureId: string };
    expect(repeat.erasureId).not.toBe(first.erasureId);
    const repeated = await erasureWhen(system, repeat.erasureId, (view) => view.status === 'succeeded');
    expect(repeated.report).toMatchObject({ archive: { objectsRewritten: 0, rowsRemoved: 0 }, feedback: { itemsDeleted: 0 } });
  }, 120_000);

  it('records the erasure in the audit log with its actor', async () => {
    const audit = await eventually(
      async () => (await (await system.api('/v1/audit?limit=200')).json()) as { records: { path: string; method: string; status: number; actor: { keyName: string } }[] },
      (page) => page.records.some((r) => r.path === '/v1/erasures'),
    );
    const record = audit.records.find((r) => r.path === '/v1/erasures')!;
    expect(record).toMatchObject({ method: 'POST', status: 202, actor: { keyName: expect.any(String) } });
    expect(JSON.stringify(audit.records)).not.toContain(ALICE);
  });

  it('refuses bad requests with problem+json and starts nothing', async () => {
    const post = (json: unknown, key?: string | null) => system.api('/v1/erasures', { method: 'POST', json, ...(key === undefined ? {} : { key }) });
    await expectProblem(await post({ subject: {}, reason: 'x' }), 400);
    await expectProblem(await post({ subject: { unit: 'u' } }), 400);
    await expectProblem(await post({ subject: { unit: 'u' }, reason: 'x', extra: 1 }), 400);
    await expectProblem(await post({ subject: { unit: 'u', email: 'e' }, reason: 'x' }), 400);
    await expectProblem(await post({ subject: { entity: { view: 'users' } }, reason: 'x' }), 400);
    await expectProblem(await post({ subject: { entity: { view: 'nowhere', id: '42' } }, reason: 'x' }), 404);
    await expectProblem(await post({ subject: { unit: 'x'.repeat(300) }, reason: 'x' }), 400);
    await expectProblem(await post({ subject: { unit: 'u' }, reason: 'x' }, null), 401);
    const created = await system.api('/v1/keys', { method: 'POST', json: { name: 'reader', scopes: ['read'] } });
    const { key } = (await created.json()) as { key: string };
    await expectProblem(await post({ subject: { unit: 'u' }, reason: 'x' }, key), 403);
    await expectProblem(await system.api('/v1/erasures/er-000000000000000000000000'), 404);
    await expectProblem(await system.api(`/v1/erasures/${'z'.repeat(3000)}`), 404);
    const erasures = (await tableItems(system)).filter(({ item }) => String(item.pk).startsWith('ERASURE#') && item.sk === 'ERASURE');
    expect(erasures).toHaveLength(2);
  });

  it('erases an entity from the feature store: its online row and its offline rows', async () => {
    const view = (path: string, init?: Parameters<TestSystem['api']>[1]) => system.api(`/v1/feature-views/users${path}`, init);
    expect((await view('', { method: 'PUT', json: { entity: 'user_id', features: [{ name: 'age', kind: 'numerical' }] }, headers: { 'if-none-match': '*' } })).status).toBe(201);
    const rows = [
      { user_id: '42', event_time: '2026-01-01T00:00:00Z', age: 30 },
      { user_id: '7', event_time: '2026-01-01T00:00:00Z', age: 50 },
    ];
    expect((await view('/rows', { method: 'POST', json: { rows } })).status).toBe(200);
    const answer = await system.api('/v1/erasures', { method: 'POST', json: { subject: { entity: { view: 'users', id: '42' } }, reason: 'account closed' } });
    expect(answer.status).toBe(202);
    const done = await erasureWhen(system, ((await answer.json()) as { erasureId: string }).erasureId, (v) => v.status === 'succeeded');
    expect(done.report?.features).toEqual({ onlineItemsDeleted: 1, offlineFilesRewritten: 1 });
    const online = async (id: string) => (await (await view(`/online/${id}`)).json()) as { values: Record<string, unknown> };
    expect((await online('42')).values.age).toBeNull();
    expect((await online('7')).values.age).toBe(50);
    const asOf = (user_id: string) => ({ user_id, event_time: '2026-02-01T00:00:00Z' });
    const historical = (await (await view('/historical', { method: 'POST', json: { rows: [asOf('42'), asOf('7')] } })).json()) as { rows: { age: unknown }[] };
    expect(historical.rows.map((row) => row.age)).toEqual([null, 50]);
  });
});

describe('an erasure that crashes part-way', () => {
  let system: TestSystem;
  const SUBJECT = 'carol@example.com';
  const OBJECTS = 5;

  beforeAll(async () => {
    // No erasure worker: the test runs it, crashing it on purpose.
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());

  it('resumes from its checkpoint: no object rewritten twice, counts exact', async () => {
    const carol = hashUnit(SUBJECT);
    const archive = new S3LogArchive(system.clients.s3, system.names.bucket);
    // Five archive objects with two of the subject's rows and two others', one with none of hers.
    for (let i = 0; i < OBJECTS + 1; i++) {
      const time = `2026-11-30T${String(i).padStart(2, '0')}:15:00.000Z`;
      const records = [0, 1, 2, 3].map((j) => logRecord(i * 10 + j, { time, unit: i < OBJECTS && j < 2 ? carol : hashUnit(`other-${j}`) }));
      await archive.put(
        archiveKey('churn', time, `batch-${i}`),
        records.map((r) => JSON.stringify(r)),
      );
    }

    const posted = await system.api('/v1/erasures', { method: 'POST', json: { subject: { unit: SUBJECT }, reason: 'request 7' } });
    expect(posted.status).toBe(202);
    const { erasureId } = (await posted.json()) as { erasureId: string };
    const { Messages } = await system.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: system.names.queues.erasures, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 }));
    const event = sqsEvent(Messages!.map((m) => ({ messageId: m.MessageId!, body: m.Body! })));

    let replaced = 0;
    const crashing =
      (crash: (call: number) => 'before' | 'after' | undefined) =>
      (deps: ErasureWorkDependencies): ErasureWorkDependencies => ({
        ...deps,
        archive: {
          ...deps.archive,
          keys: (after) => deps.archive.keys(after),
          lines: (key) => deps.archive.lines(key),
          async replace(key, lines) {
            const when = crash(replaced + 1);
            if (when === 'before') throw new Error('worker killed before the write');
            await deps.archive.replace(key, lines);
            replaced++;
            if (when === 'after') throw new Error('worker killed after the write, before its checkpoint');
          },
        },
      });

    // Crash 1: two objects rewritten, the third's write never happens.
    const first = await createErasureHandler(system.clients, system.names, { logger: silentLogger, deps: crashing((call) => (call === 3 ? 'before' : undefined)) })(
      event,
      lambdaContext(),
    );
    expect(first.batchItemFailures).toHaveLength(1);
    const halfway = await erasureView(await system.api(`/v1/erasures/${erasureId}`));
    expect(halfway).toMatchObject({ status: 'running', phase: 'archive', progress: { archiveObjectsRewritten: 2, archiveRowsRemoved: 4 } });
    expect(halfway.error).toMatch(/killed before the write/);
    expect(replaced).toBe(2);

    // Crash 2: the third object is rewritten, the worker dies before recording it.
    const second = await createErasureHandler(system.clients, system.names, { logger: silentLogger, deps: crashing((call) => (call === 3 ? 'after' : undefined)) })(
      event,
      lambdaContext(),
    );
    expect(second.batchItemFailures).toHaveLength(1);
    expect(replaced).toBe(3);

    // The retry finishes: only the last two objects are written.
    const third = await createErasureHandler(system.clients, system.names, { logger: silentLogger, deps: crashing(() => undefined) })(event, lambdaContext());
    expect(third.batchItemFailures).toHaveLength(0);
    expect(replaced).toBe(OBJECTS);
    const done = await erasureView(await system.api(`/v1/erasures/${erasureId}`));
    expect(done.status).toBe('succeeded');
    expect(done.error).toBeUndefined();
    expect(done.report!.archive).toMatchObject({ objectsScanned: OBJECTS + 1, objectsRewritten: OBJECTS, rowsRemoved: 2 * OBJECTS });
    expect(new Set(done.report!.archive.objects).size).toBe(OBJECTS);

    const texts = await bucketTexts(system);
    const logs = [...texts].filter(([key]) => key.startsWith(bucketDefinition.prefixes.logs));
    expect(logs).toHaveLength(OBJECTS + 1);
    for (const [key, text] of logs) {
      expect(text.includes(carol), key).toBe(false);
      expect(text.trim().split('\n')).toHaveLength(i(key) < OBJECTS ? 2 : 4);
    }
    // A message delivered again after the end does nothing more.
    expect(
      (await createErasureHandler(system.clients, system.names, { logger: silentLogger, deps: crashing(() => undefined) })(event, lambdaContext())).batchItemFailures,
    ).toHaveLength(0);
    expect(replaced).toBe(OBJECTS);
  });
});

/** The object's position, from its hour partition. */
const i = (key: string) => Number(/hour=(\d{2})/.exec(key)![1]);
