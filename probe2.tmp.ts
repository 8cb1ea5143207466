import { startTestSystem } from './test/support/system.ts';
import { putEndpoint, registered, scaledModel, singleVariant } from './test/support/models.ts';
const system = await startTestSystem();
await registered(system, 'fuzz', scaledModel(3));
await putEndpoint(system, 'fuzz', singleVariant('fuzz', 1));
const long = 'n'.repeat(10_000);
const cases: [string, string, string][] = [
  ['POST', '/v1/endpoints/fuzz/predict', '{"inputs": {"x": [[1e309, 1, 2]]}}'],
  ['POST', '/v1/endpoints/fuzz/predict', '{"inputs": {"x": [[1e39, 1, 2]]}}'],
  ['POST', '/v1/endpoints/fuzz/predict', '{"inputs": {"x": [[-1e309, 1, 2]]}}'],
  ['POST', '/v1/models/fuzz:predict', '{"instances": [[1e309, 1, 2]]}'],
  ['POST', '/v1/models/fuzz:predict', '{"instances": [[1e39, 1, 2]]}'],
  ['POST', '/v1/models/fuzz:predict', '{"instances": [[1, 1, 2]], "extra": 1}'],
  ['POST', '/v2/models/fuzz/infer', '{"inputs": [{"name":"x","shape":[1,3],"datatype":"FP32","data":[1e309,1,2]}]}'],
  ['POST', '/v2/models/fuzz/infer', '{"inputs": [{"name":"x","shape":[1,3],"datatype":"FP32","data":[1e39,1,2]}]}'],
  ['POST', '/v2/models/fuzz/infer', '{"inputs": [{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,1,2], "extra": 1}]}'],
  ['POST', '/v2/models/fuzz/infer', '{"inputs": [{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,1,2]}], "extra": 1}'],
  ['POST', '/v2/models/fuzz/infer', `{"inputs": [{"name":"${long}","shape":[1,3],"datatype":"FP32","data":[1,1,2]}]}`],
  ['POST', '/v1/endpoints/fuzz/predict', `{"inputs": {"${long}": [[1, 1, 2]]}}`],
  ['PUT', `/v1/endpoints/${long}`, '{}'],
  ['GET', `/v1/models/${long}`, ''],
  ['PUT', '/v1/models/fuzz/versions/1/baseline', '{"records": [{"x": 1}], "extra": 1}'],
  ['POST', '/v1/endpoints/fuzz/predict', '{"records": [{"x": 1, "extra": 2}]}'],
];
for (const [method, path, body] of cases) {
  const r = await system.api(path, { method, body: body || undefined, headers: body ? { 'content-type': 'application/json' } : {} });
  const text = await r.text();
  console.log(method, path.slice(0, 40), body.slice(0, 60), '→', r.status, text.length, text.slice(0, 250));
}
const keys = await (await system.api('/v1/keys')).json();
console.log(JSON.stringify(keys).slice(0, 300));
await system.stop();
