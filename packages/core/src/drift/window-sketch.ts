import { z } from 'zod';
import { categoryIndex, type CategoricalReference } from './categorical-reference.ts';
import type { MonitoredRecord, Row } from './column-spec.ts';
import { countSchema } from './count-schema.ts';
import { bloomFilterMightContain } from './bloom-filter.ts';
import { MAX_NEW_CATEGORY_NAME_LENGTH, MAX_NEW_CATEGORY_NAMES, mergeNewCategoryNames, rememberNewCategory } from './new-category-names.ts';
import type { NumericalReference } from './numerical-reference.ts';
import { MISSING, TYPE_ERROR, categoryOf, numberOf } from './raw-value.ts';
import type { ColumnReference, ReferenceProfile } from './reference-profile.ts';
import { BinDetailSchema, binIndex, emptyBinDetail, fitsLayout, mergeBinDetails, recordInBin, sumCounts } from './statistics/binned-distribution.ts';

export const SKETCH_VERSION = 1;

const columnCounts = {
  name: z.string().min(1),
  /** Valid values observed. */
  count: countSchema,
  /** Absent, null or NaN. */
  missing: countSchema,
  /** Wrong type for the column (e.g. a string in a numerical column, ±Infinity). */
  typeErrors: countSchema,
};

/**
 * A numerical column of a window, over the reference's frozen bins. Out-of-reference-range
 * values are exactly the underflow and overflow bins (`bins[0]`, `bins[bins.length − 1]`).
 * Moments are kept as sums of deviations from the reference mean: summing raw squares of large
 * values would cancel catastrophically when the variance is taken.
 */
export const NumericalWindowSchema = z.object({
  ...columnCounts,
  kind: z.literal('numerical'),
  /** Σ (x − reference mean). */
  deviationSum: z.number(),
  /** Σ (x − reference mean)². */
  deviationSquareSum: z.number().min(0),
  /** Observed extremes; null until a valid value arrives. */
  min: z.number().nullable(),
  max: z.number().nullable(),
  bins: z.array(countSchema),
  /**
   * Σ (first edge − x) over the underflow values and Σ (x − last edge) over the overflow values:
   * with them the distance to the reference over its out-of-range tails is exact.
   */
  underflowDistance: z.number().min(0),
  overflowDistance: z.number().min(0),
  /**
   * Ties on each edge and where values lie inside each bin (see `BinDetail`): with them KS and
   * Wasserstein come within a bound of the raw samples' values (see `twoSampleKs`,
   * `wassersteinErrorBound`). Kept when the reference profile has it; absent in windows stored
   * before it existed (a merge with such a window drops it, and drift is computed as before).
   */
  detail: BinDetailSchema.optional(),
});
export type NumericalWindow = z.infer<typeof NumericalWindowSchema>;

/** A categorical column of a window: counts per reference category, "other", and new ones. */
export const CategoricalWindowSchema = z.object({
  ...columnCounts,
  kind: z.literal('categorical'),
  /** Aligned with the reference's `categories`. */
  counts: z.array(countSchema),
  /** Categories the reference folded into its "__other__" bucket. */
  other: countSchema,
  /** Categories the reference never saw. */
  newCategory: countSchema,
  newNames: z.array(z.tuple([z.string().max(MAX_NEW_CATEGORY_NAME_LENGTH), countSchema.min(1)])).max(MAX_NEW_CATEGORY_NAMES),
});
export type CategoricalWindow = z.infer<typeof CategoricalWindowSchema>;

export const ColumnWindowSchema = z.discriminatedUnion('kind', [NumericalWindowSchema, CategoricalWindowSchema]);
export type ColumnWindow = NumericalWindow | CategoricalWindow;

/**
 * Mergeable monitoring state of one (endpoint, variant, version, window): fixed-size counts over
 * the profile's layout, so its size does not grow with traffic, and merging windows is exact.
 * The object is its own compact JSON form (`JSON.stringify` it; read it back with
 * {@link parseWindowSketch}).
 */
export const WindowSketchSchema = z.object({
  sketchVersion: z.literal(SKETCH_VERSION),
  /** Fingerprint of the reference profile whose layout the counts use. */
  profile: z.string(),
  /** Records observed. */
  records: countSchema,
  features: z.array(ColumnWindowSchema),
  outputs: z.array(ColumnWindowSchema),
});
export type WindowSketch = z.infer<typeof WindowSketchSchema>;

function emptyColumn(reference: ColumnReference): ColumnWindow {
  const counts = { name: reference.name, count: 0, missing: 0, typeErrors: 0 };
  if (reference.kind === 'numerical') {
    return {
      ...counts,
      kind: 'numerical',
      deviationSum: 0,
      deviationSquareSum: 0,
      min: null,
      max: null,
      bins: new Array<number>(reference.edges.length + 2).fill(0),
      underflowDistance: 0,
      overflowDistance: 0,
      ...(reference.detail ? { detail: emptyBinDetail(reference.edges) } : {}),
    };
  }
  return {
    ...counts,
    kind: 'categorical',
    counts: new Array<number>(reference.categories.length).fill(0),
    other: 0,
    newCategory: 0,
    newNames: [],
  };
}

export function createWindowSketch(profile: ReferenceProfile): WindowSketch {
  return {
    sketchVersion: SKETCH_VERSION,
    profile: profile.fingerprint,
    records: 0,
    features: profile.features.map(emptyColumn),
    outputs: profile.outputs.map(emptyColumn),
  };
}

function observeNumber(window: NumericalWindow, reference: NumericalReference, raw: unknown): void {
  const x = numberOf(raw);
  if (x === MISSING) window.missing++;
  else if (x === TYPE_ERROR) window.typeErrors++;
  else {
    window.count++;
    const deviation = x - reference.mean;
    window.deviationSum += deviation;
    window.deviationSquareSum += deviation * deviation;
    if (window.min === null || x < window.min) window.min = x;
    if (window.max === null || x > window.max) window.max = x;
    const { edges } = reference;
    const bin = binIndex(edges, x);
    window.bins[bin]++;
    if (bin === 0) window.underflowDistance += edges[0] - x;
    else if (bin === edges.length + 1) window.overflowDistance += x - edges[edges.length - 1];
    else if (window.detail) recordInBin(window.detail, edges, bin, x);
  }
}

function observeCategory(window: CategoricalWindow, reference: CategoricalReference, raw: unknown): void {
  const category = categoryOf(raw);
  if (category === MISSING) window.missing++;
  else if (category === TYPE_ERROR) window.typeErrors++;
  else {
    window.count++;
    const known = categoryIndex(reference).get(category);
    if (known !== undefined) window.counts[known]++;
    else if (reference.otherNames !== null && bloomFilterMightContain(reference.otherNames, category)) window.other++;
    else {
      window.newCategory++;
      rememberNewCategory(window.newNames, category);
    }
  }
}

function observeColumns(windows: ColumnWindow[], references: readonly ColumnReference[], row: Row): void {
  for (let i = 0; i < references.length; i++) {
    const reference = references[i];
    const raw = row[reference.name];
    if (reference.kind === 'numerical') observeNumber(windows[i] as NumericalWindow, reference, raw);
    else observeCategory(windows[i] as CategoricalWindow, reference, raw);
  }
}

const NO_VALUES: Row = {};

/**
 * Counts one record into the sketch, in place (this is the hot path: a binary search per
 * numerical value, a map lookup per category, no allocation for known values).
 */
export function observe(sketch: WindowSketch, profile: ReferenceProfile, record: MonitoredRecord): void {
  if (sketch.profile !== profile.fingerprint) throw new Error('sketch was not created from this profile');
  sketch.records++;
  observeColumns(sketch.features, profile.features, record.features);
  observeColumns(sketch.outputs, profile.outputs, record.outputs ?? NO_VALUES);
}

function extreme(pick: (x: number, y: number) => number, a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : pick(a, b);
}

function mergeColumns(a: ColumnWindow, b: ColumnWindow): ColumnWindow {
  const counts = {
    name: a.name,
    count: a.count + b.count,
    missing: a.missing + b.missing,
    typeErrors: a.typeErrors + b.typeErrors,
  };
  if (a.kind === 'numerical' && b.kind === 'numerical') {
    const detail = mergeBinDetails(a.detail, b.detail);
    return {
      ...counts,
      kind: 'numerical',
      deviationSum: a.deviationSum + b.deviationSum,
      deviationSquareSum: a.deviationSquareSum + b.deviationSquareSum,
      min: extreme(Math.min, a.min, b.min),
      max: extreme(Math.max, a.max, b.max),
      bins: sumCounts(a.bins, b.bins),
      underflowDistance: a.underflowDistance + b.underflowDistance,
      overflowDistance: a.overflowDistance + b.overflowDistance,
      ...(detail ? { detail } : {}),
    };
  }
  if (a.kind === 'categorical' && b.kind === 'categorical') {
    return {
      ...counts,
      kind: 'categorical',
      counts: sumCounts(a.counts, b.counts),
      other: a.other + b.other,
      newCategory: a.newCategory + b.newCategory,
      newNames: mergeNewCategoryNames(a.newNames, b.newNames),
    };
  }
  throw new Error(`column "${a.name}" has different kinds in the two sketches`);
}

/**
 * The sketch of both windows together, as if every record had been observed into one sketch.
 * Associative and commutative; exact for every count (floating-point sums up to rounding).
 * Bin detail is kept only when both sides have it, so that stays true across states stored
 * before they existed.
 */
export function mergeSketches(a: WindowSketch, b: WindowSketch): WindowSketch {
  if (a.profile !== b.profile) throw new Error('cannot merge sketches built from different reference profiles');
  return {
    sketchVersion: SKETCH_VERSION,
    profile: a.profile,
    records: a.records + b.records,
    features: a.features.map((column, i) => mergeColumns(column, b.features[i])),
    outputs: a.outputs.map((column, i) => mergeColumns(column, b.outputs[i])),
  };
}

function matchesReference(window: ColumnWindow, reference: ColumnReference): boolean {
  if (window.name !== reference.name || window.kind !== reference.kind) return false;
  return window.kind === 'numerical'
    ? window.bins.length === (reference as NumericalReference).edges.length + 2 &&
        (window.detail === undefined || fitsLayout(window.detail, (reference as NumericalReference).edges))
    : window.counts.length === (reference as CategoricalReference).categories.length;
}

/** Validates stored sketch JSON and checks that it fits `profile`'s layout. */
export function parseWindowSketch(json: unknown, profile: ReferenceProfile): WindowSketch {
  const sketch = WindowSketchSchema.parse(json);
  const fits =
    sketch.profile === profile.fingerprint &&
    sketch.features.length === profile.features.length &&
    sketch.outputs.length === profile.outputs.length &&
    sketch.features.every((column, i) => matchesReference(column, profile.features[i])) &&
    sketch.outputs.every((column, i) => matchesReference(column, profile.outputs[i]));
  if (!fits) throw new Error('sketch does not fit the reference profile');
  return sketch;
}

/** Count, mean, population standard deviation and extremes of a window's valid values. */
export function windowSummary(reference: NumericalReference, window: NumericalWindow): { count: number; mean: number; std: number; min: number; max: number } | null {
  if (window.count === 0 || window.min === null || window.max === null) return null;
  const meanDeviation = window.deviationSum / window.count;
  const variance = Math.max(0, window.deviationSquareSum / window.count - meanDeviation * meanDeviation);
  return { count: window.count, mean: reference.mean + meanDeviation, std: Math.sqrt(variance), min: window.min, max: window.max };
}
