/** Values kept per logged tensor slice: enough to see what a row looked like, bounded in bytes. */
export const MAX_LOGGED_VALUES = 64;
/** Characters kept per logged string value. */
export const MAX_LOGGED_STRING = 256;

/**
 * The value with nested arrays cut to `maxValues` leaves in total (row-major, so what is kept is
 * the start of the slice) and long strings shortened. Scalars, and flat arrays already within
 * the bounds (the usual row slice), are returned as they are.
 */
export function truncateValue(value: unknown, maxValues = MAX_LOGGED_VALUES): unknown {
  if (typeof value === 'string') return value.length > MAX_LOGGED_STRING ? value.slice(0, MAX_LOGGED_STRING) : value;
  if (!Array.isArray(value) || fitsAsIs(value, maxValues)) return value;
  let budget = maxValues;
  const cut = (v: unknown): unknown => {
    if (typeof v === 'string') return v.length > MAX_LOGGED_STRING ? v.slice(0, MAX_LOGGED_STRING) : v;
    if (!Array.isArray(v)) return v;
    const out: unknown[] = [];
    for (const item of v) {
      if (budget <= 0) break;
      if (Array.isArray(item)) out.push(cut(item));
      else {
        out.push(cut(item));
        budget--;
      }
    }
    return out;
  };
  return cut(value);
}

/** Whether a flat array of at most `maxValues` items, no string among them too long, needs no cutting. */
function fitsAsIs(values: readonly unknown[], maxValues: number): boolean {
  if (values.length > maxValues) return false;
  for (const item of values) {
    if (Array.isArray(item) || (typeof item === 'string' && item.length > MAX_LOGGED_STRING)) return false;
  }
  return true;
}
