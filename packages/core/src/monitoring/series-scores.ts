/** Scores of one endpoint variant and model version over the window(s) last judged. */
export interface SeriesScores {
  readonly endpoint: string;
  readonly variant: string;
  readonly model: string;
  readonly version: number;
  readonly windowStart: string;
  readonly windowEnd: string;
}
