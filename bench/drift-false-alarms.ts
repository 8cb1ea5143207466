// False drift alarms of the judge's defaults: stable traffic, judged every minute for simulated
// days, through the judge's own decision code (windowSignals on the look-back's merged minute
// windows, then the alert policy). Also: how many looks a real shift takes to open its alert.
//   npx tsx bench/drift-false-alarms.ts [--days 10]
import {
  DEFAULT_ALERT_POLICY,
  DEFAULT_MONITORING,
  buildReferenceProfile,
  decideAlert,
  monitoringPlan,
  type AlertState,
  type PredictionLogRecord,
  WindowStateBuilder,
  mergeWindowStates,
  type WindowState,
} from '@flywheel/core';
import { windowSignals } from '@flywheel/monitor';
import { seededRandom, type Random } from '@flywheel/testing/drift/random';

const argDays = process.argv.indexOf('--days');
const DAYS = argDays > 0 ? Number(process.argv[argDays + 1]) : 10;
const MINUTE = 60_000;
const LOOKS_PER_DAY = 1440;

/** Four shapes that make numerical drift tests hard, a categorical feature, and the prediction. */
function row(random: Random, shift = 0): { inputs: Record<string, unknown>; outputs: Record<string, unknown> } {
  const income = random.lognormal(10 + shift * 0.5, 0.8);
  return {
    inputs: {
      age: random.normal(40 + shift * 10, 10),
      income,
      visits: Math.floor(random.gamma(1.5, 2 + shift)),
      session: random.uniform() < 0.5 ? random.normal(5, 1) : random.normal(15 + shift * 3, 2),
      plan: ['free', 'pro', 'team', 'enterprise'][random.pick(shift > 0 ? [3, 3, 3, 1] : [6, 3, 1, 0.2])],
    },
    outputs: { score: 1 / (1 + Math.exp(-(income / 30_000 - 1))) },
  };
}

const features = [
  { name: 'age', kind: 'numerical' as const },
  { name: 'income', kind: 'numerical' as const },
  { name: 'visits', kind: 'numerical' as const },
  { name: 'session', kind: 'numerical' as const },
  { name: 'plan', kind: 'categorical' as const },
];

const baselineRandom = seededRandom(1);
const baseline = Array.from({ length: 10_000 }, () => row(baselineRandom));
const profile = buildReferenceProfile({
  features,
  records: baseline.map((r) => r.inputs),
  outputs: [{ name: 'score', kind: 'numerical' }],
  outputRecords: baseline.map((r) => r.outputs),
});

const start = Date.UTC(2026, 0, 1);
function minuteState(random: Random, minute: number, rows: number, shift: number): WindowState {
  const builder = new WindowStateBuilder(profile);
  const time = new Date(start + minute * MINUTE).toISOString();
  for (let i = 0; i < rows; i++) {
    const { inputs, outputs } = row(random, shift);
    const record: PredictionLogRecord = {
      id: `m${minute}-${i}/0`,
      time,
      endpoint: 'e',
      variant: 'main',
      model: 'm',
      version: 1,
      configVersion: 1,
      inputs,
      outputs,
      latencyMs: 3,
      status: 'ok',
    };
    builder.add(record);
  }
  return builder.build();
}

interface Run {
  opened: number;
  /** The columns the false alerts were on. */
  columns: string[];
  /** Looks from the shift's first minute to the alert, when the traffic shifts. */
  looksToDetect?: number;
}

/** One endpoint-day: every minute a look at the merged look-back, through the alert policy per drift key. */
function day(seed: number, rowsPerMinute: number, alpha: number, shiftAt?: { minute: number; shift: number }): Run {
  const random = seededRandom(seed);
  const plan = monitoringPlan({ monitoring: { ...DEFAULT_MONITORING, alpha } });
  const lookbackWindows = plan.lookbackMs / plan.windowMs;
  const minutes: WindowState[] = [];
  const states = new Map<string, AlertState>();
  let opened = 0;
  const columns: string[] = [];
  let looksToDetect: number | undefined;
  for (let m = 0; m < LOOKS_PER_DAY; m++) {
    const shifted = shiftAt !== undefined && m >= shiftAt.minute;
    minutes.push(minuteState(random, m, rowsPerMinute, shifted ? shiftAt.shift : 0));
    const span = minutes.slice(-lookbackWindows);
    const merged = span.reduce((a, b) => mergeWindowStates(a, b));
    const windowEnd = new Date(start + (m + 1) * MINUTE).toISOString();
    const verdict = windowSignals('e', windowEnd, [{ key: { endpoint: 'e', variant: 'main', model: 'm', version: 1, start: windowEnd }, state: merged, profile }], {
      drift: { alpha: plan.alpha, minSampleSize: plan.minSamples },
    });
    const undecided = new Set(verdict.undecided.map((k) => k.feature));
    for (const { key, signal } of verdict.signals) {
      if (key.kind !== 'drift' || undecided.has(key.feature)) continue;
      const transition = decideAlert(states.get(key.feature!) ?? { status: 'none', cleanWindows: 0 }, signal, DEFAULT_ALERT_POLICY);
      states.set(key.feature!, transition.state);
      if (transition.action !== 'open') continue;
      if (shifted) looksToDetect ??= m - shiftAt.minute + 1;
      else {
        opened++;
        columns.push(key.feature!);
      }
    }
    if (looksToDetect !== undefined) break;
  }
  return { opened, columns, ...(looksToDetect !== undefined ? { looksToDetect } : {}) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`profile: ${features.length} features + 1 output, 10,000 baseline rows; defaults ${JSON.stringify(DEFAULT_MONITORING)}; ${DAYS} simulated days per row`);
console.log('| rows / minute | alpha per look | days | false drift alerts per endpoint-day: mean (max) | days with any | on columns |');
console.log('| ---: | ---: | ---: | ---: | ---: | --- |');
const ALPHAS = [0.05, 0.01, 0.001, 0.0001];
// At 2,000 rows a minute the effect size alone holds (none at any alpha in a first run), and a day costs 3M rows: fewer days.
for (const [rowsPerMinute, alphas, days] of [
  [40, ALPHAS, DAYS],
  [200, ALPHAS, DAYS],
  [2000, [0.05, DEFAULT_MONITORING.alpha], Math.max(2, Math.round(DAYS / 5))],
] as const) {
  for (const alpha of alphas) {
    const runs = Array.from({ length: days }, (_, d) => day(1000 * rowsPerMinute + d, rowsPerMinute, alpha));
    const opened = runs.map((r) => r.opened);
    const mean = opened.reduce((a, b) => a + b, 0) / runs.length;
    const columns = new Map<string, number>();
    for (const name of runs.flatMap((r) => r.columns)) columns.set(name, (columns.get(name) ?? 0) + 1);
    const on = [...columns]
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    console.log(
      `| ${rowsPerMinute} | ${alpha}${alpha === DEFAULT_MONITORING.alpha ? ' (default)' : ''} | ${days} | ${mean.toFixed(2)} (${Math.max(...opened)}) | ${opened.filter((n) => n > 0).length} / ${runs.length} | ${on || '–'} |`,
    );
  }
}

console.log('\n| rows / minute | shift | looks (minutes) from the shift to the alert: median (max) over 5 runs |');
console.log('| ---: | --- | ---: |');
for (const rowsPerMinute of [40, 200, 2000]) {
  for (const [label, shift] of [
    ['age +0.5 sd, the rest with it', 0.5],
    ['age +1 sd, the rest with it', 1],
  ] as const) {
    const looks = Array.from({ length: 5 }, (_, d) => day(7 + d, rowsPerMinute, DEFAULT_MONITORING.alpha, { minute: 30, shift }).looksToDetect ?? Infinity);
    console.log(`| ${rowsPerMinute} | ${label} | ${median(looks)} (${Math.max(...looks)}) |`);
  }
}
