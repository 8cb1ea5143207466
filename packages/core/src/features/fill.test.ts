import { describe, expect, it } from 'vitest';
import type { Feature } from '../registry/metadata.ts';
import { entitiesToLookUp, fillFromView, viewNeeds } from './fill.ts';

const features: Feature[] = [
  { name: 'age', kind: 'numerical', input: 'x', index: 0 },
  { name: 'spend', kind: 'numerical', input: 'x', index: 1, view: 'customers' },
  { name: 'visits', kind: 'numerical', input: 'x', index: 2, view: 'customers' },
  { name: 'region_risk', kind: 'numerical', input: 'x', index: 3, view: 'regions' },
];

describe('filling records from feature views', () => {
  it("groups a version's view-backed features by view", () => {
    expect(viewNeeds(features)).toEqual([
      { view: 'customers', features: ['spend', 'visits'] },
      { view: 'regions', features: ['region_risk'] },
    ]);
    expect(viewNeeds(undefined)).toEqual([]);
  });

  it('looks up only entities of records that leave a feature out, fills only what they leave out, and changes no record', () => {
    const need = viewNeeds(features)[0];
    const records = [
      { customer_id: 'c1', age: 30 },
      { customer_id: 'c2', age: 40, spend: 5 },
      { customer_id: 'c3', age: 50, spend: 1, visits: 2 },
      { age: 60 },
      { customer_id: 'c1', age: 31, visits: null },
    ];
    expect(entitiesToLookUp(records, 'customer_id', need)).toEqual(['c1', 'c2']);
    const found = new Map([
      ['c1', { spend: 10, visits: 1 }],
      ['c2', { spend: 20, visits: null }],
    ]);
    const filled = fillFromView(records, 'customer_id', need, found);
    expect(filled).toEqual([
      { customer_id: 'c1', age: 30, spend: 10, visits: 1 },
      { customer_id: 'c2', age: 40, spend: 5, visits: null },
      { customer_id: 'c3', age: 50, spend: 1, visits: 2 },
      { age: 60 },
      { customer_id: 'c1', age: 31, spend: 10, visits: 1 },
    ]);
    expect(records[0]).toEqual({ customer_id: 'c1', age: 30 });
    expect(filled[2]).toBe(records[2]);
  });
});
