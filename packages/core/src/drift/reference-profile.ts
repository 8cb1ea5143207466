import { z } from 'zod';
import { CategoricalReferenceSchema, buildCategoricalReference, type CategoricalReference } from './categorical-reference.ts';
import type { ColumnSpec, Row } from './column-spec.ts';
import { countSchema } from './count-schema.ts';
import { InvalidBaselineError } from './invalid-baseline-error.ts';
import { NumericalReferenceSchema, buildNumericalReference, type NumericalReference } from './numerical-reference.ts';
import { MISSING, TYPE_ERROR, categoryOf, numberOf } from './raw-value.ts';
import { stringHash53 } from './string-hash.ts';

export const PROFILE_VERSION = 1;

export const ColumnReferenceSchema = z.discriminatedUnion('kind', [NumericalReferenceSchema, CategoricalReferenceSchema]);
export type ColumnReference = NumericalReference | CategoricalReference;

/**
 * What a model version's baseline looked like, frozen once: per column the bins or categories
 * that every window sketch of this version counts into, and the baseline's own counts over them.
 * Plain JSON.
 */
export const ReferenceProfileSchema = z
  .object({
    profileVersion: z.literal(PROFILE_VERSION),
    /** Identifies the bin layout; only sketches with the same fingerprint can be merged. */
    fingerprint: z.string(),
    /** Baseline records the profile was built from. */
    records: countSchema,
    features: z.array(ColumnReferenceSchema),
    outputs: z.array(ColumnReferenceSchema),
  })
  .refine((p) => p.fingerprint === layoutFingerprint(p.features, p.outputs), { message: 'fingerprint does not match the bin layout' });
export type ReferenceProfile = z.infer<typeof ReferenceProfileSchema>;

export interface Baseline {
  readonly features: readonly ColumnSpec[];
  readonly records: readonly Row[];
  /** Output columns, profiled from `outputRecords` (the model's outputs on the baseline). */
  readonly outputs?: readonly ColumnSpec[];
  readonly outputRecords?: readonly Row[];
}

/**
 * Fewer than 1/256 of the reference's values lie strictly inside any bin, so KS from the bins is
 * within 0.0039 of KS on the raw samples; with 384 edges a window column (a count, a tie count
 * and an offset sum per bin) stays within 3–6 KiB of JSON, inside the 16 KiB budget per feature.
 */
export const DEFAULT_QUANTILE_BINS = 256;

export interface ProfileOptions {
  /** Quantile bins per numerical column (default {@link DEFAULT_QUANTILE_BINS}). */
  readonly quantileBins?: number;
  /** Categories kept per categorical column before folding the rest into "other" (default 200). */
  readonly maxCategories?: number;
}

/** Hash of everything that decides which bin a value lands in. */
function layoutFingerprint(features: readonly ColumnReference[], outputs: readonly ColumnReference[]): string {
  const layout = (columns: readonly ColumnReference[]) =>
    columns.map((c) => (c.kind === 'numerical' ? [c.name, c.kind, c.discrete, c.edges] : [c.name, c.kind, c.categories, c.otherNames]));
  return stringHash53(JSON.stringify([layout(features), layout(outputs)])).toString(36);
}

function buildColumn(spec: ColumnSpec, records: readonly Row[], options: Required<ProfileOptions>): ColumnReference {
  let missing = 0;
  let typeErrors = 0;
  if (spec.kind === 'numerical') {
    const values: number[] = [];
    for (const record of records) {
      const value = numberOf(record[spec.name]);
      if (value === MISSING) missing++;
      else if (value === TYPE_ERROR) typeErrors++;
      else values.push(value);
    }
    return buildNumericalReference({ name: spec.name, values, missing, typeErrors }, options.quantileBins);
  }
  const values: string[] = [];
  for (const record of records) {
    const value = categoryOf(record[spec.name]);
    if (value === MISSING) missing++;
    else if (value === TYPE_ERROR) typeErrors++;
    else values.push(value);
  }
  return buildCategoricalReference({ name: spec.name, values, missing, typeErrors, declaredCategories: spec.categories }, options.maxCategories);
}

/** Builds the reference profile of a baseline; throws {@link InvalidBaselineError} when it cannot. */
export function buildReferenceProfile(baseline: Baseline, options: ProfileOptions = {}): ReferenceProfile {
  const resolved = { quantileBins: options.quantileBins ?? DEFAULT_QUANTILE_BINS, maxCategories: options.maxCategories ?? 200 };
  const outputs = baseline.outputs ?? [];
  if (baseline.records.length === 0) throw new InvalidBaselineError('the baseline has no records');
  if (outputs.length > 0 && !baseline.outputRecords?.length) throw new InvalidBaselineError('output columns need outputRecords');
  const names = [...baseline.features, ...outputs].map((c) => c.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  // Drift and quality reports name columns; a name must say which one it is.
  if (duplicate !== undefined) throw new InvalidBaselineError(`column "${duplicate}" is named twice across features and outputs`);
  const features = baseline.features.map((spec) => buildColumn(spec, baseline.records, resolved));
  const outputColumns = outputs.map((spec) => buildColumn(spec, baseline.outputRecords ?? [], resolved));
  return {
    profileVersion: PROFILE_VERSION,
    fingerprint: layoutFingerprint(features, outputColumns),
    records: baseline.records.length,
    features,
    outputs: outputColumns,
  };
}

/** Validates stored profile JSON (shape, bin invariants, fingerprint). */
export function parseReferenceProfile(json: unknown): ReferenceProfile {
  return ReferenceProfileSchema.parse(json);
}
