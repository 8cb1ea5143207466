import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoExperimentStore, DynamoFeedbackStore, DynamoWindowStore, FeedbackJoiner, WindowPerformanceWriter } from '@flywheel/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatTensor, tensorType, writeModel } from '@flywheel/inference';
import type { Alert } from '@flywheel/core';
import { performanceResponseSchema } from '../packages/api/src/routes/performance.ts';
import { seededRandom } from '@flywheel/testing/drift/random';
import { postFeedback, startMonitoredSystem } from '@flywheel/testing/feedback-fixtures';
import { expectProblem, putEndpoint, registered, singleVariant } from '@flywheel/testing/models';
import { createJudgeHandler } from '@flywheel/deploy';
import { at, batchBody, eventually, lambdaContext, logRecord } from '@flywheel/testing/monitor-fixtures';
import type { TestSystem } from '@flywheel/testing/system';
import { judgeTick } from '@flywheel/testing/lambda-events';

/** `probabilities = softmax(x · 1.5)` on `x: FP32 [N, 2]`: a binary classifier that answers with calibrated-looking probabilities. */
function softmaxModel(): Uint8Array {
  return writeModel({
    inputs: [{ name: 'x', type: tensorType('float32', ['N', 2]) }],
    outputs: [{ name: 'probabilities', type: tensorType('float32', ['N', 2]) }],
    nodes: [
      { opType: 'Mul', inputs: ['x', 'scale'], outputs: ['logits'] },
      { opType: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: { axis: { int: -1 } } },
    ],
    initializers: [floatTensor('scale', [1], [1.5])],
  });
}

const CLASSES = ['stay', 'churn'];
const TASK = { type: 'binary-classification', output: 'probabilities', classes: CLASSES };
/** What training measured on the holdout: the reference a drop is judged against. */
const REFERENCE = { accuracy: 0.9, auc: 0.95, rows: 1000 };

interface Row {
  readonly id: string;
  readonly churn: number;
  readonly label: string;
}

interface Figures {
  rows: number;
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  auc: number | null;
}

interface SeriesView {
  variant: string;
  model: string;
  version: number;
  reference: Record<string, number> | null;
  realized: Figures | null;
  estimated: Figures | null;
  windows: Array<{ from: string; to: string; realized: Figures | null; estimated: Figures | null }>;
}

/** Accuracy, precision and recall of "churn", and AUC from all (churn, stay) pairs, straight from the rows. */
function direct(rows: readonly Row[]) {
  const predicted = rows.map((r) => (r.churn >= 0.5 ? 'churn' : 'stay'));
  const tp = rows.filter((r, i) => predicted[i] === 'churn' && r.label === 'churn').length;
  const positives = rows.filter((r) => r.label === 'churn');
  const negatives = rows.filter((r) => r.label === 'stay');
  let ordered = 0;
  for (const p of positives) for (const n of negatives) ordered += p.churn > n.churn ? 1 : p.churn === n.churn ? 0.5 : 0;
  return {
    accuracy: rows.filter((r, i) => predicted[i] === r.label).length / rows.length,
    precision: tp / predicted.filter((p) => p === 'churn').length,
    recall: tp / positives.length,
    auc: ordered / (positives.length * negatives.length),
  };
}

describe('performance per window: realized from labels, estimated from probabilities, and alerts on a drop', () => {
  let system: TestSystem;
  const random = seededRandom(31);
  let version: number;

  beforeAll(async () => {
    system = await startMonitoredSystem();
    version = await registered(system, 'perf-model', softmaxModel(), { task: TASK, lineage: { metrics: { challenger: REFERENCE } } });
    // `perf` is judged by the hour, as the schedule would at the top of each hour; `perf-live` as configured by default.
    expect((await putEndpoint(system, 'perf', { ...singleVariant('perf-model', version), monitoring: { window: '1h', lookback: '1h', minSamples: 100 } })).status).toBe(201);
    expect((await putEndpoint(system, 'perf-live', singleVariant('perf-model', version))).status).toBe(201);
    judge = createJudgeHandler(system.clients, system.names, { notificationWaitMs: 100 });
  });
  let judge: ReturnType<typeof createJudgeHandler>;
  /** The scheduled judge's run at the top of hour `h` (a real-shaped EventBridge event): it judges hour h − 1. */
  const judgeAt = (h: number) => judge(judgeTick(at(h)), lambdaContext());
  afterAll(() => system?.stop());

  const performance = async (endpoint: string, query = '') => {
    const response = await system.api(`/v1/endpoints/${endpoint}/performance${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    const body: unknown = await response.json();
    // What is answered is what the OpenAPI document says.
    performanceResponseSchema.parse(body);
    return body as { endpoint: string; window: { from: string; to: string }; series: SeriesView[] };
  };
  const range = `?from=${at(0)}&to=${at(3)}`;
  const windowAt = async (h: number) => (await performance('perf', range)).series[0]?.windows.find((w) => w.from === at(h));

  /**
   * An hour of logged predictions, confident ones (churn probability near 0.1 or 0.9), whose
   * truth follows the probabilities, except that a share `flipped` of the rows has the other
   * label: a change of concept the probabilities cannot see.
   */
  function hour(h: number, n: number, flipped: number): Row[] {
    return Array.from({ length: n }, (_, i) => {
      const churn = Math.min(0.99, Math.max(0.01, (random.uniform() < 0.5 ? 0.1 : 0.9) + random.normal(0, 0.05)));
      const truth = random.uniform() < churn ? 'churn' : 'stay';
      const label = random.uniform() < flipped ? (truth === 'churn' ? 'stay' : 'churn') : truth;
      return { id: `perf-${h}-${i}`, churn, label };
    });
  }

  /** Logs the rows as the serving path would (one batch on the prediction-log queue), `minute` into hour `h`. */
  async function logHour(h: number, rows: readonly Row[], minute = 5): Promise<void> {
    const records = rows.map((row, i) =>
      logRecord(i, {
        id: `${row.id}/0`,
        endpoint: 'perf',
        variant: 'main',
        model: 'perf-model',
        version,
        time: at(h, minute + (i % 40)),
        inputs: { x: [0, 0] },
        outputs: { probabilities: [1 - row.churn, row.churn] },
      }),
    );
    await system.clients.sqs.send(new SendMessageCommand({ QueueUrl: system.names.queues.predictionLogs, MessageBody: batchBody(records) }));
  }

  async function label(rows: readonly Row[]): Promise<void> {
    const response = await postFeedback(system, 'perf', { feedback: rows.map((row) => ({ id: row.id, label: row.label })) });
    expect(await response.json()).toMatchObject({ rows: rows.length, joined: rows.length });
  }

  it('shows accuracy falling in the window where it falls, realized beside estimated, and opens a performance alert', async () => {
    const steady = hour(0, 400, 0);
    await logHour(0, steady);
    await eventually(
      () => windowAt(0),
      (w) => w?.estimated?.rows === 400,
    );
    await label(steady);

    const changed = hour(1, 400, 0.35);
    expect(await judgeAt(1)).toMatchObject({ alertsOpened: 0 }); // hour 0: no drop there
    await logHour(1, changed);
    await eventually(
      () => windowAt(1),
      (w) => w?.estimated?.rows === 400,
    );
    await label(changed);
    await logHour(2, hour(2, 1, 0), 2);
    await eventually(
      () => windowAt(2),
      (w) => w?.estimated?.rows === 1,
    );
    await judgeAt(2); // hour 1

    const opened = await eventually(
      async () => ((await (await system.api('/v1/alerts?endpoint=perf&status=open')).json()) as { alerts: Alert[] }).alerts,
      (alerts) => alerts.length > 0,
    );
    const view = await performance('perf', range);
    expect(view.series).toHaveLength(1);
    const [series] = view.series;
    expect(series).toMatchObject({ variant: 'main', model: 'perf-model', version, reference: { accuracy: 0.9, auc: 0.95 } });
    const [before, after] = series.windows;
    expect([before.from, before.to, after.from, after.to]).toEqual([at(0), at(1), at(1), at(2)]);

    // Realized: exactly the figures of the labelled rows (AUC within the 1/100 score bins).
    for (const [window, rows] of [
      [before, steady],
      [after, changed],
    ] as const) {
      const exact = direct(rows);
      expect(window.realized!.rows).toBe(400);
      expect(window.realized!.accuracy).toBeCloseTo(exact.accuracy, 12);
      expect(window.realized!.precision).toBeCloseTo(exact.precision, 12);
      expect(window.realized!.recall).toBeCloseTo(exact.recall, 12);
      expect(Math.abs(window.realized!.auc! - exact.auc)).toBeLessThan(0.01);
    }
    expect(after.realized!.accuracy!).toBeLessThan(before.realized!.accuracy! - 0.15);
    // Estimated from the probabilities alone: right while they hold (sampling error of 400 rows), blind to the changed concept.
    expect(Math.abs(before.estimated!.accuracy! - before.realized!.accuracy!)).toBeLessThan(0.05);
    expect(after.estimated!.accuracy! - after.realized!.accuracy!).toBeGreaterThan(0.15);
    // Merged over the range: the labelled rows of both windows.
    expect(series.realized!.rows).toBe(800);
    expect(series.realized!.accuracy).toBeCloseTo(direct([...steady, ...changed]).accuracy, 12);

    expect(opened.map((a) => `${a.kind}/${a.feature}`)).toEqual(['performance/accuracy']);
    expect(opened[0]).toMatchObject({ endpoint: 'perf', variants: ['main'], windowStart: at(1), windowEnd: at(2), threshold: 0.05 });
    expect(opened[0].value).toBeCloseTo(0.9 - after.realized!.accuracy!, 9);
    expect(opened[0].summary).toMatch(/^perf: performance drop of accuracy at 0\.\d+ \(threshold 0\.05\)$/);
    const events = await eventually(
      async () => ((await (await system.api('/v1/events?type=dev.flywheel.alert.opened')).json()) as { events: Array<{ data: Record<string, unknown> }> }).events,
      (list) => list.some((e) => e.data.endpoint === 'perf'),
    );
    expect(events.filter((e) => e.data.endpoint === 'perf').map((e) => e.data)).toEqual([
      expect.objectContaining({ kind: 'performance', feature: 'accuracy', alertId: opened[0].id }),
    ]);

    const metrics = await (await system.api('/metrics')).text();
    const series_ = `endpoint="perf",variant="main",model="perf-model",version="${version}"`;
    expect(metrics).toMatch(new RegExp(`^flywheel_performance\\{${series_},source="realized",metric="accuracy"\\} 0\\.\\d+$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^flywheel_performance\\{${series_},source="estimated",metric="auc"\\} 0\\.\\d+$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^flywheel_performance_rows\\{${series_},source="realized"\\} 400$`, 'm'));
    expect(metrics).toMatch(/^flywheel_alerts\{endpoint="perf",kind="performance",status="open"\} 1$/m);
  });

  it('counts a label once however often it is sent', async () => {
    const before = (await windowAt(0))!.realized!;
    const row = { id: 'perf-0-7', label: 'churn' };
    await Promise.all(Array.from({ length: 4 }, () => postFeedback(system, 'perf', row)));
    await postFeedback(system, 'perf', { ...row, label: 'stay' }); // a correction: kept for retraining, not counted again
    expect((await windowAt(0))!.realized).toEqual(before);
  });

  it('finishes a join cut short after counting into the window on the next delivery, still counting once', async () => {
    // Hour 2 holds one logged row, perf-2-0, not labelled yet. A joiner that dies right after adding: its mark never lands, its claim runs out.
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
    const windows = new WindowPerformanceWriter(new DynamoWindowStore(dying, table));
    const cut = new DynamoFeedbackStore(dying, table, new FeedbackJoiner(dying, table, new DynamoExperimentStore(dying, table), { claimLeaseMs: 1, windows }));
    await expect(cut.record('perf', [{ requestId: 'perf-2-0', row: 0, label: 'churn' }])).rejects.toThrow(/died/);
    expect((await windowAt(2))!.realized!.rows).toBe(1);

    // Sent again: the claim is taken over, the window's add recognised as done (its token is in), the row marked and the token dropped.
    expect(await (await postFeedback(system, 'perf', { id: 'perf-2-0', label: 'churn' })).json()).toMatchObject({ joined: 1 });
    expect((await windowAt(2))!.realized!.rows).toBe(1);
    const { Item } = await system.clients.dynamodb.send(
      new GetItemCommand({ TableName: table, Key: marshall({ pk: 'WINDOW#perf', sk: `${at(2)}#main#perf-model#${version}` }), ConsistentRead: true }),
    );
    expect([...((Item && unmarshall(Item).applied) ?? [])]).not.toContain('perf-2-0/0#quality');
  });

  it('estimates the served traffic live, then scores it as labels come back', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ id: `live-${i}`, x: [0, (i % 5) - 2] }));
    for (const row of rows) {
      const response = await system.api('/v1/endpoints/perf-live/predict', { method: 'POST', json: { id: row.id, inputs: { x: [row.x] } } });
      expect(response.status, await response.clone().text()).toBe(200);
    }
    const estimated = await eventually(
      () => performance('perf-live'),
      (view) => view.series[0]?.estimated?.rows === 20,
    );
    // softmax(1.5·x): the probability of the predicted class, averaged over the rows.
    const confidence = rows.map((r) => 1 / (1 + Math.exp(-1.5 * Math.abs(r.x[1])))).reduce((a, b) => a + b, 0) / rows.length;
    expect(estimated.series[0].estimated!.accuracy).toBeCloseTo(confidence, 5);
    expect(estimated.series[0].realized).toBeNull();

    // Truth: churn whenever the second input is positive, so the model is right on all rows but the ties at 0 (predicted stay, index 0 first).
    await postFeedback(system, 'perf-live', { feedback: rows.map((r) => ({ id: r.id, label: r.x[1] > 0 ? 'churn' : 'stay' })) });
    const scored = await performance('perf-live');
    expect(scored.series[0].realized).toMatchObject({ rows: 20, accuracy: 1, precision: 1, recall: 1, auc: 1 });
  });

  it('refuses a bad range with problem+json, and an unknown endpoint with 404', async () => {
    expect((await expectProblem(await system.api('/v1/endpoints/perf/performance?from=yesterday'), 400)).errors?.[0].path).toBe('from');
    await expectProblem(await system.api(`/v1/endpoints/perf/performance?from=${at(2)}&to=${at(1)}`), 400);
    await expectProblem(await system.api('/v1/endpoints/no-such/performance'), 404);
    await expectProblem(await system.api('/v1/endpoints/bad name/performance'), 400);
  });
});
