// Which onnxruntime build runs the models: onnxruntime-node (native, CPU) where its binary loads,
// onnxruntime-web (WebAssembly) everywhere else — Lambda@Edge, a browser. Both are imported only
// when first chosen, so a process pays for the one it uses.
import type { InferenceSession } from 'onnxruntime-common';

export type BackendName = 'node' | 'web';
export const backendNames: readonly BackendName[] = ['node', 'web'];

export interface InferenceBackend {
  readonly name: BackendName;
  /** Creates a session; throws ModelLoadError when the runtime refuses the model itself. */
  createSession(bytes: Uint8Array): Promise<InferenceSession>;
  /**
   * The backend's sessions share one runtime whose runs must take turns (onnxruntime-web's WASM
   * instance; see turns.ts). Native sessions are independent of each other.
   */
  readonly runsTakeTurns: boolean;
}

export interface BackendConfig {
  /** Unset: onnxruntime-node if its binary loads here, else onnxruntime-web. */
  backend?: BackendName;
  /** onnxruntime-node's intra-op threads (default 1: a Lambda gets about one vCPU). The WASM build always has one. */
  threads?: number;
}

/**
 * The configuration the environment gives: FLYWHEEL_INFERENCE_BACKEND (`node` or `web`) and
 * FLYWHEEL_INFERENCE_THREADS. A deployed bundle may have them replaced at build time (the edge's
 * has `web`, esbuild `define`), so these `process.env.X` expressions must stay literal.
 */
export function backendConfigFromEnv(): BackendConfig {
  // Guarded so that a runtime without `process` (a browser) gets the defaults.
  if (typeof process === 'undefined') return {};
  return parseBackendConfig(process.env.FLYWHEEL_INFERENCE_BACKEND, process.env.FLYWHEEL_INFERENCE_THREADS);
}

export function parseBackendConfig(backend: string | undefined, threads: string | undefined): BackendConfig {
  const config: BackendConfig = {};
  if (backend) {
    if (!(backendNames as readonly string[]).includes(backend)) {
      throw new Error(`FLYWHEEL_INFERENCE_BACKEND must be one of ${backendNames.join(', ')}, got ${JSON.stringify(backend)}`);
    }
    config.backend = backend as BackendName;
  }
  if (threads) {
    const count = Number(threads);
    if (!Number.isSafeInteger(count) || count < 1) throw new Error(`FLYWHEEL_INFERENCE_THREADS must be a positive integer, got ${JSON.stringify(threads)}`);
    config.threads = count;
  }
  return config;
}

const started = new Map<string, Promise<InferenceBackend>>();

/**
 * The backend to load models into: `name` when given, else the configured one (see
 * {@link backendConfigFromEnv}). Started once per process and configuration; a failed start is
 * not remembered.
 */
export function inferenceBackend(name?: BackendName): Promise<InferenceBackend> {
  const config = backendConfigFromEnv();
  const chosen = name ?? config.backend;
  const key = `${chosen ?? 'default'}:${config.threads ?? 1}`;
  let backend = started.get(key);
  if (!backend) {
    backend = startBackend(chosen, config.threads ?? 1);
    started.set(key, backend);
    backend.catch(() => started.delete(key));
  }
  return backend;
}

async function startBackend(name: BackendName | undefined, threads: number): Promise<InferenceBackend> {
  if (name === 'web') return (await import('./backend-web.ts')).webBackend();
  if (name === 'node') return (await import('./backend-node.ts')).nodeBackend(threads);
  // No choice made: native where its binary loads (a platform onnxruntime-node ships), else WASM.
  try {
    return (await import('./backend-node.ts')).nodeBackend(threads);
  } catch {
    return (await import('./backend-web.ts')).webBackend();
  }
}
