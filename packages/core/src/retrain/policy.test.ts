import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import type { RetrainPolicy } from '../routing/endpoint-config.ts';
import { INITIAL_RETRAIN_STATE, decideRetrain, type RetrainDecision, type RetrainSignal, type RetrainState } from './policy.ts';

const policy: RetrainPolicy = { on: ['drift'], trainer: 'builtin', minLabels: 100, cooldownMinutes: 60, canaryPercent: 10, minImprovement: 0.01 };
const at = (minute: number) => new Date(Date.UTC(2025, 2, 1, 0, minute)).toISOString();
const drift = (id: string, minute: number, endpoint = 'demo'): RetrainSignal => ({ kind: 'drift', id, endpoint, at: at(minute) });
const labels = (id: string, count: number, minute: number, endpoint = 'demo'): RetrainSignal => ({ kind: 'labels', id, endpoint, count, at: at(minute) });

/** Applies signals in order, as the events consumer does, naming each run after its signal. */
function replay(signals: RetrainSignal[], state: RetrainState = INITIAL_RETRAIN_STATE, p: RetrainPolicy | null = policy) {
  const decisions: RetrainDecision[] = [];
  for (const signal of signals) {
    const decision = decideRetrain(state, signal, { policy: p ?? undefined, runId: `run-${signal.id}` });
    decisions.push(decision);
    state = decision.state;
  }
  return { decisions, state, last: decisions.at(-1)! };
}

describe('decideRetrain', () => {
  test('drift with enough new labels starts one run, caused by the drift event', () => {
    const { last, state } = replay([labels('l1', 150, 0), drift('d1', 1)]);
    expect(last).toMatchObject({ action: 'start', runId: 'run-d1', resumed: false, trigger: { kind: 'drift', endpoint: 'demo', eventId: 'd1' } });
    expect(state.active).toMatchObject({ runId: 'run-d1' });
    expect(state.newLabels.demo).toBe(0);
  });

  test('drift that arrives before enough labels waits, then fires when the labels arrive', () => {
    const { decisions, state } = replay([labels('l1', 40, 0), drift('d1', 1), labels('l2', 30, 2), labels('l3', 30, 3)]);
    expect(decisions[1]).toMatchObject({ action: 'wait', reason: 'labels' });
    expect(decisions[2]).toMatchObject({ action: 'wait', reason: 'labels' });
    // The labels released it, but the run is caused by the drift.
    expect(decisions[3]).toMatchObject({ action: 'start', runId: 'run-l3', trigger: { kind: 'drift', eventId: 'd1' } });
    expect(state.pending).toBeUndefined();
  });

  test('signals while a run is active join it: however many arrive, one run', () => {
    const { decisions } = replay([labels('l1', 500, 0), drift('d1', 1), drift('d2', 1), drift('d3', 2), { kind: 'quality', id: 'q1', endpoint: 'demo', at: at(2) }]);
    expect(decisions.filter((d) => d.action === 'start')).toHaveLength(1);
    expect(decisions[2]).toMatchObject({ action: 'ignore', reason: 'coalesced', activeRunId: 'run-d1' });
  });

  test('a redelivered signal resumes the run it started instead of starting or joining another', () => {
    const { state } = replay([labels('l1', 500, 0), drift('d1', 1)]);
    const again = decideRetrain(state, drift('d1', 3), { policy, runId: 'run-other' });
    expect(again).toMatchObject({ action: 'start', runId: 'run-d1', resumed: true, trigger: { eventId: 'd1' } });
    expect(again.state).toBe(state);
  });

  test('a redelivered labels batch is counted once', () => {
    const { state } = replay([labels('l1', 60, 0), labels('l1', 60, 1)]);
    expect(state.newLabels.demo).toBe(60);
  });

  test('labels count per endpoint: another endpoint’s labels do not release a waiting drift', () => {
    const { last } = replay([drift('d1', 0), labels('l1', 500, 1, 'other')]);
    expect(last).toMatchObject({ action: 'ignore', reason: 'counted' });
  });

  test('triggers the policy does not list are ignored, and no policy means no automatic retraining', () => {
    expect(replay([labels('l1', 500, 0), { kind: 'quality', id: 'q', endpoint: 'demo', at: at(1) }]).last).toMatchObject({ action: 'ignore', reason: 'not-a-trigger' });
    expect(replay([labels('l1', 500, 0), drift('d1', 1)], INITIAL_RETRAIN_STATE, null).last).toMatchObject({ action: 'ignore', reason: 'not-a-trigger' });
  });

  test('after a run, the cool-down holds the next trigger, which fires on the first labels past it', () => {
    const { decisions } = replay([
      labels('l1', 500, 0),
      drift('d1', 1),
      { kind: 'finished', id: 'f1', runId: 'run-d1', at: at(10) },
      labels('l2', 500, 20),
      drift('d2', 30), // 29 minutes after the run started: cooling down
      labels('l3', 1, 50), // still cooling down
      labels('l4', 1, 62), // past 60 minutes
    ]);
    expect(decisions[4]).toMatchObject({ action: 'wait', reason: 'cooldown' });
    expect(decisions[5]).toMatchObject({ action: 'wait', reason: 'cooldown' });
    expect(decisions[6]).toMatchObject({ action: 'start', trigger: { eventId: 'd2' } });
  });

  test('finishing clears only the active run', () => {
    const { state } = replay([labels('l1', 500, 0), drift('d1', 1), { kind: 'finished', id: 'f0', runId: 'run-other', at: at(2) }]);
    expect(state.active?.runId).toBe('run-d1');
    const done = decideRetrain(state, { kind: 'finished', id: 'f1', runId: 'run-d1', at: at(3) }, { policy, runId: 'x' });
    expect(done.state.active).toBeUndefined();
  });

  test('a manual request skips labels and cool-down but still joins an active run', () => {
    const manual = (id: string, minute: number): RetrainSignal => ({ kind: 'manual', id, at: at(minute) });
    const { decisions } = replay([manual('m1', 0), manual('m2', 1), { kind: 'finished', id: 'f', runId: 'run-m1', at: at(2) }, manual('m3', 3)]);
    expect(decisions.map((d) => d.action)).toEqual(['start', 'ignore', 'ignore', 'start']);
    expect(decisions[1]).toMatchObject({ reason: 'coalesced', activeRunId: 'run-m1' });
  });

  test('a run active past the stale limit no longer blocks', () => {
    const { state } = replay([labels('l1', 500, 0), drift('d1', 1)]);
    const later = new Date(Date.parse(at(1)) + 7 * 3600_000).toISOString();
    const decision = decideRetrain({ ...state, lastRunAt: undefined }, { kind: 'manual', id: 'm', at: later }, { policy, runId: 'run-m' });
    expect(decision).toMatchObject({ action: 'start', runId: 'run-m' });
  });

  test('property: a run starts only when none is active, and never within the cool-down of the previous start', () => {
    const signal = fc.oneof(
      fc.record({ kind: fc.constant('drift' as const), id: fc.integer({ min: 0, max: 30 }).map((n) => `d${n}`) }),
      fc.record({ kind: fc.constant('labels' as const), id: fc.integer({ min: 0, max: 30 }).map((n) => `l${n}`), count: fc.integer({ min: 1, max: 80 }) }),
      fc.record({ kind: fc.constant('finished' as const), id: fc.constant('f') }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(signal, fc.integer({ min: 0, max: 20 })), { maxLength: 60 }), (steps) => {
        let state = INITIAL_RETRAIN_STATE;
        let minute = 0;
        let lastStart: number | undefined;
        for (const [step, gap] of steps) {
          minute += gap;
          const s: RetrainSignal =
            step.kind === 'finished'
              ? { kind: 'finished', id: `f${minute}`, runId: state.active?.runId ?? 'none', at: at(minute) }
              : step.kind === 'labels'
                ? { kind: 'labels', id: step.id, endpoint: 'demo', count: step.count, at: at(minute) }
                : { kind: 'drift', id: step.id, endpoint: 'demo', at: at(minute) };
          const decision = decideRetrain(state, s, { policy, runId: `run-${s.id}-${minute}` });
          if (decision.action === 'start' && !decision.resumed) {
            expect(state.active).toBeUndefined();
            if (lastStart !== undefined) expect(minute - lastStart).toBeGreaterThanOrEqual(policy.cooldownMinutes);
            lastStart = minute;
          }
          state = decision.state;
        }
      }),
    );
  });
});

describe('decideRetrain: the labels, schedule and performance triggers', () => {
  const every = (on: RetrainPolicy['on'], extra: Partial<RetrainPolicy> = {}): RetrainPolicy => ({ ...policy, on, ...extra });

  test('`labels` starts a run each time minLabels new labels are in, after the cool-down', () => {
    const p = every(['labels'], { minLabels: 100, cooldownMinutes: 30 });
    const { decisions } = replay(
      [labels('l1', 60, 0), labels('l2', 60, 1), { kind: 'finished', id: 'f', runId: 'run-l2', at: at(5) }, labels('l3', 150, 10), labels('l4', 1, 40)],
      INITIAL_RETRAIN_STATE,
      p,
    );
    expect(decisions.map((d) => d.action)).toEqual(['ignore', 'start', 'ignore', 'ignore', 'start']);
    expect(decisions[1]).toMatchObject({ runId: 'run-l2', trigger: { kind: 'labels', endpoint: 'demo', eventId: 'l2' } });
    // Within the cool-down the labels count on, and the first labels past it start the next run.
    expect(decisions[3]).toMatchObject({ reason: 'counted', state: { newLabels: { demo: 150 } } });
    expect(decisions[4]).toMatchObject({ trigger: { kind: 'labels', eventId: 'l4' } });
  });

  test('labels without `labels` in the policy only count', () => {
    expect(replay([labels('l1', 5000, 0)]).last).toMatchObject({ action: 'ignore', reason: 'counted' });
  });

  test('`schedule` starts at its instant without waiting for labels, skips instants in the cool-down, and joins an active run', () => {
    const p = every(['schedule'], { schedule: 'rate(1 hour)', cooldownMinutes: 90 });
    const schedule = (minute: number): RetrainSignal => ({ kind: 'schedule', id: `schedule/demo/${at(minute)}`, endpoint: 'demo', at: at(minute) });
    const { decisions } = replay(
      [schedule(60), schedule(61), { kind: 'finished', id: 'f', runId: `run-schedule/demo/${at(60)}`, at: at(70) }, schedule(120), schedule(180)],
      INITIAL_RETRAIN_STATE,
      p,
    );
    expect(decisions.map((d) => d.action)).toEqual(['start', 'ignore', 'ignore', 'ignore', 'start']);
    expect(decisions[0]).toMatchObject({ trigger: { kind: 'schedule', endpoint: 'demo' } });
    expect(decisions[1]).toMatchObject({ reason: 'coalesced' });
    expect(decisions[3]).toMatchObject({ reason: 'cooling-down' });
    expect(replay([schedule(60)]).last).toMatchObject({ action: 'ignore', reason: 'not-a-trigger' });
  });

  test('a performance alert starts a run like drift does: when listed, with enough labels', () => {
    const p = every(['performance']);
    const performance: RetrainSignal = { kind: 'performance', id: 'p1', endpoint: 'demo', at: at(2) };
    expect(replay([labels('l1', 150, 0), performance], INITIAL_RETRAIN_STATE, p).last).toMatchObject({ action: 'start', trigger: { kind: 'performance', eventId: 'p1' } });
    expect(replay([labels('l1', 10, 0), performance], INITIAL_RETRAIN_STATE, p).last).toMatchObject({ action: 'wait', reason: 'labels' });
    expect(replay([labels('l1', 150, 0), performance]).last).toMatchObject({ action: 'ignore', reason: 'not-a-trigger' });
  });
});
