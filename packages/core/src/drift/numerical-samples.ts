import type { NumericalReference } from './numerical-reference.ts';
import type { BinnedSample } from './statistics/binned-distribution.ts';
import type { NumericalWindow } from './window-sketch.ts';

/** A numerical column's reference and window as the two binned samples the statistics compare. */
export function numericalSamples(reference: NumericalReference, window: NumericalWindow): { reference: BinnedSample; window: BinnedSample } {
  return {
    // The edges span the reference, so it has nothing beyond them.
    reference: {
      counts: reference.counts,
      total: reference.count,
      underflowDistance: 0,
      overflowDistance: 0,
      ...(reference.detail ? { detail: reference.detail } : {}),
    },
    window: {
      counts: window.bins,
      total: window.count,
      underflowDistance: window.underflowDistance,
      overflowDistance: window.overflowDistance,
      ...(window.detail ? { detail: window.detail } : {}),
    },
  };
}
