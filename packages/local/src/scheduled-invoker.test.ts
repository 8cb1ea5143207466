import { describe, expect, it } from 'vitest';
import type { ScheduledEvent } from 'aws-lambda';
import { ScheduledInvoker } from './scheduled-invoker.ts';

describe('ScheduledInvoker', () => {
  it('invokes at the multiples of its period on the wall clock with a real-shaped Scheduled Event, never two runs at once', async () => {
    const events: ScheduledEvent[] = [];
    const remaining: number[] = [];
    let inFlight = 0;
    let overlapped = false;
    const invoker = new ScheduledInvoker({
      everySeconds: 1,
      functionName: 'judge',
      timeoutSeconds: 55,
      handler: async (event, context) => {
        overlapped ||= inFlight > 0;
        inFlight++;
        events.push(event);
        remaining.push(context.getRemainingTimeInMillis());
        // Longer than the period: the next instant is skipped, not queued behind this run.
        await new Promise((resolve) => setTimeout(resolve, 1300));
        inFlight--;
      },
    });
    invoker.start();
    await new Promise((resolve) => setTimeout(resolve, 4200));
    await invoker.stop();
    const count = events.length;
    await new Promise((resolve) => setTimeout(resolve, 1200));

    expect(events.length).toBe(count);
    expect(count).toBeGreaterThanOrEqual(2);
    expect(overlapped).toBe(false);
    for (const event of events) {
      expect(event).toMatchObject({ version: '0', 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {}, resources: [expect.stringMatching(/:rule\/judge$/)] });
      expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const times = events.map((e) => Date.parse(e.time));
    // Every other second: each run outlasts one period.
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(2000);
    for (const ms of remaining) expect(ms).toBeGreaterThan(50_000);
  });
});
