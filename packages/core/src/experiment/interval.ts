/** A two-sided confidence interval. */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/** Relative change of `treatment` over `control`; undefined (null) when control is zero. */
export function relativeLift(control: number, treatment: number): number | null {
  return control === 0 ? null : (treatment - control) / control;
}
