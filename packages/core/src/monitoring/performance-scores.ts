import type { PerformanceFigures } from '../performance/performance-state.ts';

/** The performance of one endpoint variant and model version over the windows last judged, for `/metrics`. */
export interface PerformanceScores {
  readonly endpoint: string;
  readonly variant: string;
  readonly model: string;
  readonly version: number;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly realized: PerformanceFigures['realized'];
  readonly estimated: PerformanceFigures['estimated'];
}
