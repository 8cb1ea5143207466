import { DatasetError, encodeRows, type Dataset, type TrainingTask } from './dataset.ts';
import { BOOSTED_TREES_DEFAULTS, trainBoostedTrees, type BoostedTreesParams } from './boosted-trees.ts';
import { defaultLayout, exportOnnx, type OnnxLayout, type TrainedModel } from './export-onnx.ts';
import { LINEAR_DEFAULTS, trainLinear, type LinearParams } from './linear.ts';
import { datasetManifest } from './manifest.ts';
import { compareMetrics, evaluatePredictions, type Comparison, type Metrics } from './metrics.ts';
import { predictOnnx, verifyExport } from './onnx-check.ts';
import { predictModel } from './predictions.ts';
import { splitByTime } from './split.ts';
import type { DatasetManifest } from '@flywheel/core';

export type Algorithm = 'boosted-trees' | 'linear';

export interface TrainParams {
  /** Gradient-boosted trees by default: the stronger choice for tabular data. */
  readonly algorithm?: Algorithm;
  /** Share of the newest rows held out for evaluation. */
  readonly holdoutFraction?: number;
  /** Fewest labelled rows worth training on. */
  readonly minRows?: number;
  readonly trees?: BoostedTreesParams;
  readonly linear?: LinearParams;
}

/** The model in production, evaluated on the same holdout as the challenger. */
export interface Champion {
  readonly bytes: Uint8Array;
  /** Its task, including the output that is the prediction. */
  readonly task: TrainingTask & { readonly output: string };
}

export interface TrainOptions {
  readonly dataset: Dataset;
  readonly params?: TrainParams;
  /** Tensor names to give the new model, so it serves where the champion serves. */
  readonly layout?: OnnxLayout;
  readonly champion?: Champion;
  /** Progress lines for the run's log. */
  readonly log?: (line: string) => void;
}

export interface TrainingResult {
  readonly model: TrainedModel;
  readonly bytes: Uint8Array;
  readonly layout: OnnxLayout;
  readonly manifest: DatasetManifest;
  /** The parameters used, defaults filled in. */
  readonly params: Required<Pick<TrainParams, 'algorithm' | 'holdoutFraction' | 'minRows'>> & { readonly trees?: BoostedTreesParams; readonly linear?: LinearParams };
  readonly metrics: { readonly challenger: Metrics; readonly champion?: Metrics };
  readonly comparison?: Comparison;
  /** Largest difference between the ONNX and TypeScript predictions on the holdout (≤ 1e-5, or training fails). */
  readonly exportDifference: number;
  readonly timings: Readonly<Record<string, number>>;
}

/**
 * The built-in pipeline after dataset assembly: time-ordered split, training, ONNX export checked
 * against the trained model through the serving runtime, and evaluation of challenger and
 * champion on the same holdout.
 */
export async function trainChallenger(options: TrainOptions): Promise<TrainingResult> {
  const { dataset } = options;
  const log = options.log ?? (() => undefined);
  const algorithm = options.params?.algorithm ?? 'boosted-trees';
  // The chosen trainer's settings are recorded resolved (defaults filled in): a run's params name every hyperparameter.
  const params = {
    algorithm,
    holdoutFraction: options.params?.holdoutFraction ?? 0.2,
    minRows: options.params?.minRows ?? 50,
    ...(algorithm === 'boosted-trees' || options.params?.trees ? { trees: { ...BOOSTED_TREES_DEFAULTS, ...options.params?.trees } } : {}),
    ...(algorithm === 'linear' || options.params?.linear ? { linear: { ...LINEAR_DEFAULTS, ...options.params?.linear } } : {}),
  } as const;
  if (dataset.task.type !== 'regression' && (dataset.task.classes?.length ?? 0) < 2) {
    throw new DatasetError('a classification task needs its classes (at least two) to train');
  }
  const timings: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[phase] = Math.round(performance.now() - started);
    }
  };

  const split = splitByTime(dataset.examples, params.holdoutFraction, params.minRows);
  const manifest = await timed('manifestMs', () => datasetManifest(dataset, split));
  const train = encodeRows(dataset, split.train);
  const holdout = encodeRows(dataset, split.holdout);
  log(`dataset ${manifest.sha256.slice(0, 12)}: ${train.rows} training rows, ${holdout.rows} holdout rows from ${manifest.timeRange.from} to ${manifest.timeRange.to}`);

  const model = await timed('trainMs', () =>
    params.algorithm === 'linear' ? trainLinear(dataset.features, dataset.task, train, params.linear) : trainBoostedTrees(dataset.features, dataset.task, train, params.trees),
  );
  log(`trained ${params.algorithm}${model.algorithm === 'boosted-trees' ? ` (${model.trees.length} trees)` : ''}`);

  const layout = options.layout ?? defaultLayout(dataset.task);
  const bytes = exportOnnx(model, layout);
  const exportDifference = await timed('verifyMs', () => verifyExport(bytes, model, layout, holdout));
  log(`exported ${bytes.byteLength} bytes of ONNX; runtime and trained model agree within ${exportDifference.toExponential(1)}`);

  const challenger = evaluatePredictions(dataset.task, predictModel(model, holdout), holdout.y);
  const champion = options.champion
    ? await timed('championMs', async () => evaluatePredictions(dataset.task, await predictOnnx(options.champion!.bytes, options.champion!.task, layout.input, holdout), holdout.y))
    : undefined;
  const comparison = champion ? compareMetrics(dataset.task, challenger, champion) : undefined;
  log(`holdout: challenger ${describe(challenger)}${champion ? `; champion ${describe(champion)}` : ''}`);
  return { model, bytes, layout, manifest, params, metrics: { challenger, ...(champion ? { champion } : {}) }, comparison, exportDifference, timings };
}

function describe(metrics: Metrics): string {
  return Object.entries(metrics)
    .filter(([name]) => name !== 'rows')
    .map(([name, value]) => `${name} ${value.toFixed(4)}`)
    .join(', ');
}
