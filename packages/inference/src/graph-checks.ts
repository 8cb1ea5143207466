// What a model may contain before it is stored or run: only operators the runtime knows, within
// limits, with every weight inside the artifact. The runtime would refuse much of this itself, but
// late and in its own words; these checks name the offending node, and refuse what it might accept
// (external data paths, operators from domains nobody vetted).
import { ModelLoadError } from './errors.ts';
import { decodeModelStructure, type GraphStructure, type NodeStructure, type TensorHeader } from './onnx-proto.ts';

export interface GraphLimits {
  /** Nodes in the graph and all its subgraphs (default 100,000). */
  maxNodes?: number;
  /** Nesting of subgraphs (If, Loop, Scan bodies; default 8). */
  maxSubgraphDepth?: number;
  /** Initializers in all graphs (default 100,000). */
  maxInitializers?: number;
}

// ONNX's standard operators (ai.onnx, opsets up to 23) and its ML operators (ai.onnx.ml, up to 5).
const STANDARD_OPERATORS = new Set(
  `Abs Acos Acosh Add AffineGrid And ArgMax ArgMin Asin Asinh Atan Atanh Attention AveragePool BatchNormalization
  Bernoulli BitShift BitwiseAnd BitwiseNot BitwiseOr BitwiseXor BlackmanWindow Cast CastLike Ceil Celu CenterCropPad
  Clip Col2Im Compress Concat ConcatFromSequence Constant ConstantOfShape Conv ConvInteger ConvTranspose Cos Cosh
  CumSum DFT DeformConv DepthToSpace DequantizeLinear Det Div Dropout DynamicQuantizeLinear Einsum Elu Equal Erf Exp
  Expand EyeLike Flatten Floor GRU Gather GatherElements GatherND Gelu Gemm GlobalAveragePool GlobalLpPool
  GlobalMaxPool Greater GreaterOrEqual GridSample GroupNormalization HammingWindow HannWindow HardSigmoid HardSwish
  Hardmax Identity If ImageDecoder InstanceNormalization IsInf IsNaN LRN LSTM LayerNormalization LeakyRelu Less
  LessOrEqual Log LogSoftmax Loop LpNormalization LpPool MatMul MatMulInteger Max MaxPool MaxRoiPool MaxUnpool Mean
  MeanVarianceNormalization MelWeightMatrix Min Mish Mod Mul Multinomial Neg NegativeLogLikelihoodLoss
  NonMaxSuppression NonZero Not OneHot Optional OptionalGetElement OptionalHasElement Or PRelu Pad Pow QLinearConv
  QLinearMatMul QuantizeLinear RMSNormalization RNN RandomNormal RandomNormalLike RandomUniform RandomUniformLike
  Range Reciprocal ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSum
  ReduceSumSquare RegexFullMatch Relu Reshape Resize ReverseSequence RoiAlign RotaryEmbedding Round STFT Scan Scatter
  ScatterElements ScatterND Selu SequenceAt SequenceConstruct SequenceEmpty SequenceErase SequenceInsert
  SequenceLength SequenceMap Shape Shrink Sigmoid Sign Sin Sinh Size Slice Softmax SoftmaxCrossEntropyLoss Softplus
  Softsign SpaceToDepth Split SplitToSequence Sqrt Squeeze StringConcat StringNormalizer StringSplit Sub Sum Swish
  Tan Tanh TensorScatter TfIdfVectorizer ThresholdedRelu Tile TopK Transpose Trilu Unique Unsqueeze Upsample Where
  Xor`.split(/\s+/),
);
const ML_OPERATORS = new Set(
  `ArrayFeatureExtractor Binarizer CastMap CategoryMapper DictVectorizer FeatureVectorizer Imputer LabelEncoder
  LinearClassifier LinearRegressor Normalizer OneHotEncoder SVMClassifier SVMRegressor Scaler TreeEnsemble
  TreeEnsembleClassifier TreeEnsembleRegressor ZipMap`.split(/\s+/),
);

/** Per domain: the operators allowed (undefined: any the runtime implements) and the opset versions. */
const DOMAINS: ReadonlyMap<string, { operators?: ReadonlySet<string>; opsets: readonly [number, number] }> = new Map([
  ['', { operators: STANDARD_OPERATORS, opsets: [1, 23] }],
  ['ai.onnx', { operators: STANDARD_OPERATORS, opsets: [1, 23] }],
  ['ai.onnx.ml', { operators: ML_OPERATORS, opsets: [1, 5] }],
  // onnxruntime's own contrib operators: vetted with the runtime, which refuses names it lacks.
  ['com.microsoft', { opsets: [1, 1] }],
]);

const EXTERNAL = 1;

/** Throws ModelLoadError naming the first node, tensor or opset that breaks a rule; leaves undecodable bytes to the runtime. */
export function checkModelGraph(bytes: Uint8Array, limits: GraphLimits = {}): void {
  const maxNodes = limits.maxNodes ?? 100_000;
  const maxDepth = limits.maxSubgraphDepth ?? 8;
  const maxInitializers = limits.maxInitializers ?? 100_000;
  let model;
  try {
    model = decodeModelStructure(bytes);
  } catch {
    // Bytes that are no model at all are the runtime's to describe (its parser says where it broke).
    return;
  }
  const imported = new Set((model.opsetImport ?? []).map((o) => o.domain ?? ''));
  let nodes = 0;
  let initializers = 0;

  const checkTensor = (tensor: TensorHeader, where: string) => {
    if (tensor.dataLocation === EXTERNAL || (tensor.externalData?.length ?? 0) > 0) {
      const location = tensor.externalData?.find((entry) => entry.key === 'location')?.value;
      throw new ModelLoadError(`${where} keeps its data outside the model${location ? ` (in "${location.slice(0, 100)}")` : ''}; embed every weight in the .onnx file`);
    }
  };
  const describe = (node: NodeStructure, index: number, graph: string) =>
    `node ${node.name ? `"${node.name.slice(0, 100)}"` : `#${index}`} of graph "${graph.slice(0, 100)}" (${node.domain ? `${node.domain}.` : ''}${(node.opType ?? '').slice(0, 100)})`;

  const visit = (graph: GraphStructure, depth: number) => {
    const graphName = graph.name ?? 'main';
    if (depth > maxDepth) throw new ModelLoadError(`graph "${graphName.slice(0, 100)}" is nested ${depth} subgraphs deep; at most ${maxDepth} are allowed`);
    for (const initializer of graph.initializer ?? []) {
      if (++initializers > maxInitializers) throw new ModelLoadError(`the model has more than ${maxInitializers} initializers`);
      checkTensor(initializer, `initializer "${(initializer.name ?? '').slice(0, 100)}"`);
    }
    (graph.node ?? []).forEach((node, index) => {
      if (++nodes > maxNodes) throw new ModelLoadError(`the model has more than ${maxNodes} nodes`);
      const domain = node.domain ?? '';
      const known = DOMAINS.get(domain);
      if (!known || (domain !== '' && !imported.has(domain))) {
        throw new ModelLoadError(`${describe(node, index, graphName)} uses domain "${domain}", which is ${known ? 'not imported by the model' : 'not allowed'}`);
      }
      if (known.operators && !known.operators.has(node.opType ?? '')) {
        throw new ModelLoadError(`${describe(node, index, graphName)} is not an operator of ${domain || 'ai.onnx'}`);
      }
      for (const attribute of node.attribute ?? []) {
        const where = `attribute "${(attribute.name ?? '').slice(0, 100)}" of ${describe(node, index, graphName)}`;
        if (attribute.t) checkTensor(attribute.t, where);
        for (const tensor of attribute.tensors ?? []) checkTensor(tensor, where);
        for (const subgraph of [...(attribute.g ? [attribute.g] : []), ...(attribute.graphs ?? [])]) visit(subgraph, depth + 1);
      }
    });
  };
  if (!model.graph) throw new ModelLoadError('the model has no graph');
  // Nodes first, so a refusal names the node that needs the domain.
  visit(model.graph, 0);
  for (const { domain = '', version = 0 } of model.opsetImport ?? []) {
    const known = DOMAINS.get(domain);
    if (!known) throw new ModelLoadError(`operator set domain "${domain}" is not allowed; allowed: ${[...DOMAINS.keys()].filter(Boolean).join(', ')} and the default`);
    const [low, high] = known.opsets;
    if (version < low || version > high) throw new ModelLoadError(`opset ${version} of domain "${domain || 'ai.onnx'}" is outside the supported ${low}–${high}`);
  }
}
