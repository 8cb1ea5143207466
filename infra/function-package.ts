import { bucket } from './bucket.ts';
import { queues } from './queues.ts';
import { tables } from './tables.ts';
import type { FunctionDefinition, Resource } from './types.ts';

/**
 * What onnxruntime-web's Node build loads at run time: the single-threaded WebAssembly build
 * (numThreads = 1, no JSEP, no WebGPU), glue and binary. The rest of its dist/ (136 MB) is for
 * browsers and other builds.
 */
export const onnxRuntimeFiles = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'] as const;

/** Where a package keeps them: next to the bundle. packages/inference/src/load.ts is told so at build time. */
export const onnxRuntimeDir = './';

/** `copyFiles` of a function's package, relative to the repository root and to the package root. */
export function copyFilesOf(fn: FunctionDefinition): Array<{ from: string; to: string }> {
  if (!fn.runsModels) return [];
  return onnxRuntimeFiles.map((file) => ({ from: `node_modules/onnxruntime-web/dist/${file}`, to: `${onnxRuntimeDir}${file}` }));
}

/** esbuild `define`s every build of the function carries, whatever else the deployment adds. */
export function buildDefinesOf(fn: FunctionDefinition): Record<string, string> {
  return fn.runsModels ? { 'process.env.FLYWHEEL_ONNX_RUNTIME_DIR': JSON.stringify(onnxRuntimeDir) } : {};
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
