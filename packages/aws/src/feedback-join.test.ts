// The join's claim protocol against DynamoDB's conditional writes (embedded dynalite): each facet
// counted once whoever joins, a held row left to its holder until the lease runs out, a failed
// join giving its claims back, a holder that died after adding not counted twice.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { PredictionSide, TallyDelta, TallyKey } from '@flywheel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunctionEnvironment, type FunctionEnvironment } from '@flywheel/testing/function-env';
import { DynamoExperimentStore } from './experiment-store.ts';
import { FeedbackJoiner } from './feedback-join.ts';
import { batchPut, feedbackKey, type FeedbackItem } from './feedback-items.ts';

const LEASE_MS = 60_000;
const T0 = Date.parse('2026-03-01T12:00:00Z');

describe('the feedback join', () => {
  let env: FunctionEnvironment;
  let table: string;
  let experiments: DynamoExperimentStore;
  let endpointCount = 0;

  beforeAll(async () => {
    env = await startFunctionEnvironment();
    table = env.names.tables.monitoring;
    experiments = new DynamoExperimentStore(env.clients.dynamodb, table);
  });
  afterAll(() => env?.stop());

  /** A fresh endpoint per test, so tallies and items do not meet. */
  const newEndpoint = () => `join-${++endpointCount}`;
  const prediction = (overrides: Partial<PredictionSide> = {}): PredictionSide => ({
    variant: 'control',
    model: 'm',
    version: 1,
    configVersion: 1,
    time: new Date(T0).toISOString(),
    ...overrides,
  });
  const keyOf = (endpoint: string): TallyKey => ({ endpoint, configVersion: 1, variant: 'control' });
  const joinerAt = (now: number, store: Pick<DynamoExperimentStore, 'addAll' | 'forget'> = experiments) =>
    new FeedbackJoiner(env.clients.dynamodb, table, store, { claimLeaseMs: LEASE_MS, now: () => new Date(now) });

  async function giveFeedback(endpoint: string, rowId: string, fields: Partial<FeedbackItem>): Promise<FeedbackItem> {
    const item: FeedbackItem = {
      ...feedbackKey(endpoint, rowId),
      requestId: rowId.split('/')[0],
      row: 0,
      givenAt: new Date(T0).toISOString(),
      expiresAt: T0 / 1000 + 86_400 * 365 * 10,
      ...fields,
    };
    await batchPut(env.clients.dynamodb, table, [item]);
    return item;
  }

  async function feedbackItem(endpoint: string, rowId: string): Promise<FeedbackItem> {
    const { Item } = await env.clients.dynamodb.send(new GetItemCommand({ TableName: table, Key: marshall(feedbackKey(endpoint, rowId)), ConsistentRead: true }));
    return unmarshall(Item!) as FeedbackItem;
  }

  async function tallyOf(endpoint: string) {
    const [found] = await experiments.tallies(endpoint, 1, 1);
    return found?.tally;
  }

  it('counts a row once, however often it is joined', async () => {
    const endpoint = newEndpoint();
    const feedback = await giveFeedback(endpoint, 'r1/0', { outcome: 1 });
    const joiner = joinerAt(T0);
    await joiner.join(endpoint, [{ rowId: 'r1/0', feedback, prediction: prediction() }]);
    await joiner.join(endpoint, [{ rowId: 'r1/0', feedback, prediction: prediction() }]);
    await Promise.all([1, 2, 3].map(() => joinerAt(T0).join(endpoint, [{ rowId: 'r1/0', feedback, prediction: prediction() }])));
    expect(await tallyOf(endpoint)).toMatchObject({ outcomes: 1, outcomeSum: 1 });
    const item = await feedbackItem(endpoint, 'r1/0');
    expect(item.outcomeJoinedAt).toBe(new Date(T0).toISOString());
    expect(item.claim).toBeUndefined();
  });

  it('leaves a row another joiner holds to it, and takes it over once the lease has run out', async () => {
    const endpoint = newEndpoint();
    const holder = joinerAt(T0).newClaim();
    const feedback = await giveFeedback(endpoint, 'r2/0', { outcome: 0.5, claim: holder.token, claimUntil: holder.until });

    await joinerAt(T0 + LEASE_MS - 1).join(endpoint, [{ rowId: 'r2/0', feedback, prediction: prediction() }]);
    expect(await tallyOf(endpoint)).toBeUndefined();
    expect((await feedbackItem(endpoint, 'r2/0')).claim).toBe(holder.token);

    await joinerAt(T0 + LEASE_MS + 1).join(endpoint, [{ rowId: 'r2/0', feedback, prediction: prediction() }]);
    expect(await tallyOf(endpoint)).toMatchObject({ outcomes: 1, outcomeSum: 0.5, nonBinaryOutcomes: 1 });
    const item = await feedbackItem(endpoint, 'r2/0');
    expect(item.claim).toBeUndefined();
    expect(item.outcomeJoinedAt).toBeDefined();
  });

  it('gives its claims back when counting fails part-way, so the next join counts the rows, once', async () => {
    const endpoint = newEndpoint();
    const rows = await Promise.all(['r3/0', 'r3/1'].map(async (rowId) => ({ rowId, feedback: await giveFeedback(endpoint, rowId, { outcome: 1 }), prediction: prediction() })));
    const failing: Pick<DynamoExperimentStore, 'addAll' | 'forget'> = {
      addAll: () => Promise.reject(new Error('DynamoDB is unavailable')),
      forget: (key, tokens) => experiments.forget(key, tokens),
    };
    await expect(joinerAt(T0, failing).join(endpoint, rows)).rejects.toThrow('DynamoDB is unavailable');
    for (const { rowId } of rows) expect((await feedbackItem(endpoint, rowId)).claim).toBeUndefined();
    expect(await tallyOf(endpoint)).toBeUndefined();

    // Within the failed join's lease: its claims were given back, so nothing waits for them to run out.
    await joinerAt(T0 + 1).join(endpoint, rows);
    expect(await tallyOf(endpoint)).toMatchObject({ outcomes: 2, outcomeSum: 2 });
  });

  it('does not count twice a row whose holder died after adding, and forgets its token once marked', async () => {
    const endpoint = newEndpoint();
    const dead = joinerAt(T0).newClaim();
    const feedback = await giveFeedback(endpoint, 'r4/0', { outcome: 1, claim: dead.token, claimUntil: dead.until });
    const delta: TallyDelta = { outcomes: 1, outcomeSum: 1, outcomeSumSquares: 1, nonBinaryOutcomes: 0 };
    // What the holder did before it died: the add, with the row's token, and not the mark.
    await experiments.addAll(keyOf(endpoint), [{ token: 'r4/0#outcome', delta }]);

    await joinerAt(T0 + LEASE_MS + 1).join(endpoint, [{ rowId: 'r4/0', feedback, prediction: prediction() }]);
    expect(await tallyOf(endpoint)).toMatchObject({ outcomes: 1 });
    expect((await feedbackItem(endpoint, 'r4/0')).outcomeJoinedAt).toBeDefined();
    // The mark keeps the row from counting again now, so the token left the applied set: the same token adds anew.
    expect(await experiments.add(keyOf(endpoint), delta, 'r4/0#outcome')).toBe(true);
  });

  it('counts in another round what was given while a join counted', async () => {
    const endpoint = newEndpoint();
    const classified = prediction({ task: 'binary-classification', predicted: 'churn' });
    const feedback = await giveFeedback(endpoint, 'r5/0', { outcome: 1 });
    let labelled = false;
    const labelMeanwhile: Pick<DynamoExperimentStore, 'addAll' | 'forget'> = {
      async addAll(key, entries) {
        await experiments.addAll(key, entries);
        if (labelled) return;
        labelled = true;
        // The label arrives while the outcome is being counted (the claim is kept, as the feedback store's write does).
        const { claim, claimUntil } = await feedbackItem(endpoint, 'r5/0');
        await giveFeedback(endpoint, 'r5/0', { outcome: 1, label: 'churn', claim, claimUntil });
      },
      forget: (key, tokens) => experiments.forget(key, tokens),
    };
    await joinerAt(T0, labelMeanwhile).join(endpoint, [{ rowId: 'r5/0', feedback, prediction: classified }]);
    expect(await tallyOf(endpoint)).toMatchObject({ outcomes: 1, labelled: 1, correct: 1 });
    const item = await feedbackItem(endpoint, 'r5/0');
    expect(item.outcomeJoinedAt).toBeDefined();
    expect(item.qualityJoinedAt).toBeDefined();
    expect(item.claim).toBeUndefined();
  });

  it('completes rows whose feedback was written with a claim, and abandons them without counting', async () => {
    const endpoint = newEndpoint();
    const joiner = joinerAt(T0);
    const kept = joiner.newClaim();
    const given = joiner.newClaim();
    const keptFeedback = await giveFeedback(endpoint, 'r6/0', { outcome: 1, claim: kept.token, claimUntil: kept.until });
    const givenFeedback = await giveFeedback(endpoint, 'r6/1', { outcome: 1, claim: given.token, claimUntil: given.until });

    await joiner.abandon(endpoint, [{ rowId: 'r6/1', token: given.token, feedback: givenFeedback, prediction: prediction() }]);
    expect((await feedbackItem(endpoint, 'r6/1')).claim).toBeUndefined();
    expect(await tallyOf(endpoint)).toBeUndefined();

    await joiner.complete(endpoint, [{ rowId: 'r6/0', token: kept.token, feedback: keptFeedback, prediction: prediction() }]);
    expect(await tallyOf(endpoint)).toMatchObject({ outcomes: 1 });
    const item = await feedbackItem(endpoint, 'r6/0');
    expect(item.outcomeJoinedAt).toBeDefined();
    expect(item.claim).toBeUndefined();
  });
});
