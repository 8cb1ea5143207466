import { z } from 'zod';
import { NAME_PATTERN } from './names.ts';
import { formatShape, type ModelSignature, type TensorDescription } from './signature.ts';

/** A problem with a field of a request, `path` slash-separated like `features/2/index`. */
export interface FieldIssue {
  path: string;
  message: string;
}

const category = z.union([z.string(), z.number()]);

export const featureSchema = z.strictObject({
  name: z.string().min(1).max(200),
  kind: z.enum(['numerical', 'categorical']),
  /** The model input that carries this feature. */
  input: z.string().min(1),
  /** Column in the input's last dimension; left out for an input with one value per row. */
  index: z.int().min(0).optional(),
  /** Known categories; string categories of a numeric input are fed as their position here. */
  categories: z
    .array(category)
    .min(1)
    .refine((values) => new Set(values).size === values.length, 'must not repeat a category')
    .optional(),
  /**
   * The feature view this value is kept in (a feature of the same name there): a predict record
   * that carries the view's entity key and leaves this feature out gets it from the online store.
   */
  view: z.string().regex(NAME_PATTERN, 'must name a feature view').optional(),
});

export const taskSchema = z.strictObject({
  type: z.enum(['binary-classification', 'multiclass-classification', 'regression']),
  /** The output that is the prediction. */
  output: z.string().min(1),
  classes: z.array(category).min(2).optional(),
});

/** What a caller may say about a model version at registration (API.md, "Models and versions"). */
export const modelMetadataSchema = z.strictObject({
  description: z.string().max(10_000).optional(),
  features: z
    .array(featureSchema)
    .max(10_000)
    .superRefine((features, ctx) => {
      const seen = new Set<string>();
      features.forEach((feature, i) => {
        if (seen.has(feature.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `feature ${feature.name} is named twice` });
        seen.add(feature.name);
      });
    })
    .optional(),
  task: taskSchema.optional(),
  /** Free-form provenance: training run, dataset, code version, parent model. */
  lineage: z.record(z.string(), z.unknown()).optional(),
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
});

export type Feature = z.output<typeof featureSchema>;
export type Task = z.output<typeof taskSchema>;
export type ModelMetadata = z.output<typeof modelMetadataSchema>;

/**
 * Checks metadata against the signature the graph declares: features name real inputs and
 * columns within them, numerical features sit in numeric inputs, and the task names a real output.
 */
export function metadataIssues(metadata: ModelMetadata, signature: ModelSignature): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const inputs = new Map(signature.inputs.map((input) => [input.name, input]));
  const taken = new Map<string, string>();
  metadata.features?.forEach((feature, i) => {
    const spec = inputs.get(feature.input);
    if (!spec) {
      issues.push({ path: `features/${i}/input`, message: `the model has no input ${feature.input}; its inputs are ${[...inputs.keys()].join(', ')}` });
      return;
    }
    const placed = placeFeature(feature, spec);
    if ('issue' in placed) {
      issues.push({ path: `features/${i}/${placed.field}`, message: placed.issue });
      return;
    }
    if (feature.kind === 'numerical' && (spec.datatype === 'BYTES' || spec.datatype === 'BOOL')) {
      issues.push({ path: `features/${i}/kind`, message: `input ${spec.name} holds ${spec.datatype}, which is not numerical` });
    }
    const slot = `${spec.name}[${placed.column ?? '*'}]`;
    const other = taken.get(slot);
    if (other) issues.push({ path: `features/${i}/index`, message: `feature ${other} already names ${slot}` });
    taken.set(slot, feature.name);
  });
  if (metadata.task && !signature.outputs.some((output) => output.name === metadata.task!.output)) {
    issues.push({
      path: 'task/output',
      message: `the model serves no output ${metadata.task.output}; its outputs are ${signature.outputs.map((o) => o.name).join(', ')}`,
    });
  }
  return issues;
}

/** The column a feature occupies, or why it cannot occupy one. */
export function placeFeature(feature: Feature, spec: TensorDescription): { column: number | undefined } | { field: string; issue: string } {
  const shape = spec.shape;
  if (shape === null) return { column: feature.index };
  if (shape.length === 1) {
    return feature.index === undefined
      ? { column: undefined }
      : { field: 'index', issue: `input ${spec.name} has one value per row (shape ${formatShape(shape)}); leave index out` };
  }
  if (shape.length !== 2) {
    return { field: 'input', issue: `features name columns of inputs shaped [rows] or [rows, columns]; ${spec.name} has shape ${formatShape(shape)}` };
  }
  const columns = shape[1];
  if (feature.index === undefined) {
    return columns === 1 ? { column: 0 } : { field: 'index', issue: `input ${spec.name} has ${columns === -1 ? 'several' : columns} columns; say which with index` };
  }
  if (columns !== -1 && feature.index >= columns) {
    return { field: 'index', issue: `input ${spec.name} has ${columns} columns (shape ${formatShape(shape)}); index ${feature.index} is outside` };
  }
  return { column: feature.index };
}
