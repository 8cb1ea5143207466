import { describe, expect, it } from 'vitest';
import { inferenceBackend, parseBackendConfig } from './backend.ts';

describe('choosing the inference backend', () => {
  it('reads FLYWHEEL_INFERENCE_BACKEND and FLYWHEEL_INFERENCE_THREADS, and says what is wrong with bad values', () => {
    expect(parseBackendConfig(undefined, undefined)).toEqual({});
    expect(parseBackendConfig('web', '2')).toEqual({ backend: 'web', threads: 2 });
    expect(() => parseBackendConfig('wasm', undefined)).toThrow('FLYWHEEL_INFERENCE_BACKEND must be one of node, web, got "wasm"');
    expect(() => parseBackendConfig('node', '0')).toThrow('FLYWHEEL_INFERENCE_THREADS must be a positive integer, got "0"');
    expect(() => parseBackendConfig('node', '1.5')).toThrow('FLYWHEEL_INFERENCE_THREADS must be a positive integer');
  });

  it('defaults to onnxruntime-node where its binary loads, and starts each backend once', async () => {
    const previous = process.env.FLYWHEEL_INFERENCE_BACKEND;
    delete process.env.FLYWHEEL_INFERENCE_BACKEND;
    try {
      expect((await inferenceBackend()).name).toBe('node');
      expect(await inferenceBackend('web')).toBe(await inferenceBackend('web'));
      expect((await inferenceBackend('web')).runsTakeTurns).toBe(true);
      expect((await inferenceBackend('node')).runsTakeTurns).toBe(false);
    } finally {
      if (previous !== undefined) process.env.FLYWHEEL_INFERENCE_BACKEND = previous;
    }
  });
});
