// onnxruntime-web: WebAssembly, one thread, no proxy worker (Lambda@Edge has no workers).
import * as ort from 'onnxruntime-web';
import type { InferenceBackend } from './backend.ts';
import { ModelLoadError, runtimeReason } from './errors.ts';

const sessionOptions: ort.InferenceSession.SessionOptions = {
  executionProviders: ['wasm'],
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
};

export function webBackend(): InferenceBackend {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const bundledRuntime = bundledRuntimeLocation();
  if (bundledRuntime) ort.env.wasm.wasmPaths = bundledRuntime;
  return {
    name: 'web',
    runsTakeTurns: true,
    async createSession(bytes) {
      try {
        return await ort.InferenceSession.create(bytes, sessionOptions);
      } catch (error) {
        // Only what the runtime says about the model is the model's fault; anything else (the wasm
        // binary failing to load, say) is the server's, and must not reach the client as a 422.
        if (!(error instanceof Error && error.message.startsWith("Can't create a session"))) throw error;
        throw new ModelLoadError(runtimeReason(error), { cause: error });
      }
    },
  };
}

/**
 * Where a deployed function's build put the runtime's one `.mjs` and `.wasm`: the build replaces
 * `process.env.FLYWHEEL_ONNX_RUNTIME_DIR` (a literal expression, esbuild `define`) with their
 * directory relative to the bundle (infra/function-package.ts copies them there). Unbundled, as in
 * the tests and `npm start`, it is unset and onnxruntime-web loads them from its own dist/.
 */
function bundledRuntimeLocation(): string | undefined {
  // Guarded so that a runtime without `process` (a browser) gets onnxruntime-web's defaults too.
  const directory = typeof process === 'undefined' ? undefined : process.env.FLYWHEEL_ONNX_RUNTIME_DIR;
  return directory ? new URL(directory, import.meta.url).href : undefined;
}
