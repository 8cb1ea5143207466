import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from './load.ts';
import { mlpFixture } from '@flywheel/testing/test-models';

// Its own file: onnxruntime-web initialises its WebAssembly once per process, from where it is told first.
describe('where the runtime loads its WebAssembly from', () => {
  let empty: string | undefined;
  afterAll(async () => {
    delete process.env.FLYWHEEL_ONNX_RUNTIME_DIR;
    if (empty) await rm(empty, { recursive: true, force: true });
  });

  it('is the directory the build defines as FLYWHEEL_ONNX_RUNTIME_DIR, not onnxruntime-web’s own', async () => {
    empty = await mkdtemp(join(tmpdir(), 'flywheel-ort-'));
    process.env.FLYWHEEL_ONNX_RUNTIME_DIR = pathToFileURL(`${empty}/`).href;
    await expect(loadModel(mlpFixture().bytes, { backend: 'web' })).rejects.toThrow(join(empty, 'ort-wasm-simd-threaded.mjs'));
  });
});
