import { z } from 'zod';
import { datasetRequestSchema } from './dataset-version.ts';

/**
 * Parameters of the built-in trainer a retrain request may set (`POST /v1/models/{model}/retrain`
 * `{params}`); anything left out takes the trainer's default. Bounded so a request cannot ask for
 * a run that outlives the train function.
 */
export const trainParamsSchema = z
  .strictObject({
    algorithm: z.enum(['boosted-trees', 'linear']).optional(),
    holdoutFraction: z.number().min(0.05).max(0.5).optional(),
    minRows: z.int().min(10).max(1_000_000).optional(),
    /** Newest labelled rows to train on at most. */
    maxRows: z.int().min(10).max(1_000_000).optional(),
    /** Days of logged predictions to read, back from now. */
    lookbackDays: z.number().gt(0).max(90).optional(),
    /**
     * Also train on the dataset the champion was trained on, when its run recorded one. Off by
     * default: after a concept change the old rows teach the old concept.
     */
    includePrevious: z.boolean().optional(),
    trees: z
      .strictObject({
        rounds: z.int().min(1).max(500).optional(),
        learningRate: z.number().gt(0).max(1).optional(),
        maxDepth: z.int().min(1).max(8).optional(),
        minLeafRows: z.int().min(1).max(10_000).optional(),
        lambda: z.number().min(0).max(1000).optional(),
        maxBins: z.int().min(2).max(255).optional(),
      })
      .optional(),
    linear: z.strictObject({ l2: z.number().min(0).max(100).optional(), maxIterations: z.int().min(1).max(200).optional() }).optional(),
    /** Train on this registered dataset version instead of the endpoint's logs: the same version and params give the same model bytes. */
    dataset: datasetRequestSchema.optional(),
  })
  .refine((params) => !(params.dataset && params.includePrevious), { path: ['includePrevious'], message: 'a run on a named dataset version trains on exactly that version' });

export type TrainParamsInput = z.output<typeof trainParamsSchema>;
