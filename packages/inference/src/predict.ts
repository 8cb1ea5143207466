// A prediction end to end: request tensors in, checked and run, response tensors out.
import { tensorsFromNested, tensorsFromOip, tensorToNested, tensorToOip, type NestedValue, type OipTensor } from './codec.ts';
import { InputValidationError } from './errors.ts';
import type { LoadedModel } from './load.ts';
import { runModel } from './run.ts';

/** `{inputName: nestedArray}` in, `{outputName: nestedArray}` out for every served output. */
export async function predict(model: LoadedModel, inputs: unknown): Promise<Record<string, NestedValue>> {
  const feeds = tensorsFromNested(model.signature.inputs, inputs);
  const names = model.outputNames;
  const results = await runModel(model, feeds, names);
  const outputs: Record<string, NestedValue> = {};
  for (const name of names) outputs[name] = tensorToNested(results[name]);
  return outputs;
}

/** An Open Inference Protocol request body's tensors. */
export interface OipInferRequest {
  inputs: unknown;
  /** Which outputs to return (`[{name}]`); all served outputs when absent. */
  outputs?: unknown;
}

/** Runs an Open Inference Protocol request and returns its `outputs`. */
export async function inferOip(model: LoadedModel, request: OipInferRequest): Promise<OipTensor[]> {
  const feeds = tensorsFromOip(model.signature.inputs, request.inputs);
  const names = requestedOutputs(model, request.outputs);
  const results = await runModel(model, feeds, names);
  return names.map((name) => tensorToOip(name, results[name]));
}

function requestedOutputs(model: LoadedModel, requested: unknown): readonly string[] {
  const served = model.outputNames;
  if (requested === undefined) return served;
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new InputValidationError([{ path: 'outputs', message: 'must be a non-empty array of {name}' }]);
  }
  const names = requested.map((output: unknown) => (output as { name?: unknown } | null)?.name);
  const issues = names.flatMap((name, index) =>
    typeof name === 'string' && served.includes(name)
      ? []
      : [{ path: `outputs[${index}].name`, message: `unknown output ${JSON.stringify(name)}; the served outputs are ${served.join(', ')}` }],
  );
  if (issues.length) throw new InputValidationError(issues);
  return [...new Set(names as string[])];
}
