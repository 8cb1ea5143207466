// Row-major nested JSON arrays <-> flat element lists with a shape.

export type NestedArray<T> = T | NestedArray<T>[];

export type Flattened = { shape: number[]; elements: unknown[] } | { raggedAt: string; message: string };

/**
 * Flattens a nested array whose shape is taken from its first elements; any sub-array of another
 * length, or a scalar where an array belongs (or the reverse), makes it ragged.
 */
export function flattenNested(value: unknown): Flattened {
  const shape: number[] = [];
  for (let probe = value; Array.isArray(probe); probe = probe[0]) {
    shape.push(probe.length);
    if (probe.length === 0) break;
  }
  const elements: unknown[] = [];
  const ragged = collect(value, shape, 0, elements);
  return ragged ?? { shape, elements };
}

function collect(value: unknown, shape: readonly number[], depth: number, into: unknown[]): { raggedAt: string; message: string } | undefined {
  if (depth === shape.length) {
    if (Array.isArray(value)) return { raggedAt: '', message: `ragged array: expected a scalar at depth ${depth}, got an array` };
    into.push(value);
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== shape[depth]) {
    const got = Array.isArray(value) ? `${value.length} elements` : 'a scalar';
    return { raggedAt: '', message: `ragged array: expected ${shape[depth]} elements at depth ${depth}, got ${got}` };
  }
  for (let i = 0; i < value.length; i++) {
    const ragged = collect(value[i], shape, depth + 1, into);
    if (ragged) return { ...ragged, raggedAt: `[${i}]${ragged.raggedAt}` };
  }
  return undefined;
}

/** Rebuilds the nested array of a flat row-major list; a rank-0 shape gives the scalar itself. */
export function nest<T>(flat: ArrayLike<T>, shape: readonly number[]): NestedArray<T> {
  if (shape.length === 0) return flat[0];
  return nestLevel(flat, shape, 0, { offset: 0 });
}

function nestLevel<T>(flat: ArrayLike<T>, shape: readonly number[], depth: number, cursor: { offset: number }): NestedArray<T>[] {
  const length = shape[depth];
  const level: NestedArray<T>[] = []; // packed (filled by push), as JSON.stringify likes
  if (depth === shape.length - 1) for (let i = 0; i < length; i++) level.push(flat[cursor.offset++]);
  else for (let i = 0; i < length; i++) level.push(nestLevel(flat, shape, depth + 1, cursor));
  return level;
}

/** The `[i][j]...` index path of the element at a flat row-major offset. */
export function indexPath(offset: number, shape: readonly number[]): string {
  const indices: number[] = [];
  for (let depth = shape.length - 1; depth >= 0; depth--) {
    indices.unshift(offset % shape[depth]);
    offset = Math.floor(offset / shape[depth]);
  }
  return indices.map((index) => `[${index}]`).join('');
}
