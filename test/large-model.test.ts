import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatTensor, tensorType, writeModel } from '@flywheel/inference';
import { seededRandom } from '@flywheel/testing/drift/random';
import { asBody, expectProblem, putEndpoint, registerBytes, singleVariant } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { tempDataDir } from '@flywheel/testing/temp-dir';

const BIN = join(import.meta.dirname, '../packages/cli/bin/flywheel.js');
const LAYERS = [256, 2048, 2048, 100];

interface WideModel {
  bytes: Uint8Array;
  /** The logits of `row`, computed here in float64. */
  expected: number[];
}

/**
 * The wide MLP users serve (256 → 2048 → 2048 → 100, ~20 MB of float32 weights), written by the
 * project's ONNX writer; `seed` makes each one different bytes.
 */
function wideModel(seed: number, row: readonly number[]): WideModel {
  const random = seededRandom(seed);
  const weights = LAYERS.slice(1).map((out, i) => {
    const inputs = LAYERS[i];
    const scale = 1 / Math.sqrt(inputs);
    return {
      inputs,
      out,
      w: Float32Array.from({ length: inputs * out }, () => (random.uniform() * 2 - 1) * scale),
      b: Float32Array.from({ length: out }, () => random.uniform() - 0.5),
    };
  });
  const nodes = weights.flatMap((_, i) => {
    const input = i === 0 ? 'x' : `h${i}`;
    const last = i === weights.length - 1;
    return [
      { opType: 'MatMul', inputs: [input, `w${i}`], outputs: [`m${i}`] },
      { opType: 'Add', inputs: [`m${i}`, `b${i}`], outputs: [last ? 'logits' : `a${i}`] },
      ...(last ? [] : [{ opType: 'Relu', inputs: [`a${i}`], outputs: [`h${i + 1}`] }]),
    ];
  });
  const bytes = writeModel({
    inputs: [{ name: 'x', type: tensorType('float32', ['N', LAYERS[0]]) }],
    outputs: [{ name: 'logits', type: tensorType('float32', ['N', LAYERS.at(-1)!]) }],
    nodes,
    initializers: weights.flatMap(({ inputs, out, w, b }, i) => [floatTensor(`w${i}`, [inputs, out], w), floatTensor(`b${i}`, [out], b)]),
  });
  let activations = [...row];
  for (const [i, { inputs, out, w, b }] of weights.entries()) {
    const next = Array.from(b, Number);
    for (let k = 0; k < inputs; k++) for (let j = 0; j < out; j++) next[j] += activations[k] * w[k * out + j];
    activations = i === weights.length - 1 ? next : next.map((v) => Math.max(0, v));
  }
  return { bytes, expected: activations };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('a 20 MB model registers through every route (multipart to S3) and serves', { timeout: 240_000 }, () => {
  let system: TestSystem;
  const row = Array.from({ length: LAYERS[0] }, (_, i) => Math.sin(i) * 0.5);
  let models: WideModel[];

  beforeAll(async () => {
    // Built before any request: building blocks the event loop for seconds, long enough for a
    // kept-alive connection to expire under the client without its timer noticing.
    models = [1, 2, 3, 4].map((seed) => wideModel(seed, row));
    system = await startTestSystem();
  }, 120_000);
  afterAll(() => system?.stop());

  /** The artifact as S3 keeps it, read back through the SDK. */
  async function stored(hex: string): Promise<Uint8Array> {
    const { Body } = await system.clients.s3.send(new GetObjectCommand({ Bucket: system.names.bucket, Key: `models/sha256/${hex}.onnx` }));
    return Body!.transformToByteArray();
  }

  const openUploads = async () => (await system.clients.s3.send(new ListMultipartUploadsCommand({ Bucket: system.names.bucket }))).Uploads ?? [];

  /** The version registered, stored whole under its sha256, and serving the model's answer. */
  async function expectServed(name: string, model: WideModel, response: Response): Promise<void> {
    expect(response.status, await response.clone().text()).toBe(201);
    const version = (await response.json()) as { version: number; sha256: string; sizeBytes: number };
    expect(version).toMatchObject({ sha256: sha256(model.bytes), sizeBytes: model.bytes.byteLength });
    expect(sha256(await stored(version.sha256))).toBe(version.sha256);
    expect(await openUploads()).toEqual([]);
    expect((await putEndpoint(system, name, singleVariant(name, version.version))).status).toBe(201);
    const predicted = await system.api(`/v1/endpoints/${name}/predict`, { method: 'POST', json: { inputs: { x: [row] } } });
    expect(predicted.status, await predicted.clone().text()).toBe(200);
    const { outputs } = (await predicted.json()) as { outputs: { logits: number[][] } };
    expect(outputs.logits[0]).toHaveLength(LAYERS.at(-1)!);
    outputs.logits[0].forEach((value, i) => expect(Math.abs(value - model.expected[i])).toBeLessThan(1e-3 * (1 + Math.abs(model.expected[i]))));
  }

  it('as the request body', async () => {
    const model = models[0];
    // 19.7 MB: past the 11 MiB the embedded S3 takes in one request, three parts of 8 MiB.
    expect(model.bytes.byteLength).toBeGreaterThan(19_500_000);
    await expectServed('wide-inline', model, await registerBytes(system, 'wide-inline', model.bytes));
  });

  it('through a presigned multipart upload, a URL per part', async () => {
    const model = models[1];
    const created = await system.api('/v1/models/wide-parts/uploads', { method: 'POST', json: { sizeBytes: model.bytes.byteLength } });
    expect(created.status).toBe(201);
    const upload = (await created.json()) as { key: string; uploadId: string; partBytes: number; parts: { partNumber: number; uploadUrl: string }[] };
    expect(upload.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    const parts = [];
    for (const { partNumber, uploadUrl } of upload.parts) {
      const answer = await fetch(uploadUrl, { method: 'PUT', body: asBody(model.bytes.subarray((partNumber - 1) * upload.partBytes, partNumber * upload.partBytes)) });
      expect(answer.status).toBe(200);
      parts.push({ partNumber, etag: answer.headers.get('etag')! });
    }
    await expectServed(
      'wide-parts',
      model,
      await system.api('/v1/models/wide-parts/versions', { method: 'POST', json: { artifactKey: upload.key, uploadId: upload.uploadId, parts } }),
    );
    // The staged object is gone once registered.
    const staged = await system.clients.s3.send(new ListObjectsV2Command({ Bucket: system.names.bucket, Prefix: 'uploads/wide-parts/' }));
    expect(staged.KeyCount ?? 0).toBe(0);
  });

  it('refuses parts that do not assemble the upload, and leaves nothing of it', async () => {
    const model = models[2];
    const created = await system.api('/v1/models/wide-bad/uploads', { method: 'POST', json: { sizeBytes: model.bytes.byteLength } });
    const upload = (await created.json()) as { key: string; uploadId: string; partBytes: number; parts: { partNumber: number; uploadUrl: string }[] };
    const first = await fetch(upload.parts[0].uploadUrl, { method: 'PUT', body: asBody(model.bytes.subarray(0, upload.partBytes)) });
    const partial = [
      { partNumber: 1, etag: first.headers.get('etag')! },
      { partNumber: 2, etag: '"0123456789abcdef0123456789abcdef"' },
    ];
    const refused = await expectProblem(
      await system.api('/v1/models/wide-bad/versions', { method: 'POST', json: { artifactKey: upload.key, uploadId: upload.uploadId, parts: partial } }),
      400,
    );
    expect(refused.errors?.[0].path).toBe('parts');
    expect(await openUploads()).toEqual([]);
    // Aborted: the same upload cannot be completed afterwards.
    const gone = await expectProblem(
      await system.api('/v1/models/wide-bad/versions', { method: 'POST', json: { artifactKey: upload.key, uploadId: upload.uploadId, parts: partial } }),
      400,
    );
    expect(gone.errors?.[0].path).toBe('uploadId');
    expect((await system.api('/v1/models/wide-bad')).status).toBe(404);

    // Half of a multipart registration is refused before anything happens; an artifact over the limit is refused up front.
    expect(
      (await expectProblem(await system.api('/v1/models/wide-bad/versions', { method: 'POST', json: { artifactKey: upload.key, uploadId: upload.uploadId } }), 400)).errors?.[0]
        .path,
    ).toBe('parts');
    await expectProblem(await system.api('/v1/models/wide-bad/uploads', { method: 'POST', json: { sizeBytes: 2 * 1024 ** 3 } }), 413);
  });

  it('with the CLI (`flywheel models register`, presigned multipart)', async () => {
    const model = models[3];
    const dir = await tempDataDir('wide-cli');
    try {
      const file = join(dir.path, 'wide.onnx');
      await writeFile(file, model.bytes);
      const ran = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, '--json', 'models', 'register', 'wide-cli', file], {
          cwd: dir.path,
          env: { PATH: process.env.PATH, FLYWHEEL_URL: system.url, FLYWHEEL_API_KEY: system.adminKey },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
        child.once('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(ran.code, ran.stderr).toBe(0);
      const version = JSON.parse(ran.stdout) as { sha256: string; version: number };
      await expectServed('wide-cli', model, new Response(JSON.stringify(version), { status: 201 }));
    } finally {
      await dir.remove();
    }
  });
});
