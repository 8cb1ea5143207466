export {
  MAX_FEEDBACK_ITEMS,
  MAX_FEEDBACK_ROWS,
  feedbackItemSchema,
  feedbackRows,
  parseFeedback,
  parseFeedbackId,
  predictionRowId,
  type FeedbackItem,
  type FeedbackRow,
  type LabelValue,
  type OutcomeValue,
  type ParsedFeedback,
} from './feedback.ts';
export {
  facetDelta,
  isExperimentRecord,
  pendingFacets,
  predictedValue,
  predictionSideOf,
  sameLabel,
  type FeedbackSide,
  type JoinFacet,
  type PredictionSide,
} from './join.ts';
export { EMPTY_TALLY, TALLY_FIELDS, addTallies, type ExperimentTally, type TallyDelta, type TallyField, type TallyKey, type VariantTally } from './tally.ts';
export {
  experimentSpan,
  sameExperiment,
  summarizeExperiment,
  type ExperimentSpan,
  type ExperimentSummary,
  type ExperimentVariant,
  type VariantQuality,
} from './experiment.ts';
export { countServed, type ServedCount } from './served.ts';
export { labelsEventOf } from './labels-event.ts';
export type { ExperimentStore, FeedbackLabel, FeedbackReceipt, FeedbackStore, ObservedBatch, PredictionObserver } from './ports.ts';
