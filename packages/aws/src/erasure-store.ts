import { GetItemCommand, PutItemCommand, UpdateItemCommand, DeleteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  ERASURE_PHASES,
  emptyProgress,
  type ErasedRow,
  type ErasedSubjects,
  type Erasure,
  type ErasureAdvance,
  type ErasureProgress,
  type ErasureStatus,
  type ErasureStore,
  type PendingStep,
  forEachLimit,
} from '@flywheel/core';
import { conditionally, fromItem, queryAll, toItem } from './dynamo-items.ts';
import { batchPut } from './feedback-items.ts';

const PROGRESS_KEYS = Object.keys(emptyProgress()) as (keyof ErasureProgress)[];

/** The stored item: the erasure, its counters as top-level numbers, its claim key and lease. */
type ErasureItem = Omit<Erasure, 'progress'> &
  Partial<ErasureProgress> & { pk: string; sk: string; subjectKey: string; pending?: PendingStep; leaseToken?: string; leaseUntil?: number };

const erasureKey = (erasureId: string) => ({ pk: `ERASURE#${erasureId}`, sk: 'ERASURE' });
const rowKey = (erasureId: string, rowId: string) => ({ pk: `ERASURE#${erasureId}`, sk: `ROW#${rowId}` });
const claimKey = (subjectKey: string) => ({ pk: `ERASURE-SUBJECT#${subjectKey}`, sk: 'ACTIVE' });

/**
 * Erasures in the operations table, kept without expiry (they are the record of what was
 * erased): `ERASURE#<id>` / `ERASURE` the erasure, `ERASURE#<id>` / `ROW#<row id>` the subject's
 * rows it found (deleted when it finishes), `ERASURE-SUBJECT#<subject key>` / `ACTIVE` the claim that makes a repeated
 * request answer the running erasure.
 */
export class DynamoErasureStore implements ErasureStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async start(erasure: Erasure, subjectKey: string): Promise<{ erasure: Erasure; created: boolean }> {
    const claimed = await conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...claimKey(subjectKey), erasureId: erasure.erasureId, at: erasure.createdAt }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    let erasureId = erasure.erasureId;
    if (!claimed) {
      const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(claimKey(subjectKey)), ConsistentRead: true }));
      // The claim was cleared meanwhile (the erasure finished): start again.
      if (!Item) return this.start(erasure, subjectKey);
      erasureId = fromItem<{ erasureId: string }>(Item).erasureId;
      const active = await this.get(erasureId);
      if (active && (active.status === 'succeeded' || active.status === 'failed')) {
        // A finished erasure whose claim a crash left behind: clear it and start afresh.
        await this.#clearClaim(subjectKey, erasureId);
        return this.start(erasure, subjectKey);
      }
      if (active) return { erasure: active, created: false };
      // A claim whose erasure was never written (a crash between the two writes): write it now.
    }
    const { progress, ...rest } = { ...erasure, erasureId };
    await conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...erasureKey(erasureId), ...rest, ...progress, subjectKey }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return { erasure: (await this.get(erasureId))!, created: true };
  }

  async get(erasureId: string): Promise<(Erasure & { pending?: PendingStep }) | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(erasureKey(erasureId)), ConsistentRead: true }));
    if (!Item) return undefined;
    const item = fromItem<ErasureItem>(Item);
    const progress = emptyProgress();
    for (const key of PROGRESS_KEYS) progress[key] = item[key] ?? 0;
    return {
      erasureId: item.erasureId,
      subject: item.subject,
      reason: item.reason,
      status: item.status,
      phase: item.phase,
      ...(item.cursor !== undefined ? { cursor: item.cursor } : {}),
      progress,
      archiveObjects: item.archiveObjects ?? [],
      datasets: item.datasets ?? [],
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      ...(item.finishedAt ? { finishedAt: item.finishedAt } : {}),
      ...(item.error ? { error: item.error } : {}),
      ...(item.requestedBy ? { requestedBy: item.requestedBy } : {}),
      ...(item.pending ? { pending: item.pending } : {}),
    };
  }

  lease(erasureId: string, token: string, untilMs: number, nowMs: number): Promise<boolean> {
    return conditionally(() =>
      this.#update(erasureId, {
        set: { leaseToken: token, leaseUntil: untilMs },
        setIfQueued: true,
        condition: 'attribute_exists(pk) AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now)',
        values: { ':now': nowMs },
      }),
    );
  }

  async release(erasureId: string, token: string): Promise<void> {
    await conditionally(() => this.#update(erasureId, { remove: ['leaseToken', 'leaseUntil'], condition: '#leaseToken = :token', values: { ':token': token } }));
  }

  async prepare(erasureId: string, token: string, step: PendingStep, at: string): Promise<void> {
    await this.#leased(erasureId, token, { set: { pending: step, updatedAt: at } });
  }

  async advance(erasureId: string, token: string, advance: ErasureAdvance): Promise<void> {
    if (!ERASURE_PHASES.includes(advance.phase)) throw new Error(`unknown erasure phase ${advance.phase}`);
    await this.#leased(erasureId, token, {
      set: { phase: advance.phase, updatedAt: advance.at, ...(advance.cursor !== undefined ? { cursor: advance.cursor } : {}) },
      remove: ['pending', ...(advance.cursor === undefined ? ['cursor'] : [])],
      add: advance.add,
      append: { ...(advance.archiveObject ? { archiveObjects: advance.archiveObject } : {}), ...(advance.dataset ? { datasets: advance.dataset } : {}) },
    });
  }

  async recordError(erasureId: string, error: string, at: string): Promise<void> {
    await this.#update(erasureId, { set: { error: error.slice(0, 1000), updatedAt: at }, condition: 'attribute_exists(pk)' });
  }

  async finish(erasureId: string, token: string, status: Extract<ErasureStatus, 'succeeded' | 'failed'>, at: string, error?: string): Promise<void> {
    // The rows' ids were needed only to work the erasure: they go first, so no crash leaves them behind a finished erasure.
    const rows = await this.rows(erasureId);
    await forEachLimit(rows.values(), 8, async (row) => {
      await this.dynamodb.send(new DeleteItemCommand({ TableName: this.table, Key: marshall(rowKey(erasureId, row.rowId)) }));
    });
    await this.#leased(erasureId, token, {
      set: { status, finishedAt: at, updatedAt: at, ...(error ? { error } : {}) },
      remove: ['pending', 'cursor', ...(error ? [] : ['error'])],
    });
    const erasure = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.table, Key: marshall(erasureKey(erasureId)), ConsistentRead: true, ProjectionExpression: 'subjectKey' }),
    );
    const subjectKey = erasure.Item ? fromItem<{ subjectKey: string }>(erasure.Item).subjectKey : undefined;
    if (subjectKey !== undefined) await this.#clearClaim(subjectKey, erasureId);
  }

  async #clearClaim(subjectKey: string, erasureId: string): Promise<void> {
    await conditionally(() =>
      this.dynamodb.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: marshall(claimKey(subjectKey)),
          ConditionExpression: 'erasureId = :id',
          ExpressionAttributeValues: marshall({ ':id': erasureId }),
        }),
      ),
    );
  }

  async addRows(erasureId: string, rows: readonly ErasedRow[]): Promise<void> {
    await batchPut(
      this.dynamodb,
      this.table,
      rows.map((row) => ({ ...rowKey(erasureId, row.rowId), endpoint: row.endpoint, rowId: row.rowId })),
    );
  }

  async rows(erasureId: string): Promise<ErasedRow[]> {
    const items = await queryAll<{ endpoint: string; rowId: string }>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :row)',
      ExpressionAttributeValues: marshall({ ':pk': `ERASURE#${erasureId}`, ':row': 'ROW#' }),
      ConsistentRead: true,
    });
    return items.map(({ endpoint, rowId }) => ({ endpoint, rowId }));
  }

  /** An update that holds only under this worker's lease: a worker that lost it stops at its next step. */
  async #leased(erasureId: string, token: string, change: Omit<UpdateChange, 'condition' | 'values'>): Promise<void> {
    if (!(await conditionally(() => this.#update(erasureId, { ...change, condition: '#leaseToken = :token', values: { ':token': token } })))) {
      throw new Error(`erasure ${erasureId}: this worker no longer holds its lease`);
    }
  }

  #update(erasureId: string, change: UpdateChange) {
    const names: Record<string, string> = { '#leaseUntil': 'leaseUntil', '#leaseToken': 'leaseToken' };
    const values: Record<string, unknown> = { ...change.values };
    const sets: string[] = [];
    for (const [name, value] of Object.entries(change.set ?? {})) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    if (change.setIfQueued) {
      names['#status'] = 'status';
      values[':running'] = 'running';
      sets.push('#status = :running');
    }
    for (const [name, amount] of Object.entries(change.add ?? {})) {
      if (!amount) continue;
      names[`#${name}`] = name;
      values[`:add_${name}`] = amount;
      values[':zero'] = 0;
      sets.push(`#${name} = if_not_exists(#${name}, :zero) + :add_${name}`);
    }
    for (const [name, element] of Object.entries(change.append ?? {})) {
      names[`#${name}`] = name;
      values[`:append_${name}`] = [element];
      values[':none'] = [];
      sets.push(`#${name} = list_append(if_not_exists(#${name}, :none), :append_${name})`);
    }
    const removes = (change.remove ?? []).map((name) => {
      names[`#${name}`] = name;
      return `#${name}`;
    });
    const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
    const used = Object.fromEntries(Object.entries(names).filter(([placeholder]) => expression.includes(placeholder) || (change.condition ?? '').includes(placeholder)));
    return this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: marshall(erasureKey(erasureId)),
        UpdateExpression: expression,
        ConditionExpression: change.condition,
        ExpressionAttributeNames: used,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }) } : {}),
      }),
    );
  }
}

interface UpdateChange {
  set?: Record<string, unknown>;
  /** Also marks a queued erasure running (a lease is only taken to work it). */
  setIfQueued?: boolean;
  add?: Partial<ErasureProgress>;
  append?: Record<string, string>;
  remove?: string[];
  condition?: string;
  values?: Record<string, unknown>;
}

/** Erased unit hashes, `ERASED-UNITS` / `<unit hash>` in the operations table, read whole (erasures are few). */
export class DynamoErasedSubjects implements ErasedSubjects {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async add(unitHash: string, erasureId: string, at: string): Promise<void> {
    await this.dynamodb.send(new PutItemCommand({ TableName: this.table, Item: toItem({ pk: 'ERASED-UNITS', sk: unitHash, erasureId, at }) }));
  }

  async units(): Promise<ReadonlySet<string>> {
    const items = await queryAll<{ sk: string }>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': 'ERASED-UNITS' }),
      ProjectionExpression: 'sk',
      ConsistentRead: true,
    });
    return new Set(items.map((item) => item.sk));
  }
}
