/**
 * How long raw prediction logs and the feedback join's rows are kept: the default, and the most
 * an endpoint may ask for (`retention` in its config). The bucket's lifecycle rule for `logs/`
 * expires at the most (bucket.ts), the backstop for every endpoint; an endpoint asking for less is
 * swept daily by the `retention` function.
 */
export const retention = {
  /** The raw prediction-log archive: the retraining source and the audit of what was served. */
  logs: { defaultDays: 400, maxDays: 400 },
  /** Prediction and feedback items of the join: kept for late feedback and for retraining labels. */
  joined: { defaultPredictionDays: 30, defaultFeedbackDays: 90, maxDays: 90 },
} as const;
