import { describe, expect, it } from 'vitest';
import type { Feature } from './metadata.ts';
import { applyRecordsPlan, recordsPlan, type RecordsPlan } from './records.ts';
import type { ModelSignature } from './signature.ts';

const signature: ModelSignature = {
  inputs: [
    { name: 'features', datatype: 'FP32', shape: [-1, 3] },
    { name: 'ids', datatype: 'INT64', shape: [-1] },
  ],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }],
};

const features: Feature[] = [
  { name: 'tenure', kind: 'numerical', input: 'features', index: 2 },
  { name: 'age', kind: 'numerical', input: 'features', index: 0 },
  { name: 'plan', kind: 'categorical', input: 'features', index: 1, categories: ['free', 'pro', 'team'] },
  { name: 'account', kind: 'categorical', input: 'ids' },
];

function plan(): RecordsPlan {
  const result = recordsPlan(features, signature);
  if ('issues' in result) throw new Error(JSON.stringify(result.issues));
  return result;
}

describe('records to input tensors', () => {
  it('puts each feature in its column and encodes string categories of numeric inputs by position', () => {
    const result = applyRecordsPlan(plan(), [
      { age: 31, plan: 'pro', tenure: 4.5, account: '9007199254740993' },
      { age: 40, plan: 2, tenure: 0, account: 7 },
    ]);
    expect(result).toEqual({
      inputs: {
        features: [
          [31, 1, 4.5],
          [40, 2, 0],
        ],
        ids: ['9007199254740993', 7],
      },
    });
  });

  it('refuses a field that is no feature, unless told to leave such fields aside', () => {
    const records = [{ age: 31, plan: 'pro', tenure: 4.5, account: 7, email: 'someone@example.com' }];
    const refused = applyRecordsPlan(plan(), records);
    expect('issues' in refused && refused.issues).toEqual([{ path: 'records/0/email', message: "unknown field; this model version's features are tenure, age, plan, account" }]);
    expect(applyRecordsPlan(plan(), records, { unknownFields: 'ignore' })).toEqual({ inputs: { features: [[31, 1, 4.5]], ids: [7] } });
  });

  it("takes a number for a categorical feature only when it is a category or a string category's position", () => {
    const result = applyRecordsPlan(plan(), [
      { age: 31, plan: 3, tenure: 1, account: 7 },
      { age: 31, plan: -1, tenure: 1, account: 7 },
    ]);
    expect('issues' in result && result.issues.map((issue) => issue.path)).toEqual(['records/0/plan', 'records/1/plan']);
  });

  it('names the record field that is missing, of the wrong type, or an unknown category', () => {
    const result = applyRecordsPlan(plan(), [{ age: '31', plan: 'gold', account: 1 }, 'row']);
    expect('issues' in result && result.issues).toEqual([
      { path: 'records/0/age', message: 'expected a number, got "31"' },
      { path: 'records/0/plan', message: 'expected one of "free", "pro", "team", got "gold"' },
      { path: 'records/0/tenure', message: 'missing feature tenure' },
      { path: 'records/1', message: 'must be an object of feature values' },
    ]);
  });

  it('cannot plan records when features leave a column or an input unnamed', () => {
    const result = recordsPlan(features.slice(0, 2), signature);
    expect('issues' in result && result.issues.map((issue) => issue.message)).toEqual([
      'no feature names column 1 of input features; send inputs instead',
      'no feature names a value of input ids, so records cannot fill it; send inputs instead',
    ]);
    expect('issues' in recordsPlan(undefined, signature)).toBe(true);
  });
});
