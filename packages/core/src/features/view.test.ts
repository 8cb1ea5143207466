import { describe, expect, it } from 'vitest';
import { featureViewDefinitionSchema, nextFeatureViewRecord, type FeatureViewDefinition } from './view.ts';

const customers: FeatureViewDefinition = {
  entity: 'customer_id',
  features: [
    { name: 'spend', kind: 'numerical' },
    { name: 'tier', kind: 'categorical' },
  ],
};

describe('feature view definitions', () => {
  it('refuses features named like the entity key, the row time or each other, with the path of each', () => {
    const result = featureViewDefinitionSchema.safeParse({
      entity: 'customer_id',
      features: [
        { name: 'customer_id', kind: 'numerical' },
        { name: 'event_time', kind: 'numerical' },
        { name: 'spend', kind: 'numerical' },
        { name: 'spend', kind: 'categorical' },
        { name: '1st', kind: 'numerical' },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => [issue.path.join('/'), issue.message])).toEqual([
      ['features/4/name', expect.stringContaining('letters, digits')],
      ['features/0/name', 'is the entity key'],
      ['features/1/name', 'event_time is a column of every row'],
      ['features/3/name', 'feature spend is named twice'],
    ]);
    expect(featureViewDefinitionSchema.safeParse({ ...customers, ttlSeconds: 0 }).success).toBe(false);
    expect(featureViewDefinitionSchema.safeParse({ ...customers, colour: 'red' }).success).toBe(false);
  });

  it('counts versions from 1, keeps the creation time, and gives each version its own ETag', () => {
    const first = nextFeatureViewRecord('customers', undefined, customers, '2026-01-01T00:00:00.000Z', 'key-1');
    if (!('record' in first)) throw new Error('refused');
    expect(first.record).toMatchObject({ view: 'customers', version: 1, createdAt: '2026-01-01T00:00:00.000Z', actor: 'key-1' });
    const second = nextFeatureViewRecord('customers', first.record, { ...customers, ttlSeconds: 60 }, '2026-01-02T00:00:00.000Z');
    if (!('record' in second)) throw new Error('refused');
    expect(second.record).toMatchObject({ version: 2, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-02T00:00:00.000Z' });
    expect(second.record.etag).not.toBe(first.record.etag);
    // A view deleted and made again under the same name has other ETags.
    const again = nextFeatureViewRecord('customers', undefined, customers, '2026-02-01T00:00:00.000Z');
    expect('record' in again && again.record.etag).not.toBe(first.record.etag);
  });

  it('lets a change add features but not drop one, change its kind or change the entity key', () => {
    const first = nextFeatureViewRecord('customers', undefined, customers, '2026-01-01T00:00:00.000Z');
    if (!('record' in first)) throw new Error('refused');
    const added = nextFeatureViewRecord(
      'customers',
      first.record,
      { ...customers, features: [...customers.features, { name: 'visits', kind: 'numerical' }] },
      '2026-01-02T00:00:00.000Z',
    );
    expect('record' in added).toBe(true);
    const broken = nextFeatureViewRecord('customers', first.record, { entity: 'account', features: [{ name: 'spend', kind: 'categorical' }] }, '2026-01-02T00:00:00.000Z');
    expect('issues' in broken && broken.issues.map((issue) => issue.message)).toEqual([
      expect.stringContaining('keyed by customer_id'),
      expect.stringContaining('spend is numerical'),
      expect.stringContaining('tier is stored'),
    ]);
  });
});
