/** The value a record has no usable entry for: absent, null or NaN. */
export const MISSING = Symbol('missing');
/** A value of the wrong type for its column (an object for a number, ±Infinity, …). */
export const TYPE_ERROR = Symbol('type error');

/** A record value read as a number. Numeric strings are type errors: the log keeps types. */
export function numberOf(value: unknown): number | typeof MISSING | typeof TYPE_ERROR {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return MISSING;
    return value === Infinity || value === -Infinity ? TYPE_ERROR : value;
  }
  return value === null || value === undefined ? MISSING : TYPE_ERROR;
}

/**
 * A record value read as a category. Integer codes and booleans are categories too, spelled as
 * strings so `3` and `"3"` name the same one.
 */
export function categoryOf(value: unknown): string | typeof MISSING | typeof TYPE_ERROR {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (Number.isNaN(value)) return MISSING;
      return Number.isFinite(value) ? String(value) : TYPE_ERROR;
    case 'boolean':
      return String(value);
    case 'undefined':
      return MISSING;
    default:
      return value === null ? MISSING : TYPE_ERROR;
  }
}
