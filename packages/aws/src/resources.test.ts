import { describe, expect, it } from 'vitest';
import { bucket, queues, tables } from '@flywheel/infra';
import { MissingResourceError, resourceNamesFromEnv, resourceNamesToEnv } from './resources.ts';

describe('resourceNamesFromEnv', () => {
  it('reads only the names that are used, so a function given some of them works', () => {
    const names = resourceNamesFromEnv({ [tables.registry.envVar]: 'flywheel-prod-Registry', [queues.events.envVar]: 'https://sqs.example/events' });
    expect(names.tables.registry).toBe('flywheel-prod-Registry');
    expect(names.queues.events).toBe('https://sqs.example/events');
    expect(() => names.queues.predictionLogs).toThrow(MissingResourceError);
    expect(() => names.queues.predictionLogs).toThrow(queues.predictionLogs.envVar);
    expect(() => names.bucket).toThrow(bucket.envVar);
  });

  it('reads what resourceNamesToEnv wrote, every name of the stack', () => {
    const written = {
      tables: { registry: 'r', monitoring: 'm', operations: 'o', features: 'f', tracking: 't' },
      queues: { predictionLogs: 'q1', events: 'q2', trainJobs: 'q3', batchChunks: 'q4', erasures: 'q5' },
      bucket: 'b',
    };
    const read = resourceNamesFromEnv(resourceNamesToEnv(written));
    expect({ tables: { ...read.tables }, queues: { ...read.queues }, bucket: read.bucket }).toEqual(written);
  });
});
