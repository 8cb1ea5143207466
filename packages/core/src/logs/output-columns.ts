import type { ColumnSpec, Row } from '../drift/column-spec.ts';

/** Columns taken from one output at most; wider outputs (embeddings, images) are not monitored. */
export const MAX_COLUMNS_PER_OUTPUT = 32;

/**
 * The monitored columns of a row's outputs: a scalar output is one column named after it; a
 * vector (class probabilities, say) is one column per position, `probabilities[1]`. Profiles and
 * windows both go through this, so their column names agree.
 */
export function outputColumns(outputs: Row): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const name of Object.keys(outputs)) {
    const value = outputs[name];
    if (!Array.isArray(value)) {
      columns[name] = value;
      continue;
    }
    const leaves = value.flat(Infinity);
    if (leaves.length > MAX_COLUMNS_PER_OUTPUT) continue;
    leaves.forEach((leaf, i) => {
      columns[`${name}[${i}]`] = leaf;
    });
  }
  return columns;
}

/**
 * Column specs for output columns, their kind read from the first value present: numbers are
 * numerical; strings and booleans (class labels) categorical.
 */
export function outputColumnSpecs(rows: readonly Row[]): ColumnSpec[] {
  const kinds = new Map<string, ColumnSpec['kind']>();
  for (const row of rows) {
    for (const [name, value] of Object.entries(row)) {
      if (kinds.has(name) || value === null || value === undefined) continue;
      if (typeof value === 'number') kinds.set(name, 'numerical');
      else if (typeof value === 'string' || typeof value === 'boolean') kinds.set(name, 'categorical');
    }
  }
  return [...kinds].map(([name, kind]) => ({ name, kind }));
}
