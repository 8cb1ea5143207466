import type { Allocation } from './allocation.ts';

/** The variant that owns `bucket` in `allocation`. */
export function assignVariant(allocation: Allocation, bucket: number): string {
  for (const { name, ranges } of allocation) {
    for (const [start, end] of ranges) {
      if (bucket >= start && bucket < end) return name;
    }
  }
  throw new RangeError(`bucket ${bucket} is not assigned; validate allocations with allocationSchema`);
}
