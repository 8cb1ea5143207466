import { describe, expect, it } from 'vitest';
import type { TrackingRun } from './model.ts';
import { applyBatch, deleteTag, updateRunInfo, validateBatch, validateKey } from './run-changes.ts';

const base: TrackingRun = {
  runId: 'r1',
  experimentId: '1',
  runName: 'r1',
  userId: 'u',
  status: 'RUNNING',
  startTime: 1,
  artifactUri: 's3://b/r1',
  lifecycleStage: 'active',
  params: {},
  tags: {},
  metrics: {},
};

describe('run changes', () => {
  it('keeps a param immutable: the same value again is fine, another value is refused', () => {
    const logged = applyBatch(base, { params: [{ key: 'lr', value: '0.1' }] });
    expect(applyBatch(logged, { params: [{ key: 'lr', value: '0.1' }] }).params).toEqual({ lr: '0.1' });
    expect(() => applyBatch(logged, { params: [{ key: 'lr', value: '0.2' }] })).toThrow(/Changing param values is not allowed/);
  });

  it('reports the latest point of a metric by step, then timestamp', () => {
    const logged = applyBatch(base, {
      metrics: [
        { key: 'loss', value: 0.5, timestamp: 10, step: 2 },
        { key: 'loss', value: 0.9, timestamp: 20, step: 1 },
      ],
    });
    expect(logged.metrics.loss).toEqual({ key: 'loss', value: 0.5, timestamp: 10, step: 2 });
  });

  it('refuses changes to a deleted run and deleting a tag it lacks', () => {
    expect(() => applyBatch({ ...base, lifecycleStage: 'deleted' }, { tags: [{ key: 't', value: 'v' }] })).toThrow(/must be in the 'active' state/);
    expect(() => deleteTag(base, 'missing')).toThrow(/No tag with name: missing/);
    expect(deleteTag({ ...base, tags: { a: '1', b: '2' } }, 'a').tags).toEqual({ b: '2' });
  });

  it('validates keys, values and batch limits as MLflow does', () => {
    expect(validateKey('metric', 'val/loss:1')).toBe('val/loss:1');
    expect(() => validateKey('metric', '../up')).toThrow(/Invalid metric name/);
    expect(() => validateBatch({ metrics: [{ key: 'a', value: 'x', timestamp: 1 }] })).toThrow(/invalid value/);
    expect(() => validateBatch({ metrics: [{ key: 'a', value: 1 }] })).toThrow(/timestamp/);
    expect(() => validateBatch({ params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: '1' })) })).toThrow(/limit is 100/);
    expect(validateBatch({ metrics: [{ key: 'a', value: 1, timestamp: 5 }] }).metrics).toEqual([{ key: 'a', value: 1, timestamp: 5, step: 0 }]);
  });

  it('finishes a run and keeps its name and the mlflow.runName tag as one', () => {
    const finished = updateRunInfo(base, { status: 'FINISHED', endTime: 9, runName: 'best' });
    expect(finished).toMatchObject({ status: 'FINISHED', endTime: 9, runName: 'best', tags: { 'mlflow.runName': 'best' } });
  });
});
