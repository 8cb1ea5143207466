import { describe, expect, it } from 'vitest';
import { metadataIssues, modelMetadataSchema } from './metadata.ts';
import type { ModelSignature } from './signature.ts';

const signature: ModelSignature = {
  inputs: [
    { name: 'features', datatype: 'FP32', shape: [-1, 3] },
    { name: 'plan', datatype: 'BYTES', shape: [-1] },
    { name: 'image', datatype: 'FP32', shape: [-1, 1, 6, 6] },
  ],
  outputs: [{ name: 'probs', datatype: 'FP32', shape: [-1, 2] }],
};

const issuesOf = (metadata: unknown) => metadataIssues(modelMetadataSchema.parse(metadata), signature);

describe('model metadata against the signature', () => {
  it('accepts features that name real inputs and columns, and a task on a real output', () => {
    expect(
      issuesOf({
        features: [
          { name: 'age', kind: 'numerical', input: 'features', index: 0 },
          { name: 'tenure', kind: 'numerical', input: 'features', index: 2 },
          { name: 'plan', kind: 'categorical', input: 'plan', categories: ['free', 'pro'] },
        ],
        task: { type: 'binary-classification', output: 'probs', classes: [0, 1] },
      }),
    ).toEqual([]);
  });

  it('names the field of each mismatch', () => {
    const issues = issuesOf({
      features: [
        { name: 'a', kind: 'numerical', input: 'nope' },
        { name: 'b', kind: 'numerical', input: 'features', index: 3 },
        { name: 'c', kind: 'numerical', input: 'features' },
        { name: 'd', kind: 'numerical', input: 'plan' },
        { name: 'e', kind: 'numerical', input: 'plan', index: 0 },
        { name: 'f', kind: 'numerical', input: 'image', index: 0 },
        { name: 'g', kind: 'numerical', input: 'features', index: 1 },
        { name: 'h', kind: 'categorical', input: 'features', index: 1 },
      ],
      task: { type: 'regression', output: 'score' },
    });
    expect(issues.map((issue) => issue.path)).toEqual([
      'features/0/input',
      'features/1/index',
      'features/2/index',
      'features/3/kind',
      'features/4/index',
      'features/5/input',
      'features/7/index',
      'task/output',
    ]);
    expect(issues[1].message).toMatch(/3 columns/);
    expect(issues[6].message).toMatch(/feature g already names features\[1\]/);
  });

  it('refuses repeated feature names and unknown fields in the schema', () => {
    const parsed = modelMetadataSchema.safeParse({
      features: [
        { name: 'a', kind: 'numerical', input: 'x', index: 0 },
        { name: 'a', kind: 'numerical', input: 'x', index: 1 },
      ],
      owner: 'me',
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((issue) => issue.path.join('/')).sort()).toEqual(['', 'features/1/name']);
  });
});
