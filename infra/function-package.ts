import { bucket } from './bucket.ts';
import { queues } from './queues.ts';
import { tables } from './tables.ts';
import type { FunctionDefinition, Resource } from './types.ts';

/** A Lambda instruction set, as Lambda names it. */
export type LambdaArchitecture = 'arm64' | 'x86_64';

/** What the regional functions run on (sst.config.ts). Lambda@Edge is always x86_64. */
export const regionalArchitecture: LambdaArchitecture = 'arm64';

const architectureOf = (fn: FunctionDefinition): LambdaArchitecture => (fn.trigger.kind === 'edge' ? 'x86_64' : regionalArchitecture);

/**
 * What onnxruntime-web's Node build loads at run time: the single-threaded WebAssembly build
 * (numThreads = 1, no JSEP, no WebGPU), glue and binary. The rest of its dist/ (136 MB) is for
 * browsers and other builds.
 */
export const onnxRuntimeFiles = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'] as const;

/** Where a package keeps them: next to the bundle. packages/inference/src/backend-web.ts is told so at build time. */
export const onnxRuntimeDir = './';

/**
 * What onnxruntime-node needs at run time, for one Linux architecture: its JavaScript, the
 * binding and libonnxruntime of that architecture only (~46 MB x64, ~25 MB arm64; the npm
 * package holds every platform's, ~330 MB), and onnxruntime-common's CommonJS build. The
 * package stays out of the bundle (packages/inference/src/backend-node.ts requires it by a name
 * esbuild does not follow), so these go under the package's node_modules/, where that require
 * finds them. Paths are relative to node_modules/; a directory is copied whole.
 */
export function nativeRuntimeFiles(architecture: LambdaArchitecture): string[] {
  const binaries = `onnxruntime-node/bin/napi-v6/linux/${architecture === 'x86_64' ? 'x64' : 'arm64'}`;
  return [
    'onnxruntime-node/package.json',
    ...['index', 'backend', 'binding', 'version'].map((file) => `onnxruntime-node/dist/${file}.js`),
    `${binaries}/onnxruntime_binding.node`,
    `${binaries}/libonnxruntime.so.1`,
    'onnxruntime-common/package.json',
    'onnxruntime-common/dist/cjs',
  ];
}

/**
 * `copyFiles` of a function's package, relative to the repository root and to the package root.
 * A regional function that runs models carries both runtimes (onnxruntime-node for its
 * architecture, the default; the WASM one, should FLYWHEEL_INFERENCE_BACKEND say `web`), the
 * edge only the WASM one.
 */
export function copyFilesOf(fn: FunctionDefinition, architecture = architectureOf(fn)): Array<{ from: string; to: string }> {
  if (!fn.runsModels) return [];
  const wasm = onnxRuntimeFiles.map((file) => ({ from: `node_modules/onnxruntime-web/dist/${file}`, to: `${onnxRuntimeDir}${file}` }));
  if (fn.trigger.kind === 'edge') return wasm;
  return [...wasm, ...nativeRuntimeFiles(architecture).map((file) => ({ from: `node_modules/${file}`, to: `node_modules/${file}` }))];
}

/**
 * esbuild `define`s every build of the function carries, whatever else the deployment adds. The
 * edge, which has no environment variables, is built for onnxruntime-web.
 */
export function buildDefinesOf(fn: FunctionDefinition): Record<string, string> {
  if (!fn.runsModels) return {};
  const runtimeDir = { 'process.env.FLYWHEEL_ONNX_RUNTIME_DIR': JSON.stringify(onnxRuntimeDir) };
  return fn.trigger.kind === 'edge' ? { ...runtimeDir, 'process.env.FLYWHEEL_INFERENCE_BACKEND': JSON.stringify('web') } : runtimeDir;
}

/**
 * Settings a function's environment carries besides resource names: a regional function that
 * runs models is told to use onnxruntime-node, so that a binary that fails to load fails the
 * function loudly instead of falling back to the ~5× slower WASM build.
 */
export function runtimeSettingsOf(fn: FunctionDefinition): Record<string, string> {
  return fn.runsModels && fn.trigger.kind !== 'edge' ? { FLYWHEEL_INFERENCE_BACKEND: 'node' } : {};
}

/** A resource whose physical name a function is given, under the variable it reads it from. */
export type NamedResource =
  | { kind: 'table'; name: keyof typeof tables; envVar: string }
  | { kind: 'queue'; name: keyof typeof queues; envVar: string }
  | { kind: 'bucket'; envVar: string };

/**
 * The names a function is given: those of its resources, and the URL of the queue that triggers
 * it (a consumer finds its dead-letter queue through that queue's redrive policy, so a
 * dead-letter queue needs no name of its own).
 */
export function namedResourcesOf(fn: FunctionDefinition): NamedResource[] {
  const named = new Map<string, NamedResource>();
  const add = (resource: NamedResource) => named.set(resource.envVar, resource);
  for (const resource of fn.resources as readonly Resource[]) {
    if (resource.kind === 'table') {
      const name = resource.name as keyof typeof tables;
      add({ kind: 'table', name, envVar: tables[name].envVar });
    } else if (resource.kind === 'queue') {
      const name = resource.name as keyof typeof queues;
      add({ kind: 'queue', name, envVar: queues[name].envVar });
    } else if (resource.kind === 'bucket') {
      add({ kind: 'bucket', envVar: bucket.envVar });
    }
  }
  if (fn.trigger.kind === 'queue') {
    const name = fn.trigger.queue as keyof typeof queues;
    add({ kind: 'queue', name, envVar: queues[name].envVar });
  }
  return [...named.values()];
}
