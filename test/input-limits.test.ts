import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, putEndpoint, registered, scaledModel, singleVariant } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

// `y = 2x` over [age, income, plan], plan given as its category or its position.
const PLANS = ['free', 'pro', 'team'];
const features = [
  { name: 'age', kind: 'numerical', input: 'x', index: 0 },
  { name: 'income', kind: 'numerical', input: 'x', index: 1 },
  { name: 'plan', kind: 'categorical', input: 'x', index: 2, categories: PLANS },
];

/** The probe's remaining low findings, each as a request a client could send, over HTTP. */
describe('request limits and strictness', () => {
  let system: TestSystem;
  const post = (path: string, body: string) => system.api(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const oip = (data: string, extra = '', top = '') => `{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": ${data}${extra}}]${top}}`;

  beforeAll(async () => {
    system = await startTestSystem();
    expect(await registered(system, 'limits', scaledModel(2), { features })).toBe(1);
    expect((await putEndpoint(system, 'limits', singleVariant('limits', 1))).status).toBe(201);
  });
  afterAll(() => system?.stop());

  it('refuses infinities (1e309) and float32 overflow on predict, KServe V1 and OIP, naming the element', async () => {
    for (const value of ['1e309', '-1e309', '1e39']) {
      const predict = await expectProblem(await post('/v1/endpoints/limits/predict', `{"inputs": {"x": [[${value}, 1, 2]]}}`), 400);
      expect(JSON.stringify(predict.errors)).toMatch(/float32 range/);
      const records = await expectProblem(await post('/v1/endpoints/limits/predict', `{"records": [{"age": ${value}, "income": 1, "plan": "pro"}]}`), 400);
      expect(JSON.stringify(records.errors)).toMatch(/float32 range/);
      await expectProblem(await post('/v1/models/limits:predict', `{"instances": [[${value}, 1, 2]]}`), 400);
      const v2 = await expectProblem(await post('/v2/models/limits/infer', oip(`[${value}, 1, 2]`)), 400);
      expect(JSON.stringify(v2.errors)).toMatch(/float32 range/);
    }
    // The largest float32 still goes through.
    const largest = await post('/v2/models/limits/infer', oip('[3.4028234663852886e38, 1, 2]'));
    expect(largest.status, await largest.clone().text()).toBe(200);
  });

  it('takes a categorical feature as one of its categories or their position, not any number', async () => {
    const ok = await post('/v1/endpoints/limits/predict', '{"records": [{"age": 30, "income": 1, "plan": "team"}, {"age": 30, "income": 1, "plan": 1}]}');
    expect(ok.status, await ok.clone().text()).toBe(200);
    for (const plan of ['7', '-1', '1.5', '"gold"']) {
      const refused = await expectProblem(await post('/v1/endpoints/limits/predict', `{"records": [{"age": 30, "income": 1, "plan": ${plan}}]}`), 400);
      expect(refused.errors).toEqual([{ path: 'records/0/plan', message: expect.stringMatching(/one of "free", "pro", "team"/) }]);
    }
  });

  it('refuses unknown fields on OIP, KServe V1, baselines and inside records', async () => {
    const misspelt = await expectProblem(await post('/v1/endpoints/limits/predict', '{"records": [{"age": 30, "incme": 1, "income": 1, "plan": "pro"}]}'), 400);
    expect(misspelt.errors).toEqual([{ path: 'records/0/incme', message: expect.stringMatching(/unknown field/) }]);
    await expectProblem(await post('/v2/models/limits/infer', oip('[1, 1, 2]', '', ', "extra": 1')), 400);
    const tensor = await expectProblem(await post('/v2/models/limits/infer', oip('[1, 1, 2]', ', "extra": 1')), 400);
    expect(tensor.errors).toEqual([expect.objectContaining({ path: 'inputs[0].extra' })]);
    await expectProblem(await post('/v2/models/limits/infer', oip('[1, 1, 2]', '', ', "outputs": [{"name": "y", "extra": 1}]')), 400);
    await expectProblem(await post('/v1/models/limits:predict', '{"instances": [[1, 1, 2]], "extra": 1}'), 400);
    const records = Array.from({ length: 20 }, (_, i) => ({ age: 20 + i, income: 1000 * i, plan: PLANS[i % 3] }));
    await expectProblem(await system.api('/v1/models/limits/versions/1/baseline', { method: 'PUT', json: { records, extra: 1 } }), 400);
    // The documented shapes still pass.
    const parameters = await post('/v2/models/limits/infer', oip('[1, 1, 2]', ', "parameters": {}', ', "parameters": {"unit": "u-1"}, "outputs": [{"name": "y"}]'));
    expect(parameters.status, await parameters.clone().text()).toBe(200);
    expect((await system.api('/v1/models/limits/versions/1/baseline', { method: 'PUT', json: { records } })).status).toBe(200);
  });

  it('refuses a huge array on its length, before looking at its elements: one error, not one per element', async () => {
    const million = (value: string) => `[${`${value},`.repeat(999_999)}${value}]`;
    const cases: Array<[string, string]> = [
      ['/v1/endpoints/limits/predict', `{"records": ${million('0')}}`],
      ['/v1/models/limits:predict', `{"instances": ${million('"a"')}}`],
      ['/v2/models/limits/infer', `{"inputs": ${million('0')}}`],
      ['/v2/models/limits/infer', oip('[1, 1, 2]', '', `, "outputs": ${million('0')}`)],
    ];
    for (const [path, body] of cases) {
      const problem = await expectProblem(await post(path, body), 400);
      expect(problem.errors, path).toHaveLength(1);
      expect(problem.errors![0].message, path).toMatch(/at most|too big/i);
    }
    expect((await system.api('/healthz')).status).toBe(200);
  });

  it('cuts what an error echoes of a 10,000-character name short', async () => {
    const name = 'n'.repeat(10_000);
    for (const response of [
      await system.api(`/v1/models/${name}`),
      await system.api(`/v1/endpoints/${name}`, { method: 'PUT', json: {} }),
      await post('/v1/endpoints/limits/predict', `{"inputs": {"${name}": [[1, 1, 2]]}}`),
      await post('/v2/models/limits/infer', `{"inputs": [{"name": "${name}", "shape": [1, 3], "datatype": "FP32", "data": [1, 1, 2]}]}`),
    ]) {
      const text = await response.clone().text();
      expect(response.status).toBe(400);
      expect(text.length).toBeLessThan(2000);
      expect(text).toMatch(/n{99}…/);
      expect(text).not.toMatch(/n{101}/);
    }
  });
});
