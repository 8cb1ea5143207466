import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@flywheel/core';
import { LOCAL_UNIT_HASH_KEY, S3PredictionLogSpill, SqsPredictionLogSink } from '@flywheel/aws';
import type { CloudEvent, PredictionLogEntry, Run } from '@flywheel/core';
import { createJudgeHandler, createMonitorHandler, createEventsHandler, createTrainHandler } from '@flywheel/deploy';
import { encodeRows, generateTabularDataset, predictModel, registryFeatures, registryTask, trainChallenger, type Dataset } from '@flywheel/train';
import { putEndpoint, registered } from '@flywheel/testing/models';
import { lambdaContext } from '@flywheel/testing/monitor-fixtures';
import { eventually } from '@flywheel/testing/retrain-fixtures';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { judgeTick } from '@flywheel/testing/lambda-events';

const HOUR = 3_600_000;

/**
 * The loop, closed by the system alone: a model of concept 1 serves traffic of concept 2; the
 * monitor sees the drift and opens alerts, the events function starts one retraining run once
 * labels are in, the trainer registers a better version with its lineage and starts it as a
 * canary. Ground truth comes in through the feedback route, which joins it to the logged
 * predictions, emits `labels.received` and keeps the labels the trainer reads.
 */
describe('drift becomes a better model in production, with no manual step', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({
      consumers: {
        monitor: (clients, names) => createMonitorHandler(clients, names, { logger: silentLogger }),
        events: (clients, names) => createEventsHandler(clients, names, { logger: silentLogger }),
        train: (clients, names) => createTrainHandler(clients, names, { logger: silentLogger }),
      },
    });
  });
  afterAll(() => system?.stop());

  it('retrains once, registers the version with full lineage, and canaries it because it is better', async () => {
    // A model of concept 1, with its baseline, behind an endpoint that retrains on drift.
    const before = generateTabularDataset({ seed: 1, rows: 2000, concept: 1 });
    const trained = await trainChallenger({ dataset: before, params: { trees: { rounds: 40 } } });
    const version = await registered(system, 'churn', trained.bytes, {
      features: registryFeatures(before.features, trained.layout),
      task: registryTask(before.task, trained.layout),
    });
    const baseline = await system.api(`/v1/models/churn/versions/${version}/baseline`, { method: 'PUT', json: { records: before.examples.slice(0, 1000).map((e) => e.features) } });
    expect(baseline.status, await baseline.clone().text()).toBeLessThan(300);
    // Retraining waits for a label for each of the 1,600 rows it will serve. Judged by the hour,
    // so the past hours sent below are what a look sees.
    const endpoint = await putEndpoint(system, 'churn', {
      variants: [{ name: 'control', model: 'churn', version, weight: 100 }],
      monitoring: { window: '1h', lookback: '1h' },
      retrain: { on: ['drift'], minLabels: 1600, cooldownMinutes: 60, canaryPercent: 10, minImprovement: 0.02 },
    });
    expect(endpoint.status).toBe(201);

    // Two hours of concept-2 traffic, logged by the request path's sink as it logs every prediction.
    const spill = new S3PredictionLogSpill(system.clients.s3, system.names.bucket);
    const sink = new SqsPredictionLogSink({ sqs: system.clients.sqs, queueUrl: system.names.queues.predictionLogs, spill, unitHashKey: LOCAL_UNIT_HASH_KEY });
    const thisHour = Math.floor(Date.now() / HOUR) * HOUR;
    const served: Dataset[] = [];
    for (const [i, hoursAgo] of [2, 1].entries()) {
      const traffic = generateTabularDataset({
        seed: 10 + i,
        rows: 800,
        concept: 2,
        covariateShift: 1,
        start: new Date(thisHour - hoursAgo * HOUR).toISOString(),
        intervalMs: 4000,
        idPrefix: `h${hoursAgo}`,
      });
      const outputs = predictModel(trained.model, encodeRows(traffic, traffic.examples));
      traffic.examples.forEach((example, row) => sink.log(logEntry(example.key.split('/')[0], example.time, example.features, outputs, row)));
      await sink.flush();
      served.push(traffic);
      await eventually(async () => (await windowCount(system, 'churn', traffic.examples[0].time)) >= 800 || undefined, `hour -${hoursAgo} to be counted`);
    }
    await sink.close();

    // The judge's run at the top of this hour judges the last one: drift, alerts.
    const judge = createJudgeHandler(system.clients, system.names, { logger: silentLogger });
    await judge(judgeTick(new Date(thisHour)), lambdaContext());
    const alerts = await eventually(async () => {
      const { alerts } = (await (await system.api('/v1/alerts?endpoint=churn&status=open')).json()) as { alerts: { kind: string; feature?: string }[] };
      return alerts.some((a) => a.kind === 'drift') ? alerts : undefined;
    }, 'a drift alert to open');
    expect(alerts.filter((a) => a.kind === 'drift').length).toBeGreaterThan(0);

    // Ground truth arrives for what was served, through the feedback route, and joins the logged predictions.
    for (const traffic of served) {
      const response = await system.api('/v1/endpoints/churn/feedback', { method: 'POST', json: { feedback: traffic.examples.map((e) => ({ id: e.key, label: e.label })) } });
      expect(response.status, await response.clone().text()).toBe(202);
      expect(await response.json()).toMatchObject({ rows: 800, joined: 800, labelled: 800 });
    }
    const { variants } = (await (await system.api('/v1/endpoints/churn/experiment?configVersion=1')).json()) as {
      variants: { name: string; count: number; quality: { labelled: number; accuracy: number } }[];
    };
    expect(variants[0]).toMatchObject({ name: 'control', count: 1600, quality: { labelled: 1600 } });
    expect(variants[0].quality.accuracy).toBeLessThan(0.8);

    // Exactly one run, caused by the drift, that succeeds.
    const run = await eventually(
      async () => {
        const { runs } = (await (await system.api('/v1/models/churn/runs')).json()) as { runs: Run[] };
        return runs.length === 1 && runs[0].status !== 'queued' && runs[0].status !== 'running' ? runs[0] : undefined;
      },
      'the retraining run to finish',
      60_000,
    );
    expect(run).toMatchObject({ status: 'succeeded', trigger: { kind: 'drift', endpoint: 'churn' }, parentVersion: 1, version: 2, canary: { started: true } });
    const { events } = (await (await system.api('/v1/events?limit=1000')).json()) as { events: CloudEvent[] };
    const signals = events.filter((e) => e.type === 'dev.flywheel.drift.detected' || (e.type === 'dev.flywheel.alert.opened' && (e.data as { kind: string }).kind === 'drift'));
    expect(signals.length).toBeGreaterThan(1);
    expect(signals.map((e) => e.id)).toContain(run.trigger.eventId);
    expect(events.filter((e) => e.type === 'dev.flywheel.retrain.requested')).toHaveLength(1);

    // Full lineage on the new version.
    const v2 = await (await system.api('/v1/models/churn/versions/2')).json();
    expect(v2.lineage).toEqual({
      runId: run.runId,
      dataset: { name: 'churn', version: 1, sha256: run.dataset!.sha256 },
      manifestSha256: run.dataset!.sha256,
      rows: 1600,
      timeRange: { from: served[0].examples[0].time, to: served[1].examples.at(-1)!.time },
      params: run.params,
      metrics: { challenger: run.metrics!.challenger, champion: run.metrics!.champion },
      parentVersion: 1,
      triggeringEventId: run.trigger.eventId,
    });

    // It runs as a canary.
    const config = (await (await system.api('/v1/endpoints/churn')).json()).config;
    expect(config.variants).toEqual([
      { name: 'control', model: 'churn', version: 1, weight: 90 },
      { name: 'candidate', model: 'churn', version: 2, weight: 10 },
    ]);

    // And beats the old version on fresh post-shift traffic, served through the endpoint.
    const fresh = generateTabularDataset({ seed: 99, rows: 400, concept: 2, covariateShift: 1, idPrefix: 'fresh' });
    const accuracy = async (variant: string) => {
      const response = await system.api('/v1/endpoints/churn/predict', {
        method: 'POST',
        headers: { 'flywheel-variant': variant },
        json: { records: fresh.examples.map((e) => e.features) },
      });
      expect(response.status, await response.clone().text()).toBe(200);
      const { outputs } = (await response.json()) as { outputs: { label: number[] } };
      return outputs.label.filter((label, i) => label === fresh.examples[i].label).length / fresh.examples.length;
    };
    const [oldAccuracy, newAccuracy] = [await accuracy('control'), await accuracy('candidate')];
    expect(newAccuracy - oldAccuracy).toBeGreaterThan(0.1);
  }, 120_000);
});

function logEntry(requestId: string, time: string, features: Record<string, unknown>, outputs: ReturnType<typeof predictModel>, row: number): PredictionLogEntry {
  const classes = [0, 1];
  const probabilities = outputs.kind === 'classes' ? Array.from(outputs.probabilities!.subarray(row * 2, row * 2 + 2)) : [];
  const label = outputs.kind === 'classes' ? classes[outputs.labels[row]] : undefined;
  return {
    requestId,
    time,
    endpoint: 'churn',
    variant: 'control',
    model: 'churn',
    version: 1,
    configVersion: 1,
    rows: [{ inputs: features, outputs: { label, probabilities } }],
    latencyMs: 3,
    status: 'ok',
    logging: { percent: 100, redact: [] },
  };
}

async function windowCount(system: TestSystem, endpoint: string, time: string): Promise<number> {
  const from = new Date(Math.floor(Date.parse(time) / HOUR) * HOUR).toISOString();
  const to = new Date(Date.parse(from) + HOUR).toISOString();
  const drift = (await (await system.api(`/v1/endpoints/${endpoint}/drift?from=${from}&to=${to}`)).json()) as { window: { count: number } };
  return drift.window.count;
}
