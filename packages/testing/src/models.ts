// Models and helpers for the registry and serving suites; models are written at test time.
import { expect } from 'vitest';
import { floatTensor, tensorType, writeModel, type NestedValue } from '@flywheel/inference';
import type { TestSystem } from './system.ts';

/** `y = x * scale` on `x: FP32 [N, 3]`: cheap, distinct bytes per scale. */
export function scaledModel(scale: number, input = 'x', width = 3): Uint8Array {
  return writeModel({
    inputs: [{ name: input, type: tensorType('float32', ['N', width]) }],
    outputs: [{ name: 'y', type: tensorType('float32', ['N', width]) }],
    nodes: [{ opType: 'Mul', inputs: [input, 'scale'], outputs: ['y'] }],
    initializers: [floatTensor('scale', [1], [scale])],
  });
}

/** Bytes as fetch and Blob take them (writer output is never backed by a SharedArrayBuffer). */
export const asBody = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;

/** Registers raw bytes (with optional metadata) and returns the response. */
export function registerBytes(system: TestSystem, model: string, bytes: Uint8Array, metadata?: unknown, key?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (metadata !== undefined) headers['flywheel-metadata'] = JSON.stringify(metadata);
  return system.api(`/v1/models/${model}/versions`, { method: 'POST', body: asBody(bytes), headers, key });
}

/** Registers and expects success; returns the version number. */
export async function registered(system: TestSystem, model: string, bytes: Uint8Array, metadata?: unknown): Promise<number> {
  const response = await registerBytes(system, model, bytes, metadata);
  expect([200, 201], await response.clone().text()).toContain(response.status);
  return ((await response.json()) as { version: number }).version;
}

/** Creates or replaces an endpoint, fetching its ETag first when it exists. */
export async function putEndpoint(system: TestSystem, endpoint: string, config: unknown): Promise<Response> {
  const current = await system.api(`/v1/endpoints/${endpoint}`);
  const headers: Record<string, string> = current.status === 200 ? { 'if-match': current.headers.get('etag')! } : {};
  return system.api(`/v1/endpoints/${endpoint}`, { method: 'PUT', json: config, headers });
}

export function singleVariant(model: string, version: number) {
  return { variants: [{ name: 'main', model, version, weight: 100 }] };
}

/** Same structure, numbers within 1e-5, everything else equal. */
export function expectClose(actual: unknown, expected: NestedValue, path = 'output'): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((item, i) => expectClose((actual as unknown[])[i], item, `${path}[${i}]`));
  } else if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - expected), `${path}: ${String(actual)} vs ${expected}`).toBeLessThanOrEqual(1e-5);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

export async function expectProblem(response: Response, status: number): Promise<{ detail: string; errors?: Array<{ path: string; message: string }> }> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = JSON.parse(text);
  expect(problem.status).toBe(status);
  return problem;
}
