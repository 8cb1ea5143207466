// The Athena engine's protocol handling, through the real AWS SDK against a small local HTTP
// endpoint that speaks Athena's JSON protocol: starting the query in the workgroup, polling with a
// growing wait, paging the results, stopping an overrun query, and FAILED/CANCELLED as clear
// errors (problem+json over HTTP). There is no Athena emulator: this proves the client's side of
// the protocol, not Athena's SQL. That the statement is Trino/Athena SQL is shown by
// packages/core/src/features/point-in-time-sql.test.ts, and DuckDB runs it in test/feature-store.test.ts.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '@flywheel/api';
import { AthenaFeatureEngine, type AthenaPolling } from '@flywheel/aws';
import { createApiDependencies, createFeatureStore } from '@flywheel/deploy';
import { FeatureJoinError, pointInTimeJoinSql } from '@flywheel/core';
import { featureCatalog } from '@flywheel/infra';
import { expectProblem } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

type Outcome = { finishAfterPolls: number; state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED'; reason?: string } | 'never';

interface FakeQuery {
  input: { QueryString: string; WorkGroup: string; QueryExecutionContext: { Database: string } };
  outcome: Outcome;
  polls: number[];
  rows: Array<Array<string | undefined>>;
  stopped: boolean;
}

/** Athena's side of the conversation, as the SDK sends it (AWS JSON 1.1, X-Amz-Target). */
class FakeAthena {
  readonly queries = new Map<string, FakeQuery>();
  next: Outcome = { finishAfterPolls: 3, state: 'SUCCEEDED' };
  server!: Server;

  constructor(private readonly spineRows: (spineId: string) => Promise<Array<{ row_id: number; event_time_ms: bigint }>>) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(
        ({ status, body }) => {
          response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify(body));
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify({ __type: 'InternalServerException', message: String(error) }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const input = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    const operation = String(request.headers['x-amz-target']).replace('AmazonAthena.', '');
    const query = input.QueryExecutionId ? this.queries.get(input.QueryExecutionId) : undefined;
    if (operation === 'StartQueryExecution') {
      const id = `q-${this.queries.size + 1}`;
      // The answer: every even spine row finds a value a second before it, odd ones find none.
      const spineId = /"spine" = '([^']+)'/.exec(input.QueryString)![1];
      const spine = await this.spineRows(spineId);
      const rows = spine.map((row) =>
        row.row_id % 2 === 0 ? [String(row.row_id), String(row.event_time_ms - 1000n), JSON.stringify({ x: row.row_id })] : [String(row.row_id), undefined, undefined],
      );
      this.queries.set(id, { input, outcome: this.next, polls: [], rows, stopped: false });
      return { status: 200, body: { QueryExecutionId: id } };
    }
    if (!query) return { status: 400, body: { __type: 'InvalidRequestException', message: 'no such query' } };
    if (operation === 'GetQueryExecution') {
      query.polls.push(Date.now());
      const done = query.outcome === 'never' || query.polls.length <= query.outcome.finishAfterPolls ? undefined : query.outcome;
      const state = query.stopped ? 'CANCELLED' : done ? done.state : query.polls.length === 1 ? 'QUEUED' : 'RUNNING';
      const reason = done?.reason;
      return {
        status: 200,
        body: {
          QueryExecution: {
            QueryExecutionId: input.QueryExecutionId,
            Status: { State: state, ...(reason ? { StateChangeReason: reason, AthenaError: { ErrorCategory: 2, ErrorMessage: reason } } : {}) },
          },
        },
      };
    }
    if (operation === 'GetQueryResults') {
      // The first page starts with the header row, as Athena's does; MaxResults counts it.
      const all = [['row_id', 'feature_event_time_ms', 'feature_values'], ...query.rows];
      const offset = Number(input.NextToken ?? 0);
      const page = all.slice(offset, offset + input.MaxResults);
      const next = offset + page.length < all.length ? String(offset + page.length) : undefined;
      return {
        status: 200,
        body: {
          ResultSet: { Rows: page.map((row) => ({ Data: row.map((value) => (value === undefined ? {} : { VarCharValue: value })) })) },
          ...(next ? { NextToken: next } : {}),
        },
      };
    }
    if (operation === 'StopQueryExecution') {
      query.stopped = true;
      return { status: 200, body: {} };
    }
    return { status: 400, body: { __type: 'InvalidRequestException', message: `unexpected ${operation}` } };
  }
}

describe("the Athena feature engine against a local endpoint speaking Athena's protocol (the client's handling, not Athena's SQL)", () => {
  let system: TestSystem;
  let fake: FakeAthena;
  let athena: AthenaClient;
  const catalog = { database: 'flywheel_features', workgroup: 'flywheel-features' };
  const engineWith = (polling: Partial<AthenaPolling> = {}) =>
    new AthenaFeatureEngine(athena, system.clients.s3, system.names.bucket, catalog, { initialDelayMs: 20, maxDelayMs: 200, ...polling });

  beforeAll(async () => {
    system = await startTestSystem();
    fake = new FakeAthena(async (spineId) => {
      const key = `${featureCatalog.spines.prefix}spine=${spineId}/spine.parquet`;
      const bytes = await (await system.clients.s3.send(new GetObjectCommand({ Bucket: system.names.bucket, Key: key }))).Body!.transformToByteArray();
      return (await parquetReadObjects({ file: bytes.slice().buffer })) as Array<{ row_id: number; event_time_ms: bigint }>;
    });
    athena = new AthenaClient({ region: 'us-east-1', endpoint: await fake.start(), credentials: { accessKeyId: 'athena-test', secretAccessKey: 'athena-test' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    athena?.destroy();
    fake?.server.close();
    await system?.stop();
  });

  const spineObjects = async () => (await system.clients.s3.send(new ListObjectsV2Command({ Bucket: system.names.bucket, Prefix: featureCatalog.spines.prefix }))).KeyCount ?? 0;

  it("runs core's SQL in the workgroup and database, polls with a growing wait, pages 2,500 rows back in spine order and removes the spine", async () => {
    fake.next = { finishAfterPolls: 4, state: 'SUCCEEDED' };
    const t = Date.parse('2026-03-01T00:00:00Z');
    const spine = Array.from({ length: 2_500 }, (_, i) => ({ entityId: `e${i % 37}`, eventTimeMs: t + i * 1000 }));
    const request = { view: 'customers', dates: { from: '2026-02-28', to: '2026-03-01' }, spine, ttlSeconds: 86_400 };
    const joined = await engineWith().join(request);

    const [query] = [...fake.queries.values()].slice(-1);
    const spineId = /"spine" = '([^']+)'/.exec(query.input.QueryString)![1];
    expect(query.input.QueryString).toBe(pointInTimeJoinSql({ rows: featureCatalog.table.name, spines: featureCatalog.spines.name }, { ...request, spine: spineId }));
    expect(query.input.WorkGroup).toBe(catalog.workgroup);
    expect(query.input.QueryExecutionContext.Database).toBe(catalog.database);
    expect(joined).toHaveLength(2_500);
    joined.forEach((row, i) =>
      expect(row).toEqual(
        i % 2 === 0 ? { featureEventTimeMs: spine[i].eventTimeMs - 1000, featureValues: JSON.stringify({ x: i }) } : { featureEventTimeMs: null, featureValues: null },
      ),
    );
    // Five polls (the fifth sees SUCCEEDED), each wait longer than the one before.
    expect(query.polls).toHaveLength(5);
    const waits = query.polls.slice(1).map((at, i) => at - query.polls[i]);
    expect(waits[3]).toBeGreaterThan(waits[0]);
    expect(await spineObjects()).toBe(0);
  });

  it("fails a join whose query FAILED or was CANCELLED with Athena's reason, and answers it over HTTP as problem+json", async () => {
    const spine = [{ entityId: 'a', eventTimeMs: Date.parse('2026-03-01T00:00:00Z') }];
    const request = { view: 'customers', dates: { from: undefined, to: '2026-03-01' }, spine, ttlSeconds: undefined };
    fake.next = { finishAfterPolls: 1, state: 'FAILED', reason: 'HIVE_BAD_DATA: malformed Parquet file' };
    const failed = await engineWith()
      .join(request)
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(FeatureJoinError);
    expect(failed).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('HIVE_BAD_DATA: malformed Parquet file') });
    fake.next = { finishAfterPolls: 0, state: 'CANCELLED', reason: 'Query cancelled by user' };
    await expect(engineWith().join(request)).rejects.toMatchObject({ outcome: 'cancelled', reason: expect.stringContaining('Query cancelled by user') });

    const app = createApp({ ...createApiDependencies(system.clients, system.names), features: createFeatureStore(system.clients, system.names, engineWith()) });
    const call = (path: string, method: string, body: unknown) =>
      app.request(path, { method, body: JSON.stringify(body), headers: { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' } });
    expect((await call('/v1/feature-views/athena', 'PUT', { entity: 'id', features: [{ name: 'x', kind: 'numerical' }] })).status).toBe(201);
    fake.next = { finishAfterPolls: 1, state: 'FAILED', reason: 'HIVE_CANNOT_OPEN_SPLIT: access denied' };
    const problem = await expectProblem(await call('/v1/feature-views/athena/historical', 'POST', { rows: [{ id: 'a', event_time: '2026-03-01T00:00:00Z' }] }), 503);
    expect(problem.detail).toContain('HIVE_CANNOT_OPEN_SPLIT: access denied');
    expect(await spineObjects()).toBe(0);
  });

  it('stops a query that has not finished by the deadline and fails the join as timed out', async () => {
    fake.next = 'never';
    const started = Date.now();
    const spine = [{ entityId: 'a', eventTimeMs: Date.parse('2026-03-01T00:00:00Z') }];
    await expect(engineWith({ timeoutMs: 400 }).join({ view: 'customers', dates: { from: undefined, to: '2026-03-01' }, spine, ttlSeconds: undefined })).rejects.toMatchObject({
      outcome: 'timed out',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    const [query] = [...fake.queries.values()].slice(-1);
    expect(query.stopped).toBe(true);
  });
});
