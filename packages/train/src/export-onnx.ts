import { floatTensor, int64Tensor, tensorType, writeModel, type AttributeValue, type Initializer, type NodeSpec, type ValueSpec } from '@flywheel/inference';
import type { TrainingTask } from './dataset.ts';
import type { BoostedTreesModel } from './boosted-trees.ts';
import { designWidth, type LinearModel } from './linear.ts';

export type TrainedModel = LinearModel | BoostedTreesModel;

/** Names of the graph's tensors: the trained model must fit where the champion fits. */
export interface OnnxLayout {
  /** The float input `[rows, columns]` holding every feature. */
  readonly input: string;
  /** Classification: the int64 (or string) label and the `[rows, classes]` probabilities; regression: the `[rows, 1]` prediction. */
  readonly outputs: { readonly label: string; readonly probabilities: string } | { readonly prediction: string };
}

export const defaultLayout = (task: TrainingTask): OnnxLayout => ({
  input: 'features',
  outputs: task.type === 'regression' ? { prediction: 'prediction' } : { label: 'label', probabilities: 'probabilities' },
});

/** ONNX bytes computing what `predictModel` computes, written with the project's writer. */
export function exportOnnx(model: TrainedModel, layout: OnnxLayout = defaultLayout(model.task)): Uint8Array {
  const graph = model.algorithm === 'linear' ? linearGraph(model, layout) : treesGraph(model, layout);
  return writeModel({ ...graph, inputs: [{ name: layout.input, type: tensorType('float32', ['N', model.columns]) }], producer: 'flywheel-train' });
}

type Graph = { nodes: NodeSpec[]; initializers: Initializer[]; outputs: ValueSpec[]; opsets?: Record<string, number> };

/** Class labels as the label output carries them: int64 when every class is an integer, strings otherwise. */
function classLabels(task: TrainingTask): { kind: 'int64'; values: number[] } | { kind: 'string'; values: string[] } {
  const classes = task.classes ?? [];
  return classes.every((c) => typeof c === 'number' && Number.isInteger(c)) ? { kind: 'int64', values: classes as number[] } : { kind: 'string', values: classes.map(String) };
}

function classificationOutputs(task: TrainingTask, layout: OnnxLayout): ValueSpec[] {
  const outputs = layout.outputs as { label: string; probabilities: string };
  const labels = classLabels(task);
  return [
    { name: outputs.label, type: tensorType(labels.kind === 'int64' ? 'int64' : 'string', ['N']) },
    { name: outputs.probabilities, type: tensorType('float32', ['N', labels.values.length]) },
  ];
}

/**
 * Standardise (a missing value becomes 0, the mean), one-hot the categorical columns, then
 * MatMul + Add, and Softmax for class probabilities (binary has a zero logit for class 0, so
 * Softmax is the logistic function), the label their argmax.
 */
function linearGraph(model: LinearModel, layout: OnnxLayout): Graph {
  const nodes: NodeSpec[] = [];
  const initializers: Initializer[] = [];
  const parts: string[] = [];
  const input = layout.input;
  if (model.numerical.length) {
    initializers.push(
      int64Tensor(
        'numerical_columns',
        [model.numerical.length],
        model.numerical.map((c) => c.column),
      ),
      floatTensor(
        'means',
        [model.numerical.length],
        model.numerical.map((c) => c.mean),
      ),
      floatTensor(
        'stds',
        [model.numerical.length],
        model.numerical.map((c) => c.std),
      ),
      floatTensor('zero', [], [0]),
    );
    nodes.push(
      { opType: 'Gather', inputs: [input, 'numerical_columns'], outputs: ['numerical'], attributes: { axis: { int: 1 } } },
      { opType: 'Sub', inputs: ['numerical', 'means'], outputs: ['centred'] },
      { opType: 'Div', inputs: ['centred', 'stds'], outputs: ['standardised'] },
      { opType: 'IsNaN', inputs: ['numerical'], outputs: ['missing'] },
      { opType: 'Where', inputs: ['missing', 'zero', 'standardised'], outputs: ['numerical_design'] },
    );
    parts.push('numerical_design');
  }
  model.categorical.forEach(({ column, codes }, i) => {
    if (codes.length === 0) return;
    initializers.push(int64Tensor(`column_${i}`, [1], [column]), floatTensor(`codes_${i}`, [1, codes.length], codes));
    nodes.push(
      { opType: 'Gather', inputs: [input, `column_${i}`], outputs: [`category_${i}`], attributes: { axis: { int: 1 } } },
      { opType: 'Equal', inputs: [`category_${i}`, `codes_${i}`], outputs: [`is_${i}`] },
      { opType: 'Cast', inputs: [`is_${i}`], outputs: [`one_hot_${i}`], attributes: { to: { int: 1 } } },
    );
    parts.push(`one_hot_${i}`);
  });
  const outputs = model.bias.length;
  const width = designWidth(model);
  initializers.push(floatTensor('weights', [width, outputs], model.weights), floatTensor('bias', [outputs], model.bias));
  nodes.push({ opType: 'Concat', inputs: parts, outputs: ['design'], attributes: { axis: { int: 1 } } }, { opType: 'MatMul', inputs: ['design', 'weights'], outputs: ['product'] });
  if ('prediction' in layout.outputs) {
    nodes.push({ opType: 'Add', inputs: ['product', 'bias'], outputs: [layout.outputs.prediction] });
    return { nodes, initializers, outputs: [{ name: layout.outputs.prediction, type: tensorType('float32', ['N', 1]) }] };
  }
  const names = layout.outputs;
  initializers.push(classLabelsTensor(model.task));
  nodes.push(
    { opType: 'Add', inputs: ['product', 'bias'], outputs: ['logits'] },
    { opType: 'Softmax', inputs: ['logits'], outputs: [names.probabilities], attributes: { axis: { int: 1 } } },
    ...labelNodes(names.probabilities, names.label),
  );
  return { nodes, initializers, outputs: classificationOutputs(model.task, layout) };
}

/**
 * ai.onnx.ml TreeEnsembleClassifier / TreeEnsembleRegressor (opset 3). Binary classification is
 * written as sklearn-onnx writes it: one score, every leaf voting on class id 0 with its raw
 * value, the log-odds in a single `base_values`, and LOGISTIC turning the score s into
 * [1 − σ(s), σ(s)]. The runtime's own label output is not used: when every leaf value is
 * positive, onnxruntime thresholds the raw score at 0.5 instead of 0 (measured with 1.30), so the
 * label is taken from the probabilities instead, as for the linear models.
 */
function treesGraph(model: BoostedTreesModel, layout: OnnxLayout): Graph {
  const nodes = model.trees.flatMap((tree, treeId) => tree.nodes.map((node, nodeId) => ({ treeId, nodeId, node })));
  const leaves = nodes.filter(({ node }) => 'leaf' in node);
  const branch = (node: (typeof nodes)[number]['node']) => ('leaf' in node ? undefined : node);
  const structure: Record<string, AttributeValue> = {
    nodes_treeids: { ints: nodes.map((n) => n.treeId) },
    nodes_nodeids: { ints: nodes.map((n) => n.nodeId) },
    nodes_featureids: { ints: nodes.map((n) => branch(n.node)?.feature ?? 0) },
    nodes_values: { floats: nodes.map((n) => branch(n.node)?.value ?? 0) },
    nodes_modes: { strings: nodes.map((n) => branch(n.node)?.mode ?? 'LEAF') },
    nodes_truenodeids: { ints: nodes.map((n) => branch(n.node)?.ifTrue ?? 0) },
    nodes_falsenodeids: { ints: nodes.map((n) => branch(n.node)?.ifFalse ?? 0) },
  };
  const votes = (prefix: 'class' | 'target') => ({
    [`${prefix}_treeids`]: { ints: leaves.map((n) => n.treeId) },
    [`${prefix}_nodeids`]: { ints: leaves.map((n) => n.nodeId) },
    [`${prefix}_ids`]: { ints: leaves.map((n) => model.trees[n.treeId].target) },
    [`${prefix}_weights`]: { floats: leaves.map((n) => (n.node as { leaf: number }).leaf) },
  });
  const opsets = { 'ai.onnx.ml': 3 };
  if ('prediction' in layout.outputs) {
    const output = layout.outputs.prediction;
    return {
      opsets,
      initializers: [],
      outputs: [{ name: output, type: tensorType('float32', ['N', 1]) }],
      nodes: [
        {
          opType: 'TreeEnsembleRegressor',
          domain: 'ai.onnx.ml',
          inputs: [layout.input],
          outputs: [output],
          attributes: { ...structure, ...votes('target'), n_targets: { int: 1 }, aggregate_function: { string: 'SUM' }, base_values: { floats: model.base } },
        },
      ],
    };
  }
  const names = layout.outputs;
  const labels = classLabels(model.task);
  return {
    opsets,
    initializers: [classLabelsTensor(model.task)],
    outputs: classificationOutputs(model.task, layout),
    nodes: [
      {
        opType: 'TreeEnsembleClassifier',
        domain: 'ai.onnx.ml',
        inputs: [layout.input],
        outputs: ['ensemble_label', names.probabilities],
        attributes: {
          ...structure,
          ...votes('class'),
          [labels.kind === 'int64' ? 'classlabels_int64s' : 'classlabels_strings']: labels.kind === 'int64' ? { ints: labels.values } : { strings: labels.values },
          base_values: { floats: model.base },
          post_transform: { string: model.task.type === 'binary-classification' ? 'LOGISTIC' : 'SOFTMAX' },
        },
      },
      ...labelNodes(names.probabilities, names.label),
    ],
  };
}

function classLabelsTensor(task: TrainingTask): Initializer {
  const labels = classLabels(task);
  return labels.kind === 'int64'
    ? int64Tensor('class_labels', [labels.values.length], labels.values)
    : { name: 'class_labels', elemType: 'string', dims: [labels.values.length], values: labels.values };
}

/** label = classes[argmax(probabilities)], the first class winning a tie as in `predictModel`. */
function labelNodes(probabilities: string, label: string): NodeSpec[] {
  return [
    { opType: 'ArgMax', inputs: [probabilities], outputs: ['class_index'], attributes: { axis: { int: 1 }, keepdims: { int: 0 }, select_last_index: { int: 0 } } },
    { opType: 'Gather', inputs: ['class_labels', 'class_index'], outputs: [label], attributes: { axis: { int: 0 } } },
  ];
}
