import { describe, expect, it } from 'vitest';
import { MAX_FEEDBACK_ITEMS, MAX_FEEDBACK_ROWS, parseFeedback, parseFeedbackId } from './feedback.ts';

describe('parseFeedback', () => {
  it('takes one item naming a row, and a batch naming requests with a value per row', () => {
    expect(parseFeedback({ id: 'req-1/2', label: 'churn' })).toEqual({ ok: true, items: 1, rows: [{ requestId: 'req-1', row: 2, label: 'churn' }] });
    const batch = parseFeedback({
      feedback: [
        { id: 'req-2', outcome: [true, null, 3.5] },
        { id: 'req-3', value: 1.25, outcome: false },
      ],
    });
    expect(batch).toEqual({
      ok: true,
      items: 2,
      rows: [
        { requestId: 'req-2', row: 0, outcome: true },
        { requestId: 'req-2', row: 2, outcome: 3.5 },
        { requestId: 'req-3', row: 0, value: 1.25, outcome: false },
      ],
    });
  });

  it('merges items for the same row, the later fields winning', () => {
    const parsed = parseFeedback({
      feedback: [
        { id: 'r/0', label: 1, outcome: true },
        { id: 'r', label: [0, 1] },
      ],
    });
    expect(parsed.ok && parsed.rows).toEqual([
      { requestId: 'r', row: 0, label: 0, outcome: true },
      { requestId: 'r', row: 1, label: 1 },
    ]);
  });

  it.each([
    [{ id: 'r/0' }, '/', /at least one/],
    [{ id: 'has space', outcome: true }, 'id', /prediction id/],
    [{ id: 'a/b/0', outcome: true }, 'id', /prediction id/],
    [{ id: 'r/0', outcome: [true] }, 'outcome', /one value/],
    [{ id: 'r', outcome: [true, false], label: [1] }, 'outcome', /has 2 values; label has 1/],
    [{ id: 'r', outcome: [true, false], label: 1 }, 'label', /array like outcome/],
    [{ id: 'r', outcome: 'yes' }, 'outcome', /./],
    [{ id: 'r', label: { class: 1 } }, 'label', /./],
    [{ id: 'r', outcome: true, extra: 1 }, '/', /extra/],
  ])('refuses %j with a field path', (item, path, message) => {
    const parsed = parseFeedback(item);
    expect(parsed.ok).toBe(false);
    if (parsed.ok || parsed.reason !== 'invalid') throw new Error('expected invalid');
    expect(parsed.errors).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('refuses the whole batch for one bad item, naming it', () => {
    const parsed = parseFeedback({
      feedback: [
        { id: 'ok/0', outcome: true },
        { id: 'bad/0', outcome: 'x' },
      ],
    });
    expect(parsed).toMatchObject({ ok: false, reason: 'invalid', errors: [{ path: 'feedback/1/outcome' }] });
  });

  it('refuses a number no store can keep as it is, naming where', () => {
    const parsed = parseFeedback({
      feedback: [
        { id: 'ok/0', label: 1e20 },
        { id: 'big/0', value: -1.5e300 },
        { id: 'tiny', outcome: [1, 5e-324] },
      ],
    });
    expect(parsed).toMatchObject({ ok: false, reason: 'invalid', errors: [{ path: 'feedback/1/value' }, { path: expect.stringMatching(/^feedback\/2\/outcome/) }] });
  });

  it('says too many past the item and row limits', () => {
    const items = Array.from({ length: MAX_FEEDBACK_ITEMS + 1 }, (_, i) => ({ id: `r${i}`, outcome: true }));
    expect(parseFeedback({ feedback: items })).toMatchObject({ ok: false, reason: 'too-many' });
    const rows = Array.from({ length: 2 }, (_, i) => ({ id: `r${i}`, outcome: Array.from({ length: MAX_FEEDBACK_ROWS / 2 + 1 }, () => true) }));
    expect(parseFeedback({ feedback: rows })).toMatchObject({ ok: false, reason: 'too-many', detail: expect.stringMatching(/names 1002/) });
  });
});

describe('parseFeedbackId', () => {
  it('tells a row id from a prediction id', () => {
    expect(parseFeedbackId('req-9/12')).toEqual({ requestId: 'req-9', row: 12 });
    expect(parseFeedbackId('req-9')).toEqual({ requestId: 'req-9' });
    expect(parseFeedbackId('req-9/01')).toBeUndefined();
    expect(parseFeedbackId('')).toBeUndefined();
  });
});
