/** A column of the model's input tensor, by name: what the registry calls a feature. */
export interface TrainingFeature {
  readonly name: string;
  readonly kind: 'numerical' | 'categorical';
  /** Categories of a categorical feature; a string category is fed to the model as its position. */
  readonly categories?: readonly (string | number)[];
}

export type TaskType = 'binary-classification' | 'multiclass-classification' | 'regression';

export interface TrainingTask {
  readonly type: TaskType;
  /** The classes, in the order of the model's probability columns; required for classification. */
  readonly classes?: readonly (string | number)[];
}

/** One labelled row: a logged prediction's features joined with its ground truth. */
export interface Example {
  /** `<request id>/<row>`: what joins a label to its prediction. */
  readonly key: string;
  /** ISO 8601 time of the prediction. */
  readonly time: string;
  readonly features: Readonly<Record<string, unknown>>;
  readonly label: unknown;
}

export interface Dataset {
  readonly features: readonly TrainingFeature[];
  readonly task: TrainingTask;
  /** In time order. */
  readonly examples: readonly Example[];
}

/** Rows as the model's float input holds them, and labels as class positions (or values). */
export interface EncodedRows {
  readonly rows: number;
  readonly columns: number;
  /** Row-major; float32 because that is what the model compares and multiplies. */
  readonly x: Float32Array;
  readonly y: Float64Array;
}

export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** The value a categorical category takes in the input tensor: its position if a string, itself if a number. */
export function categoryCode(categories: readonly (string | number)[], index: number): number {
  const category = categories[index];
  return typeof category === 'string' ? index : category;
}

/** The tensor value of one feature value, NaN when it is missing or not a known category. */
export function encodeValue(feature: TrainingFeature, value: unknown): number {
  if (value === null || value === undefined) return Number.NaN;
  if (feature.kind === 'categorical' && feature.categories) {
    const index = feature.categories.findIndex((category) => category === value || String(category) === String(value));
    if (index >= 0) return categoryCode(feature.categories, index);
    return typeof value === 'number' ? value : Number.NaN;
  }
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return Number.NaN;
}

/** The position of a label among the classes (labels compare as strings, so `"1"`, `1` and `true`→1 agree). */
export function classIndex(classes: readonly (string | number)[], label: unknown): number {
  const text = typeof label === 'boolean' ? (label ? '1' : '0') : String(label);
  return classes.findIndex((c) => String(c) === text);
}

export function encodeRows(dataset: Pick<Dataset, 'features' | 'task'>, examples: readonly Example[]): EncodedRows {
  const { features, task } = dataset;
  const columns = features.length;
  const x = new Float32Array(examples.length * columns);
  const y = new Float64Array(examples.length);
  examples.forEach((example, row) => {
    features.forEach((feature, column) => (x[row * columns + column] = encodeValue(feature, example.features[feature.name])));
    if (task.type === 'regression') {
      y[row] = Number(example.label);
      if (!Number.isFinite(y[row])) throw new DatasetError(`example ${example.key}: label ${JSON.stringify(example.label)} is not a number`);
    } else {
      y[row] = classIndex(task.classes ?? [], example.label);
      if (y[row] < 0) throw new DatasetError(`example ${example.key}: label ${JSON.stringify(example.label)} is not one of the classes ${JSON.stringify(task.classes)}`);
    }
  });
  return { rows: examples.length, columns, x, y };
}

export function classCount(task: TrainingTask): number {
  return task.type === 'regression' ? 1 : (task.classes?.length ?? 0);
}
