import { BatchWriteItemCommand, DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  TrackingError,
  applyBatch,
  doesNotExist,
  latestPoints,
  type MetricPoint,
  type RunBatch,
  type TrackingExperiment,
  type TrackingRun,
  type TrackingStore,
} from '@flywheel/core';
import { conditionally, fromItem, queryAll, toItem } from './dynamo-items.ts';

const experimentKey = (experimentId: string) => ({ pk: `EXP#${experimentId}`, sk: 'EXP' });
const nameKey = (name: string) => ({ pk: `EXPNAME#${name}`, sk: 'EXPNAME' });
const runKey = (runId: string) => ({ pk: `RUN#${runId}`, sk: 'RUN' });
const COUNTER_KEY = { pk: 'COUNTER', sk: 'EXPERIMENT' };
const DEFAULT_EXPERIMENT_ID = '0';
const DEFAULT_EXPERIMENT_NAME = 'Default';
const UPDATE_ATTEMPTS = 10;
/** Params and tags set per conditional write: DynamoDB caps an expression at 4 KB. */
const ENTRIES_PER_WRITE = 20;
/** Metric keys whose latest point is written at once. */
const METRIC_WRITES_AT_ONCE = 8;

/** Sort-key text that orders safe signed integers numerically: negatives (offset to stay positive) before the rest. */
function orderedInteger(n: number): string {
  return n < 0 ? `0${String(Number.MAX_SAFE_INTEGER + n).padStart(16, '0')}` : `1${String(n).padStart(16, '0')}`;
}

interface Stored<T> {
  readonly value: T;
  readonly rev: number;
}

/**
 * The tracking table: experiments (`EXP#<id>`, numbered from a counter, listed through the
 * `byParent` index under `EXPERIMENTS`), a name item per experiment name (`EXPNAME#<name>`, the
 * uniqueness check), runs (`RUN#<id>` / `RUN`, listed under `RUNS#<experimentId>`) with their
 * params, tags and latest metrics, and every logged metric point beside its run
 * (`RUN#<id>` / `M#<key>#<step>#<timestamp>#<value>`). Runs and experiments change by
 * read-modify-write conditional on a revision, so concurrent loggers never lose each other's writes.
 */
export class DynamoTrackingStore implements TrackingStore {
  /** Set once experiment 0 is known to exist (or its name to belong to another), so it is checked once per process. */
  private defaultSettled = false;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    /** The artifact location of an experiment created without one. */
    private readonly defaultArtifactRoot: (experimentId: string) => string,
  ) {}

  async createExperiment(input: { name: string; artifactLocation?: string; tags: Readonly<Record<string, string>> }, now: number): Promise<TrackingExperiment> {
    const experimentId = await this.nextExperimentId();
    await this.claimName(input.name, experimentId);
    const experiment: TrackingExperiment = {
      experimentId,
      name: input.name,
      artifactLocation: input.artifactLocation ?? this.defaultArtifactRoot(experimentId),
      lifecycleStage: 'active',
      creationTime: now,
      lastUpdateTime: now,
      tags: input.tags,
    };
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.table,
        Item: toItem({ ...experimentKey(experimentId), gsi1pk: 'EXPERIMENTS', gsi1sk: experimentId.padStart(12, '0'), rev: 0, value: experiment }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return experiment;
  }

  async getExperiment(experimentId: string): Promise<TrackingExperiment | undefined> {
    if (experimentId === DEFAULT_EXPERIMENT_ID) await this.ensureDefaultExperiment();
    return (await this.read<TrackingExperiment>(experimentKey(experimentId)))?.value;
  }

  async getExperimentByName(name: string): Promise<TrackingExperiment | undefined> {
    if (name === DEFAULT_EXPERIMENT_NAME) await this.ensureDefaultExperiment();
    const owner = await this.nameOwner(name);
    const experiment = owner === undefined ? undefined : await this.getExperiment(owner);
    return experiment?.name === name ? experiment : undefined;
  }

  async listExperiments(): Promise<TrackingExperiment[]> {
    await this.ensureDefaultExperiment();
    const items = await queryAll<{ value: TrackingExperiment }>(this.dynamodb, {
      TableName: this.table,
      IndexName: 'byParent',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': 'EXPERIMENTS' }),
    });
    return items.map((item) => item.value);
  }

  updateExperiment(experimentId: string, change: (experiment: TrackingExperiment) => TrackingExperiment): Promise<TrackingExperiment> {
    return this.update(experimentKey(experimentId), change, () => doesNotExist(`No Experiment with id=${experimentId} exists`));
  }

  async renameExperiment(experimentId: string, newName: string, now: number): Promise<TrackingExperiment> {
    const current = await this.getExperiment(experimentId);
    if (!current) throw doesNotExist(`No Experiment with id=${experimentId} exists`);
    if (current.name === newName) return current;
    await this.claimName(newName, experimentId);
    const renamed = await this.updateExperiment(experimentId, (experiment) => ({ ...experiment, name: newName, lastUpdateTime: now }));
    // Released only while it still names this experiment.
    await conditionally(() =>
      this.dynamodb.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: marshall(nameKey(current.name)),
          ConditionExpression: 'experimentId = :id',
          ExpressionAttributeValues: marshall({ ':id': experimentId }),
        }),
      ),
    );
    return renamed;
  }

  async createRun(run: TrackingRun): Promise<{ run: TrackingRun; created: boolean }> {
    const created = await conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...runKey(run.runId), gsi1pk: `RUNS#${run.experimentId}`, gsi1sk: run.runId, rev: 0, value: run }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (created) return { run, created };
    const stored = await this.getRun(run.runId);
    if (!stored) throw new Error(`run ${run.runId} exists and cannot be read`);
    return { run: stored, created: false };
  }

  async getRun(runId: string): Promise<TrackingRun | undefined> {
    return (await this.read<TrackingRun>(runKey(runId)))?.value;
  }

  async listRuns(experimentIds: readonly string[]): Promise<TrackingRun[]> {
    const pages = await Promise.all(
      [...new Set(experimentIds)].map((experimentId) =>
        queryAll<{ value: TrackingRun }>(this.dynamodb, {
          TableName: this.table,
          IndexName: 'byParent',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: marshall({ ':pk': `RUNS#${experimentId}` }),
        }),
      ),
    );
    return pages.flat().map((item) => item.value);
  }

  updateRun(runId: string, change: (run: TrackingRun) => TrackingRun): Promise<TrackingRun> {
    return this.update(runKey(runId), change, () => doesNotExist(`Run with id=${runId} not found`));
  }

  async logBatch(runId: string, batch: RunBatch): Promise<void> {
    // Checked against the run first, so a refused batch (a changed param, a deleted run) writes nothing.
    const run = await this.getRun(runId);
    if (!run) throw doesNotExist(`Run with id=${runId} not found`);
    applyBatch(run, batch);
    const entries = [
      ...new Map((batch.params ?? []).map((param) => [`p:${param.key}`, { kind: 'param' as const, ...param }])).values(),
      ...new Map((batch.tags ?? []).map((tag) => [`t:${tag.key}`, { kind: 'tag' as const, ...tag }])).values(),
    ];
    for (let i = 0; i < entries.length; i += ENTRIES_PER_WRITE) await this.setEntries(runId, batch, entries.slice(i, i + ENTRIES_PER_WRITE));
    const latest = latestPoints(batch.metrics ?? []);
    for (let i = 0; i < latest.length; i += METRIC_WRITES_AT_ONCE)
      await Promise.all(latest.slice(i, i + METRIC_WRITES_AT_ONCE).map((point) => this.setLatest(runId, batch, point)));
    if (batch.metrics?.length) await this.appendMetricHistory(runId, batch.metrics);
  }

  /**
   * Sets params and tags in place (no read-modify-write, so concurrent loggers do not contend),
   * each param only where it is unset or has this value.
   */
  private async setEntries(runId: string, batch: RunBatch, entries: ReadonlyArray<{ kind: 'param' | 'tag'; key: string; value: string }>): Promise<void> {
    const names: Record<string, string> = { '#v': 'value', '#s': 'lifecycleStage' };
    const values: Record<string, unknown> = { ':active': 'active' };
    const sets: string[] = [];
    const conditions = ['attribute_exists(pk)', '#v.#s = :active'];
    entries.forEach((entry, i) => {
      names[`#k${i}`] = entry.key;
      values[`:e${i}`] = entry.value;
      // DynamoDB refuses a name the expressions do not use, so each map's is added as it is.
      if (entry.kind === 'param') names['#p'] = 'params';
      else names['#t'] = 'tags';
      const path = `#v.${entry.kind === 'param' ? '#p' : '#t'}.#k${i}`;
      sets.push(`${path} = :e${i}`);
      if (entry.kind === 'param') conditions.push(`(attribute_not_exists(${path}) OR ${path} = :e${i})`);
      // MLflow keeps the run name and the mlflow.runName tag as one.
      if (entry.kind === 'tag' && entry.key === 'mlflow.runName') {
        names['#n'] = 'runName';
        sets.push(`#v.#n = :e${i}`);
      }
    });
    await this.conditionalOnRun(runId, batch, {
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: toItem(values),
    });
  }

  /** Makes `point` the run's latest value of its metric unless a later point is there. */
  private async setLatest(runId: string, batch: RunBatch, point: MetricPoint): Promise<void> {
    const m = '#v.#m.#k';
    const written = await conditionally(() =>
      this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall(runKey(runId)),
          UpdateExpression: `SET ${m} = :point`,
          ConditionExpression:
            `attribute_exists(pk) AND #v.#s = :active AND (attribute_not_exists(${m}) OR ${m}.#step < :step OR ` +
            `(${m}.#step = :step AND (${m}.#ts < :ts OR (${m}.#ts = :ts AND ${m}.#val < :val))))`,
          ExpressionAttributeNames: { '#v': 'value', '#s': 'lifecycleStage', '#m': 'metrics', '#k': point.key, '#step': 'step', '#ts': 'timestamp', '#val': 'value' },
          ExpressionAttributeValues: toItem({ ':point': point, ':active': 'active', ':step': point.step, ':ts': point.timestamp, ':val': point.value }),
        }),
      ),
    );
    if (written) return;
    // Not written: a later point is there (fine), or the run is gone or deleted meanwhile.
    const run = await this.getRun(runId);
    if (!run) throw doesNotExist(`Run with id=${runId} not found`);
    applyBatch(run, batch);
  }

  private async conditionalOnRun(
    runId: string,
    batch: RunBatch,
    update: Pick<ConstructorParameters<typeof UpdateItemCommand>[0], 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
  ): Promise<void> {
    const written = await conditionally(() => this.dynamodb.send(new UpdateItemCommand({ TableName: this.table, Key: marshall(runKey(runId)), ...update })));
    if (written) return;
    // Refused: say why, as applyBatch would (another writer logged a param meanwhile, or deleted the run).
    const run = await this.getRun(runId);
    if (!run) throw doesNotExist(`Run with id=${runId} not found`);
    applyBatch(run, batch);
    throw new Error(`run ${runId}: a conditional write was refused for no reason the run shows`);
  }

  async appendMetricHistory(runId: string, points: readonly MetricPoint[]): Promise<void> {
    const requests: WriteRequest[] = points.map((point) => ({
      PutRequest: {
        Item: toItem({
          pk: `RUN#${runId}`,
          sk: `M#${point.key}#${orderedInteger(point.step)}#${orderedInteger(point.timestamp)}#${point.value}`,
          ...point,
        }),
      },
    }));
    // Identical points share a key: a batch may not name one item twice.
    const unique = [...new Map(requests.map((request) => [request.PutRequest!.Item!.sk!.S!, request])).values()];
    for (let i = 0; i < unique.length; i += 25) {
      let pending: WriteRequest[] = unique.slice(i, i + 25);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 8) throw new Error(`metric history of run ${runId}: ${pending.length} points stayed unprocessed`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
        const { UnprocessedItems } = await this.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [this.table]: pending } }));
        pending = UnprocessedItems?.[this.table] ?? [];
      }
    }
  }

  async metricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    const items = await queryAll<MetricPoint>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': `RUN#${runId}`, ':prefix': `M#${key}#` }),
      ConsistentRead: true,
    });
    // The prefix also matches a key that extends this one with '#': keep this key's points only.
    return items.filter((item) => item.key === key).map(({ key: k, value, timestamp, step }) => ({ key: k, value, timestamp, step }));
  }

  /**
   * MLflow's experiment 0, "Default", where a client puts runs when it names no experiment: made
   * on first use, unless a user's experiment already holds the name.
   */
  private async ensureDefaultExperiment(): Promise<void> {
    if (this.defaultSettled) return;
    if (!(await this.read(experimentKey(DEFAULT_EXPERIMENT_ID)))) {
      try {
        await this.claimName(DEFAULT_EXPERIMENT_NAME, DEFAULT_EXPERIMENT_ID);
      } catch (error) {
        if (!(error instanceof TrackingError)) throw error;
        this.defaultSettled = true;
        return;
      }
      const now = Date.now();
      const experiment: TrackingExperiment = {
        experimentId: DEFAULT_EXPERIMENT_ID,
        name: DEFAULT_EXPERIMENT_NAME,
        artifactLocation: this.defaultArtifactRoot(DEFAULT_EXPERIMENT_ID),
        lifecycleStage: 'active',
        creationTime: now,
        lastUpdateTime: now,
        tags: {},
      };
      await conditionally(() =>
        this.dynamodb.send(
          new PutItemCommand({
            TableName: this.table,
            Item: toItem({ ...experimentKey(DEFAULT_EXPERIMENT_ID), gsi1pk: 'EXPERIMENTS', gsi1sk: DEFAULT_EXPERIMENT_ID.padStart(12, '0'), rev: 0, value: experiment }),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    }
    this.defaultSettled = true;
  }

  private async nextExperimentId(): Promise<string> {
    const { Attributes } = await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: marshall(COUNTER_KEY),
        UpdateExpression: 'ADD n :one',
        ExpressionAttributeValues: marshall({ ':one': 1 }),
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return String(fromItem<{ n: number }>(Attributes!).n);
  }

  private async nameOwner(name: string): Promise<string | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(nameKey(name)), ConsistentRead: true }));
    return Item ? fromItem<{ experimentId: string }>(Item).experimentId : undefined;
  }

  /** Takes the name for the experiment; a name held by an experiment that was never written (a crash between the two writes) is taken over. */
  private async claimName(name: string, experimentId: string): Promise<void> {
    const put = (condition: string, values?: Record<string, unknown>) =>
      conditionally(() =>
        this.dynamodb.send(
          new PutItemCommand({
            TableName: this.table,
            Item: toItem({ ...nameKey(name), experimentId }),
            ConditionExpression: condition,
            ...(values ? { ExpressionAttributeValues: marshall(values) } : {}),
          }),
        ),
      );
    if (await put('attribute_not_exists(pk)')) return;
    const owner = await this.nameOwner(name);
    // Read directly: getExperiment of experiment 0 would come back here.
    const ownerExperiment = owner === undefined ? undefined : (await this.read<TrackingExperiment>(experimentKey(owner)))?.value;
    if (owner !== undefined && !ownerExperiment && (await put('experimentId = :owner', { ':owner': owner }))) return;
    const state = ownerExperiment?.lifecycleStage === 'deleted' ? ' in the deleted state' : '';
    throw new TrackingError('RESOURCE_ALREADY_EXISTS', `Experiment '${name}' already exists${state}.`);
  }

  private async read<T>(key: { pk: string; sk: string }): Promise<Stored<T> | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(key), ConsistentRead: true }));
    return Item ? fromItem<Stored<T>>(Item) : undefined;
  }

  private async update<T>(key: { pk: string; sk: string }, change: (value: T) => T, missing: () => TrackingError): Promise<T> {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      // Another writer won the last round: wait a jittered, growing while before reading again.
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
      const stored = await this.read<T>(key);
      if (!stored) throw missing();
      const value = change(stored.value);
      const written = await conditionally(() =>
        this.dynamodb.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: marshall(key),
            UpdateExpression: 'SET #value = :value, rev = :next',
            ConditionExpression: 'rev = :rev',
            ExpressionAttributeNames: { '#value': 'value' },
            ExpressionAttributeValues: toItem({ ':value': value, ':next': stored.rev + 1, ':rev': stored.rev }),
          }),
        ),
      );
      if (written) return value;
    }
    throw new Error(`${key.pk}: ${UPDATE_ATTEMPTS} concurrent writes in a row; try again`);
  }
}
