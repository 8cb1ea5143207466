import { describe, expect, it } from 'vitest';
import { parseDuration, since } from './duration.ts';

describe('durations of --since and --interval', () => {
  it('reads seconds to weeks', () => {
    expect(parseDuration('30s', '--x')).toBe(30_000);
    expect(parseDuration('90m', '--x')).toBe(5_400_000);
    expect(parseDuration('1.5h', '--x')).toBe(5_400_000);
    expect(parseDuration('7d', '--x')).toBe(7 * 86_400_000);
    expect(since('1h', '--since', Date.parse('2026-01-01T12:00:00Z'))).toBe('2026-01-01T11:00:00.000Z');
  });

  it('names the flag and the expected form when the text is not a duration', () => {
    for (const bad of ['1', 'h', '0h', '-1h', '1y', 'yesterday'])
      expect(() => parseDuration(bad, '--since')).toThrow(`--since takes a duration such as 30m, 1h or 7d, got "${bad}"`);
  });
});
