// Turning ONNX bytes into a runnable session and the signature requests are checked against.
import type { InferenceSession } from 'onnxruntime-common';
import { inferenceBackend, type BackendName, type InferenceBackend } from './backend.ts';
import { rowsAreIndependent } from './joined-runs/feeds.ts';
import { ModelLoadError, runtimeReason } from './errors.ts';
import { checkModelGraph } from './graph-checks.ts';
import { readSignature, type GraphSignature, type Signature, type TensorSpec } from './signature.ts';

export interface LoadedModel {
  readonly session: InferenceSession;
  /** The runtime the session lives in. */
  readonly backend: InferenceBackend;
  /** The tensors requests feed and responses carry. */
  readonly signature: Signature;
  /** The served outputs' names, in signature order: what every run fetches. */
  readonly outputNames: readonly string[];
  /** What of the graph is not served, and why (e.g. a ZipMap output, which is not a tensor). */
  readonly notes: readonly string[];
  /** Requests that arrive together may share one run (rows independent, checked at load). */
  readonly batchable: boolean;
}

export interface LoadOptions {
  /**
   * Let requests that arrive together share one run when the model's rows are independent
   * (default true). Off, every request is its own run and no probe runs at load.
   */
  batching?: boolean;
  /** The runtime to load into; default the configured one (FLYWHEEL_INFERENCE_BACKEND, see backend.ts). */
  backend?: BackendName;
}

/** Creates a session for ONNX model bytes; throws ModelLoadError with the reason if it cannot. */
export async function loadModel(bytes: Uint8Array, options: LoadOptions = {}): Promise<LoadedModel> {
  checkModelGraph(bytes);
  const backend = await inferenceBackend(options.backend);
  const session = await backend.createSession(bytes);
  try {
    const served = servedSignature(readSignature(bytes));
    const batchable = (options.batching ?? true) && (await rowsAreIndependent(backend, session, served.signature));
    return { session, backend, ...served, outputNames: served.signature.outputs.map((output) => output.name), batchable };
  } catch (error) {
    await session.release();
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError(`the graph cannot be read: ${runtimeReason(error)}`, { cause: error });
  }
}

// Only tensors cross the JSON boundary: a non-tensor input makes the model unservable, while
// non-tensor outputs (ZipMap's sequence of maps, say) are left out of responses with a note.
function servedSignature(graph: GraphSignature): { signature: Signature; notes: string[] } {
  const inputs: TensorSpec[] = [];
  for (const input of graph.inputs) {
    if (input.kind !== 'tensor') throw new ModelLoadError(`input ${input.name} is ${input.type}; only tensor inputs can be fed`);
    inputs.push(tensorSpec(input));
  }
  const notes = graph.initializerInputs.map((name) => `graph input ${name} is an initializer (older IR versions list them as inputs); requests do not feed it`);
  const outputs: TensorSpec[] = [];
  for (const output of graph.outputs) {
    if (output.kind === 'tensor') outputs.push(tensorSpec(output));
    else notes.push(`output ${output.name} is ${output.type}, not a tensor; it is left out of predictions`);
  }
  if (outputs.length === 0) throw new ModelLoadError('the model has no tensor outputs to serve');
  return { signature: { inputs, outputs }, notes };
}

// Drops the `kind` tag: the API publishes specs as {name, datatype, shape}.
const tensorSpec = ({ name, datatype, shape }: TensorSpec): TensorSpec => ({ name, datatype, shape });
