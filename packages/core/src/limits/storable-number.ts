/**
 * Whether a number is one every store keeps as it is: finite, and 0 or of a magnitude from 1e-130
 * to below 1e126 — DynamoDB's range, the narrowest of the stores (Parquet, JSON in S3 and the
 * tracking store's sort keys take any double). A number outside it is refused when it arrives,
 * so nothing is half-written: say, a feature row in the offline files but not online.
 */
export function isStorableNumber(value: number): boolean {
  const magnitude = Math.abs(value);
  return value === 0 || (magnitude >= 1e-130 && magnitude < 1e126);
}

/** The range {@link isStorableNumber} accepts, for error messages. */
export const STORABLE_NUMBER_RANGE = 'a finite number that is 0 or of a magnitude from 1e-130 to below 1e126';
