/**
 * What an experiment keeps per (endpoint, config version, variant). Sums only, so a tally is
 * kept as atomic counters, and the tally of any span of config versions is the sum of theirs.
 */
export interface ExperimentTally {
  /** Predicted rows logged (shadows and failures left out): the variant's exposures. */
  readonly served: number;
  /**
   * The requests among them (a request of 100 rows is one), and of those the distinct units
   * (each once per config version) and the requests that named no unit. The split draws once
   * per request, or once per unit on a sticky endpoint: these are what the sample-ratio check counts.
   */
  readonly requests: number;
  readonly units: number;
  readonly unitlessRequests: number;
  /** Rows with an outcome joined, their sum and sum of squares (true counts 1, false 0). */
  readonly outcomes: number;
  readonly outcomeSum: number;
  readonly outcomeSumSquares: number;
  /** Outcomes other than true, false, 0 or 1: one makes the metric continuous. */
  readonly nonBinaryOutcomes: number;
  /** Classified rows with a label joined, and how many of them the model got right. */
  readonly labelled: number;
  readonly correct: number;
  /** Regression rows with a true value joined, and the sums of their errors. */
  readonly valued: number;
  readonly squaredError: number;
  readonly absoluteError: number;
}

export type TallyField = keyof ExperimentTally;

export const TALLY_FIELDS: readonly TallyField[] = [
  'served',
  'requests',
  'units',
  'unitlessRequests',
  'outcomes',
  'outcomeSum',
  'outcomeSumSquares',
  'nonBinaryOutcomes',
  'labelled',
  'correct',
  'valued',
  'squaredError',
  'absoluteError',
];

/** What one observation adds to a tally; absent fields add nothing. */
export type TallyDelta = Partial<ExperimentTally>;

export const EMPTY_TALLY: ExperimentTally = Object.freeze(Object.fromEntries(TALLY_FIELDS.map((field) => [field, 0])) as unknown as ExperimentTally);

export function addTallies(a: ExperimentTally, b: TallyDelta): ExperimentTally {
  const sum = { ...a } as Record<TallyField, number>;
  for (const field of TALLY_FIELDS) sum[field] += b[field] ?? 0;
  return sum;
}

/** Where a tally is kept: the variant that served, under the config version that routed it. */
export interface TallyKey {
  readonly endpoint: string;
  readonly configVersion: number;
  readonly variant: string;
}

export interface VariantTally extends TallyKey {
  readonly tally: ExperimentTally;
}
