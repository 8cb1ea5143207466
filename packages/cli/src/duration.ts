import { UsageError } from './errors.ts';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90m`, `1h`, `7d` → milliseconds; anything else is a usage error naming the flag. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  if (!match || Number(match[1]) <= 0) throw new UsageError(`${flag} takes a duration such as 30m, 1h or 7d, got "${text}"`);
  return Number(match[1]) * UNITS[match[2]];
}

/** The ISO time `duration` before `now`. */
export function since(text: string, flag: string, now = Date.now()): string {
  return new Date(now - parseDuration(text, flag)).toISOString();
}
