import { describe, expect, it } from 'vitest';
import { parquetChunkRows, planRowGroupChunks } from './parquet.ts';

describe('Parquet inputs', () => {
  it('cuts row groups into chunks of consecutive rows, across small groups and within large ones', () => {
    const groups = [
      { rows: 2, start: 4, end: 100 },
      { rows: 3, start: 100, end: 200 },
      { rows: 7, start: 200, end: 300 },
    ];
    const { chunks, totalRows } = planRowGroupChunks(groups, 4);
    expect(totalRows).toBe(12);
    expect(chunks).toEqual([
      { index: 0, firstRow: 0, rows: 4, start: 4, end: 200 },
      { index: 1, firstRow: 4, rows: 4, start: 100, end: 300 },
      { index: 2, firstRow: 8, rows: 4, start: 200, end: 300 },
    ]);
    expect(planRowGroupChunks([], 4)).toEqual({ chunks: [], totalRows: 0 });
    expect(
      planRowGroupChunks(
        [
          { rows: 0, start: 4, end: 4 },
          { rows: 1, start: 4, end: 9 },
        ],
        4,
      ).chunks,
    ).toEqual([{ index: 0, firstRow: 0, rows: 1, start: 4, end: 9 }]);
  });

  it('brings typed cells to JSON values, nulls to missing values, and types them by the features', () => {
    const features = [
      { name: 'age', kind: 'numerical', input: 'x', index: 0 },
      { name: 'plan', kind: 'categorical', input: 'x', index: 1, categories: ['1', 'pro'] },
    ] as never;
    const rows = parquetChunkRows(
      [
        { key: 7n, age: 31n, plan: 1, seen: new Date('2026-12-03T00:00:00Z') },
        { key: 'b', age: null, plan: 'pro', seen: null },
        { key: 'c', age: '42', plan: 'pro' },
      ],
      { firstRow: 10, idField: 'key', features },
    );
    expect(rows).toEqual([
      { row: 10, id: '7', record: { age: 31, plan: '1', seen: '2026-12-03T00:00:00.000Z' } },
      { row: 11, id: 'b', record: { plan: 'pro' } },
      { row: 12, id: 'c', record: { age: 42, plan: 'pro' } },
    ]);
  });
});
