import type { PerformanceFigures } from '../performance/performance-state.ts';
import type { SeriesScores } from './series-scores.ts';

/** The performance of one endpoint variant and model version over the windows last judged, for `/metrics`. */
export interface PerformanceScores extends SeriesScores {
  readonly realized: PerformanceFigures['realized'];
  readonly estimated: PerformanceFigures['estimated'];
}
