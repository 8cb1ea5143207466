// The two inference backends side by side: every fixture family of packages/inference and the
// built-in trainer's tree ensemble, loaded into onnxruntime-node and onnxruntime-web, must
// describe themselves alike and answer alike (within 1e-5), alone, joined and from the cache.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadModel, predict, releaseModel, SessionCache, sha256Hex, type LoadedModel, type NestedValue } from '@flywheel/inference';
import { generateTabularDataset, trainChallenger } from '@flywheel/train';
import { cnnFixture, embeddingFixture, linearClassifierFixture, mlpFixture, treeClassifierFixture, treeRegressorFixture, type ModelFixture } from '@flywheel/testing/test-models';

const TOLERANCE = 1e-5;

/** Every element of `actual` within 1e-5 of `expected` (relative beyond magnitude 1), integers and strings equal. */
function expectAlike(actual: NestedValue, expected: NestedValue, where: string): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), where).toBe(true);
    expect((actual as NestedValue[]).length, where).toBe(expected.length);
    expected.forEach((item, i) => expectAlike((actual as NestedValue[])[i], item, `${where}[${i}]`));
    return;
  }
  if (typeof expected === 'number' && !Number.isInteger(expected)) {
    expect(typeof actual, where).toBe('number');
    expect(Math.abs((actual as number) - expected) / Math.max(1, Math.abs(expected)), `${where}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOLERANCE);
    return;
  }
  expect(actual, where).toEqual(expected);
}

async function trainedEnsemble(): Promise<ModelFixture> {
  const dataset = generateTabularDataset({ seed: 5, rows: 400, concept: 1 });
  const trained = await trainChallenger({ dataset, params: { algorithm: 'boosted-trees', trees: { rounds: 20 } } });
  // Rows spread over the features' range, so that every tree takes both branches somewhere.
  const probe = await loadModel(trained.bytes, { batching: false, backend: 'web' });
  const [input] = probe.signature.inputs;
  await releaseModel(probe);
  const columns = input.shape![1];
  const rows = Array.from({ length: 32 }, (_, row) => Array.from({ length: columns }, (_, column) => Math.sin(row * 7.3 + column * 1.7) * 3));
  return { bytes: trained.bytes, inputs: { [input.name]: rows }, expected: {} };
}

const families: Array<[string, () => ModelFixture | Promise<ModelFixture>]> = [
  ['MLP', mlpFixture],
  ['CNN', cnnFixture],
  ['embedding (Gather)', embeddingFixture],
  ['linear classifier', () => linearClassifierFixture(false)],
  ['linear classifier with ZipMap', () => linearClassifierFixture(true)],
  ['tree classifier', treeClassifierFixture],
  ['tree regressor', treeRegressorFixture],
  ['built-in trainer’s boosted trees', trainedEnsemble],
];

const loaded: LoadedModel[] = [];
afterAll(async () => {
  await Promise.all(loaded.map(releaseModel));
});

describe.each(families)('%s, in onnxruntime-node and onnxruntime-web', (_, fixture) => {
  it('loads with the same signature, notes and batching verdict, and predicts alike', async () => {
    const { bytes, inputs, expected } = await fixture();
    const [native, web] = await Promise.all([loadModel(bytes, { backend: 'node' }), loadModel(bytes, { backend: 'web' })]);
    loaded.push(native, web);
    expect([native.backend.name, web.backend.name]).toEqual(['node', 'web']);
    expect(native.signature).toEqual(web.signature);
    expect(native.notes).toEqual(web.notes);
    expect(native.batchable).toBe(web.batchable);
    const [fromNative, fromWeb] = [await predict(native, inputs), await predict(web, inputs)];
    expect(Object.keys(fromNative).sort()).toEqual(native.outputNames.slice().sort());
    for (const name of native.outputNames) {
      expectAlike(fromNative[name], fromWeb[name], `${name} (node vs web)`);
      if (expected[name] !== undefined) expectAlike(fromNative[name], expected[name], `${name} (node vs reference)`);
    }
  });
});

describe('joined runs and the session cache, on either backend', () => {
  it.each(['node', 'web'] as const)('%s: requests that arrive together share a run and each gets its own rows', async (backend) => {
    const { bytes, inputs } = mlpFixture();
    const cache = new SessionCache({ load: (modelBytes) => loadModel(modelBytes, { backend }) });
    const sha256 = await sha256Hex(bytes);
    const model = await cache.get(sha256, async () => bytes);
    expect(model.backend.name).toBe(backend);
    expect(model.batchable).toBe(true);
    expect(await cache.get(sha256, async () => Promise.reject(new Error('a hit must not fetch')))).toBe(model);
    const rows = (inputs.features as number[][]).map((row) => ({ features: [row] }));
    const alone: Array<Record<string, NestedValue>> = [];
    for (const row of rows) alone.push(await predict(model, row));
    const runs = vi.spyOn(model.session, 'run');
    const runsPerRound: number[] = [];
    // Several rounds: after a lone run the join backs off a few requests before waiting for company.
    for (let round = 0; round < 4; round++) {
      runs.mockClear();
      const together = await Promise.all(rows.map((row) => predict(model, row)));
      runsPerRound.push(runs.mock.calls.length);
      together.forEach((answer, i) => {
        for (const name of model.outputNames) expectAlike(answer[name], alone[i][name], `${name} row ${i}`);
      });
    }
    expect(runsPerRound).toContain(1);
    runs.mockRestore();
    cache.clear();
  });
});
