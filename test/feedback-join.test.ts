import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@flywheel/core';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoExperimentStore, DynamoFeedbackStore, FeedbackJoiner } from '@flywheel/aws';
import { createMonitorDependencies, StackAdapters } from '@flywheel/deploy';
import { LogIngest } from '@flywheel/monitor';
import type { FeedbackLabel } from '@flywheel/core';
import { expectProblem, putEndpoint, registered, scaledModel, singleVariant } from '@flywheel/testing/models';
import { at, batchBody, logRecord, queueDrained } from '@flywheel/testing/monitor-fixtures';
import { classifierEndpoint, experiment, experimentWhen, postFeedback, predictRow, servedCount, startMonitoredSystem, variantOf } from '@flywheel/testing/feedback-fixtures';
import type { TestSystem } from '@flywheel/testing/system';

const ENDPOINT = 'shop';

describe('feedback joins its prediction by id and row, whichever arrives first, and counts once', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startMonitoredSystem();
    await classifierEndpoint(system, ENDPOINT);
  });
  afterAll(() => system?.stop());

  /** Every logged prediction handed to the monitor has been taken, joins included. */
  const monitorIdle = () => queueDrained(system.clients.sqs, system.names.queues.predictionLogs);

  async function labelsOf(endpoint: string): Promise<FeedbackLabel[]> {
    const labels: FeedbackLabel[] = [];
    for await (const label of new StackAdapters(system.clients, system.names).feedback.feedback.labels(endpoint, { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' }))
      labels.push(label);
    return labels;
  }

  it('joins feedback sent before its prediction is logged, and feedback sent after', async () => {
    const before = await experiment(system, ENDPOINT);
    // Ahead of the prediction: kept, waiting.
    const early = await postFeedback(system, ENDPOINT, { id: 'early-1', outcome: true, label: 'c' });
    expect(early.status).toBe(202);
    expect(await early.json()).toEqual({ endpoint: ENDPOINT, accepted: 1, rows: 1, joined: 0, waiting: 1, labelled: 1 });

    await predictRow(system, ENDPOINT, { id: 'early-1', hot: 2, variant: 'control' });
    await predictRow(system, ENDPOINT, { id: 'late-1', hot: 0, variant: 'candidate' });
    // The monitor takes the predictions (counting them first), finds the feedback waiting for one, and counts the join.
    const logged = await experimentWhen(system, ENDPOINT, (view) => servedCount(view) === servedCount(before) + 2 && variantOf(view, 'control').feedback === 1);
    expect(variantOf(logged, 'control')).toMatchObject({ feedback: 1, outcomes: 1, quality: { labelled: 1, accuracy: 1 } });
    await monitorIdle();

    // After the prediction: joined on arrival. Predicted class a; the truth is b.
    const late = await postFeedback(system, ENDPOINT, { feedback: [{ id: 'late-1/0', outcome: false, label: 'b' }] });
    expect(await late.json()).toMatchObject({ accepted: 1, rows: 1, joined: 1, waiting: 0 });
    const joined = await experiment(system, ENDPOINT);
    expect(variantOf(joined, 'candidate')).toMatchObject({ feedback: 1, outcomes: 0, quality: { labelled: 1, accuracy: 0 } });
    expect(variantOf(joined, 'control').count).toBe(variantOf(before, 'control').count + 1);
    expect(variantOf(joined, 'candidate').count).toBe(variantOf(before, 'candidate').count + 1);
  });

  it('counts the same feedback once, sent again or many times at once', async () => {
    const before = await experiment(system, ENDPOINT);
    await predictRow(system, ENDPOINT, { id: 'dup-1', variant: 'candidate' });
    const logged = await experimentWhen(system, ENDPOINT, (view) => variantOf(view, 'candidate').count === variantOf(before, 'candidate').count + 1);
    await monitorIdle();
    const labelEvents = async () => {
      await queueDrained(system.clients.sqs, system.names.queues.events);
      const { events } = (await (await system.api('/v1/events?type=dev.flywheel.labels.received&limit=1000')).json()) as { events: { id: string }[] };
      return events.length;
    };
    const eventsBefore = await labelEvents();
    const body = { feedback: [{ id: 'dup-1', outcome: true, label: 'b' }] };
    const responses = await Promise.all(Array.from({ length: 5 }, () => postFeedback(system, ENDPOINT, body)));
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    expect((await postFeedback(system, ENDPOINT, body)).status).toBe(202);
    const after = await experiment(system, ENDPOINT);
    expect(variantOf(after, 'candidate').feedback).toBe(variantOf(logged, 'candidate').feedback + 1);
    expect(variantOf(after, 'candidate').outcomes).toBe(variantOf(logged, 'candidate').outcomes + 1);
    expect(variantOf(after, 'candidate').quality?.labelled).toBe((variantOf(logged, 'candidate').quality?.labelled ?? 0) + 1);
    // Six deliveries of one body are one labels.received event: the retraining policy counts its label once.
    expect(await labelEvents()).toBe(eventsBefore + 1);

    // A corrected label is kept for retraining; the experiment counted the row's first one.
    await postFeedback(system, ENDPOINT, { id: 'dup-1/0', label: 'a', outcome: true });
    const relabelled = await experiment(system, ENDPOINT);
    expect(variantOf(relabelled, 'candidate')).toEqual(variantOf(after, 'candidate'));
    expect(await labelsOf(ENDPOINT)).toContainEqual(expect.objectContaining({ id: 'dup-1', row: 0, label: 'a' }));
  });

  it('counts a monitor batch once when it is delivered again after a failure part-way', async () => {
    // A batch of three rows whose feedback is already waiting; the monitor fails after the join (a window write), so the batch comes again.
    await postFeedback(system, ENDPOINT, { id: 'replay-1', outcome: [true, true, false] });
    const records = [0, 1, 2].map((row) =>
      logRecord(row, { id: `replay-1/${row}`, endpoint: ENDPOINT, variant: 'control', model: 'shop-model', version: 1, time: at(0, 20), outputs: { y: [1, 0, 0] } }),
    );
    const message = { messageId: 'm-replay', body: batchBody(records) };
    const deps = createMonitorDependencies(new StackAdapters(system.clients, system.names));
    let failures = 1;
    const windows = new Proxy(deps.windows, {
      get(target, property) {
        if (property === 'put' && failures > 0) {
          return async () => {
            failures--;
            throw new Error('injected: the window write failed');
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const monitor = new LogIngest({ ...deps, windows }, { logger: silentLogger });

    const before = await experiment(system, ENDPOINT);
    const first = await monitor.ingest([message]);
    expect(first.failedMessageIds).toEqual(['m-replay']);
    const second = await monitor.ingest([message]);
    expect(second.failedMessageIds).toEqual([]);
    const third = await monitor.ingest([message]);
    expect(third.stats.duplicateBatches).toBe(1);

    const after = await experiment(system, ENDPOINT);
    expect(variantOf(after, 'control').count).toBe(variantOf(before, 'control').count + 3);
    expect(variantOf(after, 'control').feedback).toBe(variantOf(before, 'control').feedback + 3);
    expect(variantOf(after, 'control').outcomes).toBe(variantOf(before, 'control').outcomes + 2);
  });

  it('finishes a join cut short after counting (its holder gone) on the next delivery, still counting once', async () => {
    const before = await experiment(system, ENDPOINT);
    await predictRow(system, ENDPOINT, { id: 'cut-1', variant: 'control' });
    await experimentWhen(system, ENDPOINT, (view) => variantOf(view, 'control').count === variantOf(before, 'control').count + 1);
    await monitorIdle();

    // A joiner that dies right after adding to the tally: neither its mark nor its release lands, and its claim runs out.
    const table = system.names.tables.monitoring;
    const dying = new Proxy(system.clients.dynamodb, {
      get(target, property) {
        if (property !== 'send') return Reflect.get(target, property, target);
        return (command: { input: { UpdateExpression?: string } }) => {
          if (command instanceof UpdateItemCommand && command.input.UpdateExpression?.includes('REMOVE #claim')) return Promise.reject(new Error('injected: the joiner died'));
          return target.send(command as UpdateItemCommand);
        };
      },
    });
    const experiments = new DynamoExperimentStore(dying, table);
    const cut = new DynamoFeedbackStore(dying, table, new FeedbackJoiner(dying, table, experiments, { claimLeaseMs: 1 }));
    await expect(cut.record(ENDPOINT, [{ requestId: 'cut-1', row: 0, outcome: true }])).rejects.toThrow(/died/);
    const counted = await experiment(system, ENDPOINT);
    expect(variantOf(counted, 'control').outcomes).toBe(variantOf(before, 'control').outcomes + 1);

    // The client sends it again: the claim is taken over, the add is recognised as done, the row marked.
    const retried = await postFeedback(system, ENDPOINT, { id: 'cut-1', outcome: true });
    expect(await retried.json()).toMatchObject({ joined: 1 });
    const after = await experiment(system, ENDPOINT);
    expect(variantOf(after, 'control')).toMatchObject({ outcomes: variantOf(before, 'control').outcomes + 1, feedback: variantOf(before, 'control').feedback + 1 });
    const { Item } = await system.clients.dynamodb.send(
      new GetItemCommand({ TableName: table, Key: marshall({ pk: `EXPERIMENT#${ENDPOINT}`, sk: '0000000001#control' }), ConsistentRead: true }),
    );
    expect([...((Item && unmarshall(Item).applied) ?? [])]).not.toContain('cut-1/0#outcome');
    // And again: nothing more to count.
    await postFeedback(system, ENDPOINT, { id: 'cut-1', outcome: true });
    expect(variantOf(await experiment(system, ENDPOINT), 'control').outcomes).toBe(variantOf(before, 'control').outcomes + 1);
  });

  it('keeps a prediction for the join only where its feedback can count: a split of variants, or a version with a task', async () => {
    // A model without a task: a label cannot be scored against it, only an outcome compared across variants.
    const plain = await registered(system, 'plain-model', scaledModel(3));
    expect((await putEndpoint(system, 'plain', singleVariant('plain-model', plain))).status).toBe(201);
    const split = {
      variants: [
        { name: 'control', model: 'plain-model', version: plain, weight: 50 },
        { name: 'candidate', model: 'plain-model', version: plain, weight: 50 },
      ],
    };
    expect((await putEndpoint(system, 'plain-split', split)).status).toBe(201);
    await predictRow(system, 'plain', { id: 'kept-1' });
    await predictRow(system, 'plain-split', { id: 'kept-2', variant: 'control' });
    await experimentWhen(system, 'plain', (view) => servedCount(view) === 1);
    await experimentWhen(system, 'plain-split', (view) => servedCount(view) === 1);
    await monitorIdle();

    const table = system.names.tables.monitoring;
    const prediction = async (endpoint: string, rowId: string) =>
      (await system.clients.dynamodb.send(new GetItemCommand({ TableName: table, Key: marshall({ pk: `PREDICTION#${endpoint}`, sk: rowId }), ConsistentRead: true }))).Item;
    // The single variant without a task: no item written for the row, so its feedback is kept (for retraining) and waits.
    expect(await prediction('plain', 'kept-1/0')).toBeUndefined();
    expect(await (await postFeedback(system, 'plain', { id: 'kept-1', outcome: true, label: 'b' })).json()).toMatchObject({ rows: 1, joined: 0, waiting: 1, labelled: 1 });
    expect(variantOf(await experiment(system, 'plain'), 'main')).toMatchObject({ count: 1, feedback: 0, outcomes: 0 });
    expect(await labelsOf('plain')).toContainEqual(expect.objectContaining({ id: 'kept-1', row: 0, label: 'b' }));
    // The split: the row is kept, and its outcome joins on arrival.
    expect(await prediction('plain-split', 'kept-2/0')).toBeDefined();
    expect(await (await postFeedback(system, 'plain-split', { id: 'kept-2', outcome: true })).json()).toMatchObject({ rows: 1, joined: 1, waiting: 0 });
    expect(variantOf(await experiment(system, 'plain-split'), 'control')).toMatchObject({ count: 1, feedback: 1, outcomes: 1 });
  });

  it('refuses bad feedback with problem+json and keeps none of it', async () => {
    const before = await experiment(system, ENDPOINT);
    const invalid = await expectProblem(
      await postFeedback(system, ENDPOINT, {
        feedback: [
          { id: 'bad-1/0', label: 'a', outcome: true },
          { id: 'bad-2/0', outcome: 'yes' },
          { id: 'bad 3', label: 'b' },
        ],
      }),
      400,
    );
    expect(invalid.errors).toEqual([
      { path: 'feedback/1/outcome', message: expect.any(String) },
      { path: 'feedback/2/id', message: expect.stringMatching(/prediction id/) },
    ]);
    await expectProblem(await postFeedback(system, ENDPOINT, { id: 'bad-1', outcome: [true], label: 'a' }), 400);
    await expectProblem(await postFeedback(system, 'no-such-endpoint', { id: 'bad-1/0', label: 'a' }), 404);
    const tooMany = await expectProblem(await postFeedback(system, ENDPOINT, { feedback: Array.from({ length: 1001 }, (_, i) => ({ id: `bad-many-${i}`, label: 'a' })) }), 413);
    expect(tooMany.detail).toMatch(/at most 1000/);
    await expectProblem(
      await postFeedback(system, ENDPOINT, {
        feedback: [{ id: 'bad-big', label: 'x'.repeat(200), outcome: Array.from({ length: 1000 }, () => 1.23456789) }],
        pad: 'x'.repeat(1_100_000),
      }),
      413,
    );
    await expectProblem(await system.api(`/v1/endpoints/${ENDPOINT}/feedback`, { method: 'POST', body: 'id=bad-1', headers: { 'content-type': 'text/plain' } }), 415);
    const reader = await system.api('/v1/keys', { method: 'POST', json: { name: 'reader', scopes: ['read'] } });
    const { key } = (await reader.json()) as { key: string };
    await expectProblem(await system.api(`/v1/endpoints/${ENDPOINT}/feedback`, { method: 'POST', json: { id: 'bad-1/0', label: 'a' }, key }), 403);

    expect((await labelsOf(ENDPOINT)).filter((label) => label.id.startsWith('bad'))).toEqual([]);
    expect(await labelsOf('no-such-endpoint')).toEqual([]);
    // A prediction for the refused row finds no feedback to join.
    await predictRow(system, ENDPOINT, { id: 'bad-1', variant: 'control' });
    await experimentWhen(system, ENDPOINT, (view) => variantOf(view, 'control').count === variantOf(before, 'control').count + 1);
    await monitorIdle();
    const after = await experiment(system, ENDPOINT);
    expect(variantOf(after, 'control').feedback).toBe(variantOf(before, 'control').feedback);
  });
});
