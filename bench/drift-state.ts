// Drift state: how close KS and Wasserstein from the mergeable state (reference profile + window
// sketch) come to exact computation on the raw samples, on hard data; how large a numerical
// column's window state is as traffic grows; and what merging + evaluating 720 hourly windows costs.
//   npx tsx bench/drift-state.ts [--rounds 7]
import { loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import {
  buildReferenceProfile,
  createWindowSketch,
  evaluateDrift,
  mergeSketches,
  observe,
  type ColumnSpec,
  type ReferenceProfile,
  type Row,
  type WindowSketch,
} from '@flywheel/core';
import { hardCases, hardSizes } from '@flywheel/testing/drift/hard-samples';
import { sample, seededRandom, zeroInflatedCount, type Random } from '@flywheel/testing/drift/random';
import { binnedAndExact, profileOf, toleranceViolations } from '@flywheel/testing/drift/state-vs-exact';

const argRounds = process.argv.indexOf('--rounds');
const ROUNDS = argRounds > 0 ? Number(process.argv[argRounds + 1]) : 7;
const random = seededRandom(7);
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
const percent = (x: number) => `${(100 * x).toFixed(3)} %`;

console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);

// 1. Accuracy on hard data: the worst case of each distribution over the sizes of the tests.
console.log('\naccuracy vs exact on the raw samples (worst over reference/window sizes 200–100k)');
console.log('case'.padEnd(52), 'KS error', '  KS bound', '  W rel. error', '  W bound / W', ' out of tolerance');
let violations = 0;
let worstKs = 0;
let worstWasserstein = 0;
for (const [name, [referenceDraw, windowDraw]] of Object.entries(hardCases)) {
  let [ksError, ksBound, wError, wBound, outOfTolerance] = [0, 0, 0, 0, 0];
  for (const [n, m] of hardSizes) {
    const result = binnedAndExact(
      sample(n, () => referenceDraw(random)),
      sample(m, () => windowDraw(random)),
    );
    outOfTolerance += toleranceViolations(result).length;
    ksError = Math.max(ksError, result.exactKs - result.ks);
    ksBound = Math.max(ksBound, result.ksBound);
    wError = Math.max(wError, Math.abs(result.wasserstein - result.exactWasserstein) / result.exactWasserstein);
    wBound = Math.max(wBound, result.wassersteinBound / result.exactWasserstein);
  }
  violations += outOfTolerance;
  worstKs = Math.max(worstKs, ksError);
  worstWasserstein = Math.max(worstWasserstein, wError);
  console.log(
    name.padEnd(52),
    ksError.toFixed(5).padStart(8),
    ksBound.toFixed(5).padStart(10),
    percent(wError).padStart(14),
    percent(wBound).padStart(14),
    String(outOfTolerance).padStart(17),
  );
}
console.log(
  `worst KS error ${worstKs.toFixed(5)} (tolerance 0.005), worst Wasserstein error ${percent(worstWasserstein)} (tolerance 2 %), ${violations} comparisons out of tolerance or bound`,
);

// 2. State size of one numerical column as traffic grows (reference of 10,000 values).
console.log('\nwindow state of one numerical column: JSON and gzip (as the window store keeps it)');
const columns: Record<string, (r: Random) => number> = {
  'normal, 3 decimals': (r) => Math.round(r.normal(50, 10) * 1000) / 1000,
  'lognormal(0, 1)': (r) => r.lognormal(0, 1),
  Cauchy: (r) => r.studentT(1),
  'zero-inflated counts': (r) => zeroInflatedCount(r, 0.6),
};
const TRAFFIC = [1_000, 10_000, 100_000, 1_000_000];
console.log('column'.padEnd(24), 'edges', ...TRAFFIC.map((t) => `${fmt(t)} values`.padStart(22)));
for (const [name, draw] of Object.entries(columns)) {
  const profile = profileOf(sample(10_000, () => draw(random)));
  const reference = profile.features[0];
  const sketch = createWindowSketch(profile);
  const cells: string[] = [];
  let observed = 0;
  for (const target of TRAFFIC) {
    for (; observed < target; observed++) observe(sketch, profile, { features: { x: draw(random) } });
    const json = JSON.stringify(sketch.features[0]);
    cells.push(`${fmt(Buffer.byteLength(json))} B / ${fmt(gzipSync(json).length)} B gz`.padStart(22));
  }
  console.log(name.padEnd(24), String(reference.kind === 'numerical' ? reference.edges.length : 0).padStart(5), ...cells);
}

// 3. Drift over 30 days of hourly windows: 720 sketches of 200 rows, 21 columns, merged and evaluated.
const NUMERICAL = 15;
const CATEGORIES = Array.from({ length: 12 }, (_, i) => `cat-${i}`);
const features: ColumnSpec[] = [
  ...Array.from({ length: NUMERICAL }, (_, i) => ({ name: `n${i}`, kind: 'numerical' as const })),
  ...Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, kind: 'categorical' as const })),
];
function row(): Row {
  const inputs: Record<string, unknown> = {};
  for (let i = 0; i < NUMERICAL; i++) inputs[`n${i}`] = Math.round(random.normal(i * 10, 1 + i) * 1000) / 1000;
  for (let i = 0; i < 5; i++) inputs[`c${i}`] = CATEGORIES[random.pick([6, 5, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1])];
  return inputs;
}
const baseline = Array.from({ length: 10_000 }, row);
const wide: ReferenceProfile = buildReferenceProfile({
  features,
  records: baseline,
  outputs: [{ name: 'score', kind: 'numerical' }],
  outputRecords: baseline.map((r) => ({ score: (r.n0 as number) / 10 })),
});
const hours: WindowSketch[] = Array.from({ length: 720 }, () => {
  const sketch = createWindowSketch(wide);
  for (let i = 0; i < 200; i++) {
    const features = row();
    observe(sketch, wide, { features, outputs: { score: (features.n0 as number) / 10 } });
  }
  return sketch;
});
// As the window store hands them over: parsed from JSON.
const stored = hours.map((sketch) => JSON.parse(JSON.stringify(sketch)) as WindowSketch);
const times: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const start = performance.now();
  const merged = stored.reduce((a, b) => mergeSketches(a, b));
  evaluateDrift(wide, merged);
  times.push(performance.now() - start);
}
const hourJson = JSON.stringify(hours[0]);
console.log('\ndrift over 720 hourly windows (200 rows each, 21 columns)');
console.log(`  merge + evaluate: ${median(times).toFixed(1)} ms (median of ${ROUNDS}; range ${Math.min(...times).toFixed(1)}–${Math.max(...times).toFixed(1)})`);
console.log(`  one hour's sketch: ${fmt(Buffer.byteLength(hourJson))} B JSON, ${fmt(gzipSync(hourJson).length)} B gzip`);
