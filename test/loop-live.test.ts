import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@flywheel/core';
import type { Alert, CloudEvent, Run } from '@flywheel/core';
import { seedDemo } from '@flywheel/local';
import { DEMO_ENDPOINT, DEMO_MODEL, demoTraffic, type Dataset } from '@flywheel/train';
import { createEventsHandler, createJudgeHandler, createMonitorHandler, createTrainHandler } from '@flywheel/deploy';
import { eventually } from '@flywheel/testing/retrain-fixtures';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

const BATCH = 100;

/**
 * The loop, live, as a new user meets it: the local system with every function as `npm start`
 * runs it — the judge on its one-minute schedule from infra/ — the demo model and endpoint with
 * their retraining policy and guardrails, default monitoring, real time throughout. Shifted
 * traffic with its labels goes in through the API; nobody calls /retrain. The drift alert
 * opens within two minutes, a run starts by itself, its version (with lineage) serves as the
 * configured canary within three minutes of the shift, and the guardrail decides on evidence.
 */
describe('the loop closes live: shift → alert → run → canary → guardrail decision', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({
      consumers: {
        monitor: (clients, names) => createMonitorHandler(clients, names, { logger: silentLogger }),
        events: (clients, names) => createEventsHandler(clients, names, { logger: silentLogger }),
        train: (clients, names) => createTrainHandler(clients, names, { logger: silentLogger }),
      },
      scheduled: { judge: (clients, names) => createJudgeHandler(clients, names, { logger: silentLogger }) },
    });
  }, 60_000);
  afterAll(() => system?.stop());

  const json = async <T>(path: string, init?: Parameters<TestSystem['api']>[1]): Promise<T> => {
    const response = await system.api(path, init);
    expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
    return (await response.json()) as T;
  };
  const events = async (type: string) => (await json<{ events: CloudEvent[] }>(`/v1/events?type=${type}&limit=1000`)).events;

  /** Serves the rows through the endpoint, BATCH per request; returns the request ids. */
  async function serve(traffic: Dataset, prefix: string): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < traffic.examples.length; start += BATCH) {
      const id = `${prefix}-${start / BATCH}`;
      await json(`/v1/endpoints/${DEMO_ENDPOINT}/predict`, { method: 'POST', json: { id, records: traffic.examples.slice(start, start + BATCH).map((e) => e.features) } });
      ids.push(id);
    }
    return ids;
  }

  it('needs no manual step, within the minutes the defaults promise', async () => {
    expect(await seedDemo({ url: system.url, key: system.adminKey })).toBe(1);

    // The world changes: shifted features and a new concept, then the ground truth for every row.
    const shifted = demoTraffic('after', { seed: 11, rows: 1500, idPrefix: 'shifted' });
    const shiftAt = Date.now();
    const ids = await serve(shifted, 'shifted');
    for (const [n, id] of ids.entries()) {
      const response = await system.api(`/v1/endpoints/${DEMO_ENDPOINT}/feedback`, {
        method: 'POST',
        json: { id, label: shifted.examples.slice(n * BATCH, (n + 1) * BATCH).map((e) => e.label) },
      });
      expect(response.status).toBe(202);
    }
    const sinceShift = () => Date.now() - shiftAt;

    // The judge opens the drift alert on its own clock.
    const alert = await eventually(
      async () => {
        const { alerts } = await json<{ alerts: Alert[] }>(`/v1/alerts?endpoint=${DEMO_ENDPOINT}&status=open`);
        return alerts.find((a) => a.kind === 'drift');
      },
      'a drift alert',
      130_000,
    );
    const alertAfter = sinceShift();
    expect(alertAfter).toBeLessThan(120_000);
    expect(alert.value).toBeGreaterThan(alert.threshold);

    // A run starts by itself, caused by the drift, and its version goes out as the configured canary.
    const [run] = await eventually(
      async () => {
        const { runs } = await json<{ runs: Run[] }>(`/v1/models/${DEMO_MODEL}/runs`);
        return runs.length > 0 ? runs : undefined;
      },
      'a retraining run',
      60_000,
    );
    expect(run.trigger.kind).toMatch(/^(drift|quality)$/);
    const canary = await eventually(
      async () => {
        const { config } = await json<{ config: { variants: { name: string; version?: number; weight: number }[] } }>(`/v1/endpoints/${DEMO_ENDPOINT}`);
        return config.variants.find((v) => v.version === 2);
      },
      'the new version as a canary',
      Math.max(1000, 180_000 - sinceShift()),
    );
    const canaryAfter = sinceShift();
    expect(canaryAfter).toBeLessThan(180_000);
    expect(canary).toMatchObject({ name: 'candidate', weight: 20 });
    // The run records its outcome just after the canary is applied: poll, as a user would.
    const finished = await eventually(
      async () => {
        const current = await json<Run>(`/v1/runs/${run.runId}`);
        return current.status === 'succeeded' || current.status === 'failed' ? current : undefined;
      },
      'the run to finish',
      30_000,
    );
    expect(finished).toMatchObject({ status: 'succeeded', version: 2, canary: { started: true } });
    const version = await json<{ lineage: Record<string, unknown> }>(`/v1/models/${DEMO_MODEL}/versions/2`);
    expect(version.lineage).toMatchObject({ runId: run.runId, parentVersion: 1, triggeringEventId: run.trigger.eventId, manifestSha256: finished.dataset!.sha256 });
    expect((await events('dev.flywheel.retrain.requested')).map((e) => (e.data as { runId: string }).runId)).toEqual([run.runId]);

    // Fresh traffic, unpinned, one row per request: the split serves the canary its share, and
    // the guardrail promotes or rolls back once both sides have the samples it asks for.
    const fresh = demoTraffic('after', { seed: 12, rows: 4000, idPrefix: 'fresh' });
    let served = 0;
    let byCandidate = 0;
    const decision = await eventually(
      async () => {
        await Promise.all(
          Array.from({ length: 50 }, async () => {
            const example = fresh.examples[served++ % fresh.examples.length];
            const response = await system.api(`/v1/endpoints/${DEMO_ENDPOINT}/predict`, { method: 'POST', json: { unit: `user-${served}`, records: [example.features] } });
            expect(response.status).toBe(200);
            if (response.headers.get('flywheel-variant') === 'candidate') byCandidate++;
            await response.arrayBuffer();
          }),
        );
        const rollouts = [...(await events('dev.flywheel.rollout.promoted')), ...(await events('dev.flywheel.rollout.rolled_back'))];
        return rollouts[0];
      },
      'a guardrail decision',
      180_000,
    );
    expect(byCandidate).toBeGreaterThan(0);
    const endpoint = await json<{ change: { kind: string; decision?: { action: string; numbers: Record<string, number> } } }>(`/v1/endpoints/${DEMO_ENDPOINT}`);
    expect(endpoint.change.kind).toBe('guardrail');
    expect(endpoint.change.decision?.action).toMatch(/^(promote|rollback)$/);
    expect(decision.type).toBe(endpoint.change.decision?.action === 'promote' ? 'dev.flywheel.rollout.promoted' : 'dev.flywheel.rollout.rolled_back');
    // On evidence: the minimum sample on both sides.
    expect(Math.min(endpoint.change.decision!.numbers.controlSamples, endpoint.change.decision!.numbers.candidateSamples)).toBeGreaterThanOrEqual(200);
    console.info(`the loop, live: alert after ${alertAfter} ms, canary after ${canaryAfter} ms, ${decision.type} after ${sinceShift()} ms of the shift`);
  }, 420_000);
});
