// Turning ONNX bytes into a runnable session and the signature requests are checked against.
import * as ort from 'onnxruntime-web';
import { rowsAreIndependent } from './batching.ts';
import { ModelLoadError, runtimeReason } from './errors.ts';
import { checkModelGraph } from './graph-checks.ts';
import { readSignature, type GraphSignature, type Signature, type TensorSpec } from './signature.ts';

export interface LoadedModel {
  readonly session: ort.InferenceSession;
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
}

const sessionOptions: ort.InferenceSession.SessionOptions = {
  executionProviders: ['wasm'],
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
};

// One thread and no proxy worker: a Lambda gets about one vCPU, and Lambda@Edge has no workers.
function configureRuntime(): void {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const bundledRuntime = bundledRuntimeLocation();
  if (bundledRuntime) ort.env.wasm.wasmPaths = bundledRuntime;
}

/**
 * Where a deployed function's build put the runtime's one `.mjs` and `.wasm`: the build replaces
 * `process.env.FLYWHEEL_ONNX_RUNTIME_DIR` (a literal expression, esbuild `define`) with their
 * directory relative to the bundle (sst.config.ts copies them there). Unbundled, as in the tests
 * and `npm start`, it is unset and onnxruntime-web loads them from its own dist/ in node_modules.
 */
function bundledRuntimeLocation(): string | undefined {
  // Guarded so that a runtime without `process` (a browser) gets onnxruntime-web's defaults too.
  const directory = typeof process === 'undefined' ? undefined : process.env.FLYWHEEL_ONNX_RUNTIME_DIR;
  return directory ? new URL(directory, import.meta.url).href : undefined;
}

/** Creates a session for ONNX model bytes; throws ModelLoadError with the reason if it cannot. */
export async function loadModel(bytes: Uint8Array, options: LoadOptions = {}): Promise<LoadedModel> {
  checkModelGraph(bytes);
  configureRuntime();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, sessionOptions);
  } catch (error) {
    // Only what the runtime says about the model is the model's fault; anything else (the wasm
    // binary failing to load, say) is the server's, and must not reach the client as a 422.
    if (!(error instanceof Error && error.message.startsWith("Can't create a session"))) throw error;
    throw new ModelLoadError(runtimeReason(error), { cause: error });
  }
  try {
    const served = servedSignature(readSignature(bytes));
    const batchable = (options.batching ?? true) && (await rowsAreIndependent(session, served.signature));
    return { session, ...served, outputNames: served.signature.outputs.map((output) => output.name), batchable };
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
  const notes = graph.initializerInputs.map(
    (name) => `graph input ${name} is an initializer (older IR versions list them as inputs); requests do not feed it`,
  );
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
