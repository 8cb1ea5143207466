import { describe, expect, test } from 'vitest';
import type { CloudEvent } from '../events/cloud-event.ts';
import type { RetrainPolicy } from '../routing/endpoint-config.ts';
import { finishRetrain, signalRetrain, type RetrainPorts } from './coordinator.ts';
import { INITIAL_RETRAIN_STATE, type RetrainSignal, type RetrainState } from './policy.ts';
import type { Run, RunStatus } from './run.ts';

/** In-memory ports with the stores' semantics (conditional writes), and switches to inject crashes. */
function memoryPorts() {
  const states = new Map<string, { state: RetrainState; revision: number }>();
  const runs = new Map<string, Run>();
  const jobs: string[] = [];
  const events: CloudEvent[] = [];
  const faults = { enqueue: 0, stateWriteConflicts: 0 };
  const ports: RetrainPorts = {
    states: {
      read: async (model) => states.get(model) ?? { state: INITIAL_RETRAIN_STATE, revision: 0 },
      write: async (model, state, expected) => {
        if (faults.stateWriteConflicts > 0) {
          faults.stateWriteConflicts--;
          const current = states.get(model) ?? { state: INITIAL_RETRAIN_STATE, revision: 0 };
          states.set(model, { state: current.state, revision: current.revision + 1 }); // someone else wrote
          return false;
        }
        if ((states.get(model)?.revision ?? 0) !== expected) return false;
        states.set(model, { state, revision: expected + 1 });
        return true;
      },
    },
    runs: {
      create: async (run) => runs.get(run.runId) ?? (runs.set(run.runId, run), run),
      get: async (id) => runs.get(id),
      list: async (model) => ({ runs: [...runs.values()].filter((r) => r.model === model) }),
      update: async (id, from: readonly RunStatus[], patch) => {
        const run = runs.get(id);
        if (!run || !from.includes(run.status)) return undefined;
        const next = { ...run, ...patch } as Run;
        runs.set(id, next);
        return next;
      },
    },
    jobs: {
      enqueue: async ({ runId }) => {
        if (faults.enqueue > 0) {
          faults.enqueue--;
          throw new Error('queue unavailable');
        }
        jobs.push(runId);
      },
    },
    events: { publish: async (event) => void events.push(event) },
  };
  return { ports, states, runs, jobs, events, faults };
}

const policy: RetrainPolicy = { on: ['drift'], trainer: 'builtin', minLabels: 10, cooldownMinutes: 60, canaryPercent: 10, minImprovement: 0 };
const labels: RetrainSignal = { kind: 'labels', id: 'l1', endpoint: 'e', count: 50, at: '2025-03-01T00:00:00Z' };
const drift: RetrainSignal = { kind: 'drift', id: 'd1', endpoint: 'e', at: '2025-03-01T00:01:00Z' };

describe('signalRetrain', () => {
  test('a start creates the queued run, enqueues its job and announces it', async () => {
    const { ports, runs, jobs, events } = memoryPorts();
    await signalRetrain(ports, 'm', labels, { policy, runId: 'run-l1' });
    const outcome = await signalRetrain(ports, 'm', drift, { policy, runId: 'run-d1', reason: 'why' });
    expect(outcome).toMatchObject({ action: 'start', resumed: false, run: { runId: 'run-d1', status: 'queued', trigger: { kind: 'drift', eventId: 'd1', reason: 'why' } } });
    expect([...runs.keys()]).toEqual(['run-d1']);
    expect(jobs).toEqual(['run-d1']);
    expect(events.map((e) => e.type)).toEqual(['dev.flywheel.retrain.requested']);
  });

  test('a crash after the state write is completed by the redelivery: one run, its job enqueued', async () => {
    const { ports, runs, jobs, faults } = memoryPorts();
    await signalRetrain(ports, 'm', labels, { policy, runId: 'run-l1' });
    faults.enqueue = 1;
    await expect(signalRetrain(ports, 'm', drift, { policy, runId: 'run-d1' })).rejects.toThrow('queue unavailable');
    const again = await signalRetrain(ports, 'm', drift, { policy, runId: 'run-d1' });
    expect(again).toMatchObject({ action: 'start', resumed: true, run: { runId: 'run-d1' } });
    expect(runs.size).toBe(1);
    expect(jobs).toEqual(['run-d1']);
  });

  test('a signal delivered again after its run finished does not start it again', async () => {
    const { ports, runs, jobs } = memoryPorts();
    await signalRetrain(ports, 'm', labels, { policy, runId: 'run-l1' });
    await signalRetrain(ports, 'm', drift, { policy, runId: 'run-d1' });
    await ports.runs.update('run-d1', ['queued'], { status: 'succeeded' });
    await finishRetrain(ports, { model: 'm', runId: 'run-d1', attempts: 1 }, '2025-03-01T00:05:00Z');
    const late = await signalRetrain(ports, 'm', { ...drift, at: '2025-03-01T03:00:00Z' }, { policy, runId: 'run-d1' });
    expect(late).toMatchObject({ action: 'ignore', reason: 'duplicate' });
    expect(runs.size).toBe(1);
    expect(jobs).toHaveLength(1);
  });

  test('a conflicting write is decided again on the fresh state', async () => {
    const { ports, faults, runs } = memoryPorts();
    await signalRetrain(ports, 'm', labels, { policy, runId: 'run-l1' });
    faults.stateWriteConflicts = 3;
    expect(await signalRetrain(ports, 'm', drift, { policy, runId: 'run-d1' })).toMatchObject({ action: 'start' });
    expect(runs.size).toBe(1);
  });

  test('retrying a failed run queues the same run again and requests it again', async () => {
    const { ports, jobs, events, runs } = memoryPorts();
    await signalRetrain(ports, 'm', { kind: 'manual', id: 'x', endpoint: 'e', at: drift.at }, { runId: 'run-x' });
    await ports.runs.update('run-x', ['queued'], { status: 'failed', error: 'boom', attempts: 1 });
    await finishRetrain(ports, { model: 'm', runId: 'run-x', attempts: 1 }, drift.at);
    const retried = await signalRetrain(ports, 'm', { kind: 'retry', id: 'retry/run-x/1', at: drift.at }, { runId: 'run-x' });
    expect(retried).toMatchObject({ action: 'start', run: { runId: 'run-x', status: 'queued' } });
    expect(runs.get('run-x')?.error).toBeUndefined();
    expect(jobs).toEqual(['run-x', 'run-x']);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
  });
});
