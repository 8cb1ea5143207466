import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@flywheel/core';
import { DynamoWindowStore, S3ReferenceProfileStore } from '@flywheel/aws';
import type { Alert, Run } from '@flywheel/core';
import { queryDrift } from '@flywheel/monitor';
import { seededRandom } from '@flywheel/testing/drift/random';
import { createJudgeHandler, createMonitorHandler } from '@flywheel/deploy';
import { at, batchBody, lambdaContext, logRecord, sqsEvent } from '@flywheel/testing/monitor-fixtures';
import { putEndpoint, registered, scaledModel } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { judgeTick } from '@flywheel/testing/lambda-events';

/**
 * The judge, invoked as its schedule would at given times (three days ago, so the times are
 * chosen, not waited for): minute-scale looks with the default monitoring config, the quiet
 * endpoint, drift over minute ranges, and scheduled retraining.
 */
describe('the judge looks at every endpoint on the clock', () => {
  let system: TestSystem;
  let ingest: ReturnType<typeof createMonitorHandler>;
  let judge: ReturnType<typeof createJudgeHandler>;
  const random = seededRandom(21);
  let message = 0;

  const rowsAt = (endpoint: string, minute: number, n: number, shift = 0) =>
    Array.from({ length: n }, (_, i) =>
      logRecord(i, {
        id: `${endpoint}-${minute}-${i}/0`,
        endpoint,
        time: at(0, minute + i / (n + 1)),
        inputs: { age: random.normal(40 + shift, 10), plan: ['free', 'pro', 'team'][random.pick([5, 3, 2])] },
        outputs: { score: random.uniform() },
      }),
    );
  const send = (records: ReturnType<typeof rowsAt>) => ingest(sqsEvent([{ messageId: `j-${++message}`, body: batchBody(records) }]), lambdaContext());
  const alertsOf = async (endpoint: string) => ((await (await system.api(`/v1/alerts?endpoint=${endpoint}`)).json()) as { alerts: Alert[] }).alerts;

  beforeAll(async () => {
    system = await startTestSystem();
    ingest = createMonitorHandler(system.clients, system.names, { logger: silentLogger });
    judge = createJudgeHandler(system.clients, system.names, { logger: silentLogger });
    const baseline = Array.from({ length: 2000 }, () => ({ age: random.normal(40, 10), plan: ['free', 'pro', 'team'][random.pick([5, 3, 2])] }));
    await new S3ReferenceProfileStore(system.clients.s3, system.names.bucket).storeReferenceProfile(
      'churn-model',
      1,
      [
        { name: 'age', kind: 'numerical' },
        { name: 'plan', kind: 'categorical' },
      ],
      baseline.map(() => ({ score: random.uniform() })),
      baseline,
    );
    expect(await registered(system, 'churn-model', scaledModel(1))).toBe(1);
  });
  afterAll(() => system?.stop());

  it('opens a drift alert at the first look after the shifted minute, and keeps it through the quiet that follows', async () => {
    const response = await putEndpoint(system, 'quiet', { variants: [{ name: 'main', model: 'churn-model', version: 1, weight: 100 }] });
    expect(response.status).toBe(201);
    for (const minute of [0, 1, 2]) expect(await send(rowsAt('quiet', minute, 100))).toEqual({ batchItemFailures: [] });
    // The last traffic the endpoint gets: one shifted minute. No record of any later time arrives.
    expect(await send(rowsAt('quiet', 3, 300, 15))).toEqual({ batchItemFailures: [] });

    expect(await judge(judgeTick(at(0, 3)), lambdaContext())).toMatchObject({ looks: 1, alertsOpened: 0, failures: 0 });
    expect(await alertsOf('quiet')).toEqual([]);
    expect(await judge(judgeTick(at(0, 4)), lambdaContext())).toMatchObject({ looks: 1, alertsOpened: 1, failures: 0 });
    const [alert] = await alertsOf('quiet');
    // The look: the five minutes ending with the shifted one.
    expect(alert).toMatchObject({ kind: 'drift', feature: 'age', status: 'open', windowStart: at(0, -1), windowEnd: at(0, 4), variants: ['main'] });

    // The look-back slides past the traffic, then sees none: the alert is neither reopened nor resolved by the silence.
    for (let minute = 5; minute <= 8; minute++) expect(await judge(judgeTick(at(0, minute)), lambdaContext())).toMatchObject({ looks: 1, alertsOpened: 0, alertsResolved: 0 });
    for (let minute = 9; minute <= 13; minute++) expect(await judge(judgeTick(at(0, minute)), lambdaContext())).toMatchObject({ looks: 0, quietLooks: 1, alertsResolved: 0 });
    expect(await alertsOf('quiet')).toEqual([expect.objectContaining({ id: alert.id, status: 'open' })]);
  });

  it('answers drift over any minute range from the minute windows, and over whole hours from the hour windows', async () => {
    const windows = new DynamoWindowStore(system.clients.dynamodb, system.names.tables.monitoring);
    const profiles = new S3ReferenceProfileStore(system.clients.s3, system.names.bucket);
    const shifted = await queryDrift(windows, profiles, { endpoint: 'quiet', from: at(0, 3), to: at(0, 4) });
    expect(shifted).toMatchObject({ status: 'ok', count: 300, report: { drifted: true } });
    const before = await queryDrift(windows, profiles, { endpoint: 'quiet', from: at(0, 0), to: at(0, 3) });
    expect(before).toMatchObject({ status: 'ok', count: 300 });
    if (before.status === 'ok') expect(before.report.features.find((f) => f.name === 'age')?.drifted).toBe(false);
    expect(await queryDrift(windows, profiles, { endpoint: 'quiet', from: at(-1), to: at(1) })).toMatchObject({ status: 'ok', count: 600 });
    // Across an hour boundary: the minutes before it, then the hour.
    expect(await queryDrift(windows, profiles, { endpoint: 'quiet', from: at(-1, 58), to: at(1) })).toMatchObject({ status: 'ok', count: 600 });
  });

  it('starts a `schedule` policy’s run at its instant, once however often the instant is judged', async () => {
    const response = await putEndpoint(system, 'nightly', {
      variants: [{ name: 'main', model: 'churn-model', version: 1, weight: 100 }],
      retrain: { on: ['schedule'], schedule: 'cron(30 * * * *)', cooldownMinutes: 0 },
    });
    expect(response.status).toBe(201);
    const runs = async () => ((await (await system.api('/v1/models/churn-model/runs')).json()) as { runs: Run[] }).runs;
    expect(await judge(judgeTick(at(0, 29)), lambdaContext())).toMatchObject({ scheduledRuns: 0 });
    expect(await runs()).toEqual([]);
    expect(await judge(judgeTick(at(0, 30)), lambdaContext())).toMatchObject({ scheduledRuns: 1, failures: 0 });
    // A retried invocation, and the next minute's, find the same instant: no second run.
    await judge(judgeTick(at(0, 30)), lambdaContext());
    expect(await judge(judgeTick(at(0, 31)), lambdaContext())).toMatchObject({ scheduledRuns: 0 });
    const [run, ...more] = await runs();
    expect(more).toEqual([]);
    expect(run).toMatchObject({ status: 'queued', endpoint: 'nightly', createdAt: at(0, 30), trigger: { kind: 'schedule', eventId: `schedule/nightly/${at(0, 30)}` } });
  });
});
