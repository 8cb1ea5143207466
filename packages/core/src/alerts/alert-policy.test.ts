import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertKeyId } from './alert-key.ts';
import { NO_ALERT, acknowledgeAlert, decideAlert, resolveAlert, type AlertSignal, type AlertState, type AlertTransition } from './alert-policy.ts';

const START = Date.parse('2025-01-01T00:00:00Z');
/** End of the n-th five-minute window. */
const at = (n: number) => new Date(START + n * 5 * 60_000).toISOString();
const signal = (n: number, breached: boolean): AlertSignal => ({ breached, value: breached ? 0.3 : 0.01, threshold: 0.1, windowEnd: at(n) });

/** Applies a run of windows (true = breached) from window `from` on, collecting the actions. */
function run(breaches: readonly boolean[], state: AlertState = NO_ALERT, from = 1) {
  const transitions: AlertTransition[] = [];
  for (const [i, breached] of breaches.entries()) {
    const transition = decideAlert(state, signal(from + i, breached));
    transitions.push(transition);
    state = transition.state;
  }
  return { state, actions: transitions.map((t) => t.action), transitions };
}

describe('decideAlert', () => {
  it('stays quiet without a breach', () => {
    expect(decideAlert(NO_ALERT, signal(1, false))).toMatchObject({ action: 'stay', reason: 'quiet', state: { status: 'none' } });
  });

  it('opens on a breach', () => {
    expect(decideAlert(NO_ALERT, signal(1, true))).toEqual({
      action: 'open',
      state: { status: 'open', cleanWindows: 0, lastOpenedAt: at(1), lastWindowEnd: at(1) },
    });
  });

  it('opens one alert, not a flood, over 100 breached windows', () => {
    const { actions, state } = run(new Array(100).fill(true));
    expect(actions.filter((a) => a === 'open')).toHaveLength(1);
    expect(actions.slice(1).every((a) => a === 'stay')).toBe(true);
    expect(state.status).toBe('open');
  });

  it('resolves only after 3 consecutive clean windows; a breach restarts the count', () => {
    const { actions } = run([true, false, false, true, false, false, false]);
    expect(actions).toEqual(['open', 'count-clean', 'count-clean', 'stay', 'count-clean', 'count-clean', 'resolve']);
  });

  it('honours resolveAfterCleanWindows', () => {
    const opened = decideAlert(NO_ALERT, signal(1, true)).state;
    expect(decideAlert(opened, signal(2, false), { resolveAfterCleanWindows: 1 }).action).toBe('resolve');
  });

  it('does not reopen within the 30-minute cool-down, and reopens after it', () => {
    // Resolved at window 4 (20 min); windows 5–9 end within 30 min of it, window 10 at 30 min.
    const { state, actions } = run([true, false, false, false]);
    expect(actions.at(-1)).toBe('resolve');
    expect(state.lastResolvedAt).toBe(at(4));
    const after = run(new Array(6).fill(true), state, 5);
    expect(after.transitions.slice(0, 5).map((t) => (t.action === 'stay' ? t.reason : t.action))).toEqual(new Array(5).fill('cooling-down'));
    expect(after.actions[5]).toBe('open');
  });

  it('keeps an acknowledged alert acknowledged through breaches and resolves it the same way', () => {
    const acknowledged = acknowledgeAlert(decideAlert(NO_ALERT, signal(1, true)).state);
    const { actions, state } = run([true, true, false, false, false], acknowledged, 2);
    expect(actions).toEqual(['stay', 'stay', 'count-clean', 'count-clean', 'resolve']);
    expect(state.status).toBe('none');
  });

  it('ignores a window it has already applied, or an older one (at-least-once delivery)', () => {
    const opened = decideAlert(NO_ALERT, signal(2, true)).state;
    const counted = decideAlert(opened, signal(3, false)).state;
    expect(decideAlert(counted, signal(3, false))).toEqual({ action: 'stay', reason: 'stale-window', state: counted });
    expect(decideAlert(counted, signal(1, true))).toMatchObject({ action: 'stay', reason: 'stale-window' });
  });

  it('never has more than one alert open, whatever the sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 200 }), (breaches) => {
        const { transitions } = run(breaches);
        let open = 0;
        for (const t of transitions) {
          if (t.action === 'open') open++;
          if (t.action === 'resolve') open--;
          expect(open === 0 || open === 1).toBe(true);
          expect(t.state.status === 'none').toBe(open === 0);
        }
      }),
      { seed: 17 },
    );
  });

  it('rejects a window time that is not ISO 8601', () => {
    expect(() => decideAlert(NO_ALERT, { ...signal(1, true), windowEnd: 'yesterday' })).toThrow(RangeError);
  });
});

describe('manual transitions', () => {
  const opened = decideAlert(NO_ALERT, signal(1, true)).state;

  it('acknowledges an alert that exists', () => {
    expect(acknowledgeAlert(opened).status).toBe('acknowledged');
    expect(() => acknowledgeAlert(NO_ALERT)).toThrow(/no alert/);
  });

  it('resolves by hand and starts the cool-down', () => {
    const resolved = resolveAlert(opened, at(2));
    expect(resolved).toMatchObject({ status: 'none', lastResolvedAt: at(2) });
    expect(decideAlert(resolved, signal(3, true))).toMatchObject({ action: 'stay', reason: 'cooling-down' });
    expect(resolveAlert(NO_ALERT, at(2))).toBe(NO_ALERT);
  });
});

describe('alertKeyId', () => {
  it('is stable and unambiguous', () => {
    expect(alertKeyId({ endpoint: 'churn', kind: 'drift', feature: 'age' })).toBe('churn/drift/age');
    expect(alertKeyId({ endpoint: 'churn', kind: 'latency' })).toBe('churn/latency/');
    expect(alertKeyId({ endpoint: 'a/b', kind: 'drift', feature: 'c' })).not.toBe(alertKeyId({ endpoint: 'a', kind: 'drift', feature: 'b/c' }));
  });
});
