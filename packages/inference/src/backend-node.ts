// onnxruntime-node: the native CPU build, where its binary loads (Lambda's linux x64 and arm64,
// `npm start`). Several times faster than WASM on models of any size (bench/README.md).
import { createRequire } from 'node:module';
import type * as OrtNode from 'onnxruntime-node';
import type { InferenceBackend } from './backend.ts';
import { ModelLoadError, runtimeReason } from './errors.ts';

/**
 * Loaded with `require` of a name esbuild cannot follow: a deployed package carries the package
 * with its one platform's binary under node_modules/ (infra/function-package.ts) rather than in
 * the bundle, and the edge's bundle must not need it. Throws when the binary does not load here.
 */
const packageName = 'onnxruntime-node';

export function nodeBackend(threads: number): InferenceBackend {
  const ort = createRequire(import.meta.url)(packageName) as typeof OrtNode;
  // A run that fails on its inputs is the caller's answer (a 4xx), not a server error to print.
  ort.env.logLevel = 'fatal';
  const sessionOptions: OrtNode.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
  };
  return {
    name: 'node',
    runsTakeTurns: false,
    async createSession(bytes) {
      try {
        return await ort.InferenceSession.create(bytes, sessionOptions);
      } catch (error) {
        // The binary loaded above, so what creating a session throws is about the model.
        throw new ModelLoadError(runtimeReason(error), { cause: error });
      }
    },
  };
}
