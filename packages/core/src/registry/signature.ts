/**
 * A model's tensors as the registry records them. Structural on purpose: the inference package's
 * `Signature` is one, and core stays free of the runtime.
 */
export interface TensorDescription {
  name: string;
  /** Open Inference Protocol datatype, e.g. `FP32`, `INT64`, `BYTES`. */
  datatype: string;
  /** -1 for a dynamic dimension; null when the graph does not declare the rank. */
  shape: number[] | null;
}

export interface ModelSignature {
  inputs: TensorDescription[];
  outputs: TensorDescription[];
}

/**
 * Why a request shaped for `expected` would not fit `actual`, or undefined when every request for
 * one fits the other: the same input names and datatypes, and shapes that agree wherever both
 * are known. Variants of an endpoint must agree this way, since the caller does not choose one.
 */
export function inputSignatureMismatch(expected: ModelSignature, actual: ModelSignature): string | undefined {
  const theirs = new Map(actual.inputs.map((input) => [input.name, input]));
  for (const input of expected.inputs) {
    const other = theirs.get(input.name);
    if (!other) return `it has no input ${input.name}`;
    if (other.datatype !== input.datatype) return `its input ${input.name} is ${other.datatype}, not ${input.datatype}`;
    if (!shapesAgree(input.shape, other.shape)) {
      return `its input ${input.name} has shape ${formatShape(other.shape)}, not ${formatShape(input.shape)}`;
    }
  }
  const extra = actual.inputs.find((input) => !expected.inputs.some((mine) => mine.name === input.name));
  return extra ? `it has an extra input ${extra.name}` : undefined;
}

function shapesAgree(a: number[] | null, b: number[] | null): boolean {
  if (a === null || b === null) return true;
  return a.length === b.length && a.every((dim, i) => dim === -1 || b[i] === -1 || dim === b[i]);
}

export function formatShape(shape: readonly number[] | null): string {
  return shape === null ? 'of any rank' : `[${shape.join(', ')}]`;
}
