import type { ColumnWindow, WindowSketch } from './window-sketch.ts';

export interface QualityCount {
  readonly name: string;
  readonly count: number;
  /** count / records observed in the window. */
  readonly rate: number;
}

export interface NewCategoryCount extends QualityCount {
  /** Some of the new names, most frequent first (capped; see the sketch). */
  readonly examples: readonly string[];
}

/** Data-quality counts of a window; each list holds only the columns where the count is nonzero. */
export interface DataQuality {
  readonly missing: QualityCount[];
  readonly outOfRange: QualityCount[];
  readonly newCategories: NewCategoryCount[];
  readonly typeErrors: QualityCount[];
}

export function dataQuality(sketch: WindowSketch): DataQuality {
  const columns: ColumnWindow[] = [...sketch.features, ...sketch.outputs];
  const rate = (count: number) => (sketch.records > 0 ? count / sketch.records : 0);
  const counted = (count: (column: ColumnWindow) => number): QualityCount[] =>
    columns.map((column) => ({ name: column.name, count: count(column), rate: rate(count(column)) })).filter((entry) => entry.count > 0);
  return {
    missing: counted((c) => c.missing),
    outOfRange: counted((c) => (c.kind === 'numerical' ? c.bins[0] + c.bins[c.bins.length - 1] : 0)),
    newCategories: columns.flatMap((c) =>
      c.kind === 'categorical' && c.newCategory > 0 ? [{ name: c.name, count: c.newCategory, rate: rate(c.newCategory), examples: c.newNames.map(([name]) => name) }] : [],
    ),
    typeErrors: counted((c) => c.typeErrors),
  };
}
