import { GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  InvalidCursorError,
  MAX_BATCH_JOB_PAGE,
  MAX_JOB_ERRORS,
  type BatchJob,
  type BatchJobPage,
  type BatchJobQuery,
  type BatchJobStatus,
  type BatchJobStore,
  type ChunkTally,
} from '@flywheel/core';
import { conditionally, fromItem, toItem } from './dynamo-items.ts';

const jobKey = (jobId: string) => marshall({ pk: `BATCH#${jobId}`, sk: 'JOB' });
/** Every job is listed under one partition of the `byStatus` index, newest first by `<createdAt>#<jobId>`. */
const LISTING = 'BATCHJOBS';
const LISTING_SORT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z#bj-[0-9a-f]{32}$/;

/** The job as stored: its counters flat, so that one conditional update can add to them. */
interface JobItem extends Omit<BatchJob, 'rows' | 'chunks'> {
  gsi1pk?: string;
  gsi1sk?: string;
  rowsTotal?: number;
  rowsDone: number;
  rowsFailed: number;
  chunksTotal?: number;
  chunksDone: number;
  /** The indexes of the chunks counted: the set a chunk is counted into only once. */
  doneChunks?: Set<number>;
  assembler?: string;
}

/**
 * Operations items `pk = BATCH#<jobId>, sk = JOB`. Every transition is a conditional write: a
 * chunk is counted with `ADD` into its job's counters and into the set of counted chunks in one
 * update that holds only while the chunk is not in the set (DynamoDB has no transactions locally,
 * and needs none for this), so a redelivered chunk counts once and one chunk completes the count.
 * Jobs are listed through the `byStatus` index (`gsi1pk = BATCHJOBS`, `gsi1sk = <createdAt>#<jobId>`).
 */
export class DynamoBatchJobStore implements BatchJobStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async create(job: BatchJob): Promise<{ job: BatchJob; created: boolean }> {
    const { rows, chunks, countedChunks: _counted, ...rest } = job;
    const item: JobItem = { ...rest, rowsDone: rows.done, rowsFailed: rows.failed, chunksDone: chunks.done };
    const created = await conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...toItem({ pk: `BATCH#${job.jobId}`, sk: 'JOB', gsi1pk: LISTING, gsi1sk: `${job.createdAt}#${job.jobId}`, ...item }) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return created ? { job, created } : { job: (await this.get(job.jobId)) ?? job, created };
  }

  async get(jobId: string): Promise<BatchJob | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: jobKey(jobId), ConsistentRead: true }));
    return Item ? toJob(Item) : undefined;
  }

  async list(query: BatchJobQuery): Promise<BatchJobPage> {
    const limit = Math.min(query.limit, MAX_BATCH_JOB_PAGE);
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const filters = [query.endpoint === undefined ? '' : 'endpoint = :endpoint', query.status === undefined ? '' : '#status = :status'].filter(Boolean);
    const jobs: BatchJob[] = [];
    let last: string | undefined;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byStatus',
          KeyConditionExpression: `gsi1pk = :pk${before ? ' AND gsi1sk < :before' : ''}`,
          ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
          ...(query.status === undefined ? {} : { ExpressionAttributeNames: { '#status': 'status' } }),
          ExpressionAttributeValues: marshall({ ':pk': LISTING, ':before': before, ':endpoint': query.endpoint, ':status': query.status }, { removeUndefinedValues: true }),
          ScanIndexForward: false,
          Limit: limit + 1,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        // One more match than the page holds: there is a next page, and it starts after `last`.
        if (jobs.length === limit) return { jobs, next: Buffer.from(last!).toString('base64url') };
        jobs.push(toJob(item));
        last = fromItem<{ gsi1sk: string }>(item).gsi1sk;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return { jobs };
  }

  async start(jobId: string, plan: { totalRows: number; totalChunks: number; header?: readonly string[] }, at: string): Promise<BatchJob | undefined> {
    const values: Record<string, unknown> = { ':running': 'running', ':queued': 'queued', ':rows': plan.totalRows, ':chunks': plan.totalChunks, ':at': at };
    if (plan.header) values[':header'] = plan.header;
    return this.#update(jobId, {
      UpdateExpression: `SET #status = :running, rowsTotal = :rows, chunksTotal = :chunks, startedAt = if_not_exists(startedAt, :at)${plan.header ? ', header = :header' : ''}`,
      ConditionExpression: '#status IN (:queued, :running)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: marshall(values),
    });
  }

  async countChunk(jobId: string, tally: ChunkTally): Promise<{ counted: boolean; job: BatchJob | undefined }> {
    const counted = await this.#update(jobId, {
      UpdateExpression: 'ADD doneChunks :chunk, chunksDone :one, rowsDone :rows, rowsFailed :failed',
      ConditionExpression: '#status = :running AND NOT contains(doneChunks, :index)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...marshall({ ':running': 'running', ':one': 1, ':rows': tally.rows, ':failed': tally.failed }),
        ':chunk': { NS: [String(tally.index)] },
        ':index': { N: String(tally.index) },
      },
    });
    if (!counted) return { counted: false, job: await this.get(jobId) };
    if (tally.errors.length === 0 || counted.errors.length >= MAX_JOB_ERRORS) return { counted: true, job: counted };
    // The first few row errors, for GET; every one is in the output. Best effort: a lost append loses no row.
    const withErrors = await this.#update(jobId, {
      UpdateExpression: 'SET errors = list_append(errors, :errors)',
      ConditionExpression: 'size(errors) < :max',
      ExpressionAttributeValues: marshall({ ':errors': tally.errors.slice(0, MAX_JOB_ERRORS - counted.errors.length), ':max': MAX_JOB_ERRORS }, { removeUndefinedValues: true }),
    });
    return { counted: true, job: withErrors ?? counted };
  }

  async claimAssembly(jobId: string, claimant: string): Promise<boolean> {
    const claimed = await this.#update(jobId, {
      UpdateExpression: 'SET assembler = :claimant',
      ConditionExpression: '#status = :running AND (attribute_not_exists(assembler) OR assembler = :claimant)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: marshall({ ':running': 'running', ':claimant': claimant }),
    });
    return claimed !== undefined;
  }

  async finish(
    jobId: string,
    from: readonly BatchJobStatus[],
    patch: { status: 'succeeded' | 'failed' | 'cancelled'; at: string; output?: BatchJob['output']; failure?: string },
  ): Promise<boolean> {
    const values: Record<string, unknown> = { ':status': patch.status, ':at': patch.at };
    from.forEach((status, i) => (values[`:from${i}`] = status));
    const set = ['#status = :status', 'finishedAt = :at'];
    if (patch.output) {
      values[':output'] = patch.output;
      set.push('#output = :output');
    }
    if (patch.failure !== undefined) {
      values[':failure'] = patch.failure;
      set.push('failure = :failure');
    }
    const finished = await this.#update(jobId, {
      UpdateExpression: `SET ${set.join(', ')}`,
      ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status', ...(patch.output ? { '#output': 'output' } : {}) },
      ExpressionAttributeValues: marshall(values),
    });
    return finished !== undefined;
  }

  /** A conditional update of the job; the job after it, or undefined when its condition did not hold. */
  async #update(
    jobId: string,
    input: { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues: Record<string, AttributeValue> },
  ): Promise<BatchJob | undefined> {
    let job: BatchJob | undefined;
    const applied = await conditionally(async () => {
      const { Attributes } = await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: jobKey(jobId),
          ...input,
          ConditionExpression: `attribute_exists(pk) AND ${input.ConditionExpression}`,
          ReturnValues: 'ALL_NEW',
        }),
      );
      job = Attributes ? toJob(Attributes) : undefined;
    });
    return applied ? job : undefined;
  }
}

function toJob(item: Record<string, AttributeValue>): BatchJob {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1,
    gsi1sk: _g2,
    rowsTotal,
    rowsDone,
    rowsFailed,
    chunksTotal,
    chunksDone,
    doneChunks,
    assembler: _assembler,
    ...rest
  } = fromItem<JobItem & { pk: string; sk: string }>(item);
  return {
    ...rest,
    ...(doneChunks ? { countedChunks: [...doneChunks].sort((a, b) => a - b) } : {}),
    rows: { ...(rowsTotal === undefined ? {} : { total: rowsTotal }), done: rowsDone, failed: rowsFailed },
    chunks: { ...(chunksTotal === undefined ? {} : { total: chunksTotal }), done: chunksDone },
  };
}

/** A page's `next` is the sort key it ended at; anything that does not decode to one is refused before DynamoDB sees it. */
function decodeCursor(cursor: string): string {
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!LISTING_SORT_KEY.test(sortKey) || Buffer.from(sortKey).toString('base64url') !== cursor) throw new InvalidCursorError('the cursor is not one this listing gave');
  return sortKey;
}
