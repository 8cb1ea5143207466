import { describe, expect, it } from 'vitest';
import { parseChunkRows } from './rows.ts';

describe('parseChunkRows', () => {
  it("numbers NDJSON rows from the chunk's first row and reports lines that are not records, without failing the rest", () => {
    const rows = parseChunkRows('{"id":"a","x":1}\nnot json\n[1,2]\n{"id":7,"x":2}\n', { format: 'ndjson', firstRow: 10, idField: 'id' });
    expect(rows).toEqual([
      { row: 10, id: 'a', record: { x: 1 } },
      { row: 11, error: 'not valid JSON' },
      { row: 12, error: 'must be a JSON object of feature values' },
      { row: 13, id: '7', record: { x: 2 } },
    ]);
  });

  it('types CSV cells by the features: numbers for numerical ones, categories as given, empty cells missing', () => {
    const features = [
      { name: 'age', kind: 'numerical' as const, input: 'x', index: 0 },
      { name: 'plan', kind: 'categorical' as const, input: 'x', index: 1, categories: ['1', 'pro'] },
      { name: 'tier', kind: 'categorical' as const, input: 'x', index: 2, categories: [1, 2] },
    ];
    const header = ['age', 'plan', 'tier', 'comment'];
    const rows = parseChunkRows('31,1,2,hi\n,pro,x,\nabc,pro,1\n', { format: 'csv', firstRow: 0, header, features });
    expect(rows).toEqual([
      { row: 0, record: { age: 31, plan: '1', tier: 2, comment: 'hi' } },
      { row: 1, record: { plan: 'pro', tier: 'x' } },
      { row: 2, error: 'has 3 fields; the header has 4' },
    ]);
    // A cell that is not a number stays text, for the records plan to refuse with its reason.
    expect(parseChunkRows('abc,pro,1,\n', { format: 'csv', firstRow: 0, header, features })[0]).toEqual({ row: 0, record: { age: 'abc', plan: 'pro', tier: 1 } });
  });
});
