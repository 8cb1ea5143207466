import type { CategoricalReference } from './categorical-reference.ts';
import type { NumericalReference } from './numerical-reference.ts';
import type { ReferenceProfile } from './reference-profile.ts';
import { referenceMassGroups } from './statistics/population-stability-index.ts';
import type { CategoricalWindow, NumericalWindow, WindowSketch } from './window-sketch.ts';

/**
 * A numerical column's reference and current shares over the bins PSI compares (about ten of
 * equal reference mass, cut on the reference's own edges, so the counts are exact): `reference[0]`
 * and `current[0]` are below `edges[0]`, entry i is in (edges[i−1], edges[i]] (entry 1 includes
 * edges[0]), and the last entry is above the last edge.
 */
export interface NumericalDistribution {
  readonly name: string;
  readonly kind: 'numerical';
  readonly edges: number[];
  readonly reference: number[];
  readonly current: number[];
  readonly referenceCount: number;
  readonly currentCount: number;
}

/**
 * A categorical column's shares per reference category, then the categories the reference folded
 * into "other", then the ones it never saw (the new-category bin, empty in the reference).
 */
export interface CategoricalDistribution {
  readonly name: string;
  readonly kind: 'categorical';
  readonly categories: string[];
  readonly reference: number[];
  readonly current: number[];
  readonly referenceCount: number;
  readonly currentCount: number;
}

export type FeatureDistribution = NumericalDistribution | CategoricalDistribution;

const shares = (counts: readonly number[], total: number) => counts.map((c) => (total > 0 ? c / total : 0));

function numericalDistribution(reference: NumericalReference, window: NumericalWindow): NumericalDistribution {
  const { groupOf, count } = referenceMassGroups(reference.counts);
  const referenceCounts = new Array<number>(count).fill(0);
  const currentCounts = new Array<number>(count).fill(0);
  // Fine bin i (1 … E) ends at edges[i − 1]; a group ends where its last fine bin does.
  const edges = [reference.edges[0]];
  for (let i = 0; i < groupOf.length; i++) {
    referenceCounts[groupOf[i]] += reference.counts[i];
    currentCounts[groupOf[i]] += window.bins[i];
    if (i >= 1 && i <= reference.edges.length && groupOf[i + 1] !== groupOf[i]) edges.push(reference.edges[i - 1]);
  }
  return {
    name: reference.name,
    kind: 'numerical',
    edges,
    reference: shares(referenceCounts, reference.count),
    current: shares(currentCounts, window.count),
    referenceCount: reference.count,
    currentCount: window.count,
  };
}

function categoricalDistribution(reference: CategoricalReference, window: CategoricalWindow): CategoricalDistribution {
  return {
    name: reference.name,
    kind: 'categorical',
    categories: [...reference.categories],
    reference: shares([...reference.counts, reference.other, 0], reference.count),
    current: shares([...window.counts, window.other, window.newCategory], window.count),
    referenceCount: reference.count,
    currentCount: window.count,
  };
}

/**
 * The reference's and a window's distribution of one column (a feature or a prediction output),
 * for drawing them side by side; undefined when the profile has no column of that name.
 */
export function featureDistribution(profile: ReferenceProfile, sketch: WindowSketch, name: string): FeatureDistribution | undefined {
  if (sketch.profile !== profile.fingerprint) throw new Error('sketch was not created from this profile');
  const columns = [
    ...profile.features.map((reference, i) => [reference, sketch.features[i]] as const),
    ...profile.outputs.map((reference, i) => [reference, sketch.outputs[i]] as const),
  ];
  const found = columns.find(([reference]) => reference.name === name);
  if (!found) return undefined;
  const [reference, window] = found;
  if (reference.kind === 'numerical' && window.kind === 'numerical') return numericalDistribution(reference, window);
  if (reference.kind === 'categorical' && window.kind === 'categorical') return categoricalDistribution(reference, window);
  throw new Error(`column "${name}" has a different kind in the sketch`);
}
