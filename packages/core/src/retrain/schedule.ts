/**
 * When a `schedule` retraining policy is due, in EventBridge's two forms: `rate(6 hours)` (every
 * 6 hours counted from 1970-01-01T00:00Z, so every judge agrees on the instants without state)
 * and `cron(0 3 * * 1)` (the five standard cron fields — minute, hour, day of month, month, day
 * of week — in UTC). Instants fall on whole minutes, the grain the judge runs at.
 */
export type RetrainSchedule =
  | { readonly kind: 'rate'; readonly everyMinutes: number }
  | {
      readonly kind: 'cron';
      readonly minutes: ReadonlySet<number>;
      readonly hours: ReadonlySet<number>;
      readonly days: ReadonlySet<number> | null;
      readonly months: ReadonlySet<number>;
      readonly weekdays: ReadonlySet<number> | null;
    };

const MINUTE_MS = 60_000;
const RATE_UNITS: Record<string, number> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };

export class InvalidScheduleError extends Error {
  override name = 'InvalidScheduleError';
}

/** Parses `rate(n unit)` or `cron(m h dom mon dow)`; throws InvalidScheduleError saying what is wrong. */
export function parseSchedule(text: string): RetrainSchedule {
  const rate = /^rate\(\s*(\d+)\s+([a-z]+)\s*\)$/.exec(text.trim());
  if (rate) {
    const unit = RATE_UNITS[rate[2]];
    const n = Number(rate[1]);
    if (unit === undefined) throw new InvalidScheduleError(`unknown rate unit "${rate[2]}" (minutes, hours or days)`);
    if (n < 1) throw new InvalidScheduleError('a rate must be at least 1');
    return { kind: 'rate', everyMinutes: n * unit };
  }
  const cron = /^cron\((.*)\)$/.exec(text.trim());
  if (!cron) throw new InvalidScheduleError('must be rate(<n> minutes|hours|days) or cron(<minute> <hour> <day-of-month> <month> <day-of-week>)');
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 5) throw new InvalidScheduleError(`cron needs 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`);
  const [minute, hour, day, month, weekday] = fields;
  const weekdays = cronField(weekday, 0, 7, 'day of week');
  return {
    kind: 'cron',
    minutes: cronField(minute, 0, 59, 'minute'),
    hours: cronField(hour, 0, 23, 'hour'),
    days: day === '*' ? null : cronField(day, 1, 31, 'day of month'),
    months: cronField(month, 1, 12, 'month'),
    // 7 is Sunday too, as in most crons.
    weekdays: weekday === '*' ? null : new Set([...weekdays].map((d) => d % 7)),
  };
}

function cronField(text: string, min: number, max: number, what: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw new InvalidScheduleError(`cron ${what} "${part}" is not a number, range, list or step`);
    const bounds = match[1] === '*' ? [min, max] : match[1].split('-').map(Number);
    const from = bounds[0];
    // `5/15` runs from 5 to the end of the range, as `5-59/15` would; a bare `5` is just 5.
    const to = bounds[1] ?? (match[2] === undefined ? from : max);
    const step = match[2] === undefined ? 1 : Number(match[2]);
    if (from < min || to > max || from > to) throw new InvalidScheduleError(`cron ${what} "${part}" is outside ${min}-${max}`);
    if (step < 1) throw new InvalidScheduleError(`cron ${what} step must be at least 1`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** Whether the schedule fires at the whole minute `ms`. */
function firesAt(schedule: RetrainSchedule, ms: number): boolean {
  if (schedule.kind === 'rate') return (ms / MINUTE_MS) % schedule.everyMinutes === 0;
  const t = new Date(ms);
  if (!schedule.minutes.has(t.getUTCMinutes()) || !schedule.hours.has(t.getUTCHours()) || !schedule.months.has(t.getUTCMonth() + 1)) return false;
  const day = schedule.days?.has(t.getUTCDate());
  const weekday = schedule.weekdays?.has(t.getUTCDay());
  // Standard cron: when both day fields are restricted, either one matching is enough.
  if (day === undefined) return weekday ?? true;
  if (weekday === undefined) return day;
  return day || weekday;
}

/**
 * The latest instant the schedule fired in (after, until], or undefined. The judge asks for the
 * span since its previous run could have looked, so a late or retried run still finds the
 * instant — and the same instant always (a deterministic signal id dedupes it).
 */
export function latestScheduledInstant(schedule: RetrainSchedule, after: number, until: number): string | undefined {
  for (let ms = Math.floor(until / MINUTE_MS) * MINUTE_MS; ms > after; ms -= MINUTE_MS) {
    if (firesAt(schedule, ms)) return new Date(ms).toISOString();
  }
  return undefined;
}
