import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BatchInputError, planChunks } from './plan.ts';
import { parseChunkRows } from './rows.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const rangeOf = (text: string, chunk: { start: number; end: number }) => new TextDecoder().decode(bytes(text).subarray(chunk.start, chunk.end));

describe('planChunks', () => {
  it('cuts NDJSON into chunks of whole lines, not counting blank lines, the last one shorter', () => {
    const text = '{"a":1}\n\n{"a":2}\r\n{"a":3}\n   \n{"a":4}\n{"a":5}';
    const plan = planChunks(bytes(text), 'ndjson', 2);
    expect(plan.totalRows).toBe(5);
    expect(plan.chunks.map((c) => [c.index, c.firstRow, c.rows])).toEqual([
      [0, 0, 2],
      [1, 2, 2],
      [2, 4, 1],
    ]);
    expect(plan.chunks.map((c) => rangeOf(text, c))).toEqual(['{"a":1}\n\n{"a":2}\r\n', '{"a":3}\n   \n{"a":4}\n', '{"a":5}']);
  });

  it('reads the CSV header, keeps it out of every range, and never cuts inside a quoted field', () => {
    const text = '\uFEFFname,"note"\nx,"one\ntwo"\ny,"a ""quoted"", comma"\nz,plain\n';
    const plan = planChunks(bytes(text), 'csv', 2);
    expect(plan.header).toEqual(['name', 'note']);
    expect(plan.totalRows).toBe(3);
    const rows = plan.chunks.flatMap((c) => parseChunkRows(rangeOf(text, c), { format: 'csv', firstRow: c.firstRow, header: plan.header }));
    expect(rows).toEqual([
      { row: 0, record: { name: 'x', note: 'one\ntwo' } },
      { row: 1, record: { name: 'y', note: 'a "quoted", comma' } },
      { row: 2, record: { name: 'z', note: 'plain' } },
    ]);
  });

  it('plans an empty input as no chunks, and refuses CSV without a header or with an open quote', () => {
    expect(planChunks(bytes('\n\n'), 'ndjson', 10)).toEqual({ chunks: [], totalRows: 0 });
    expect(() => planChunks(bytes(''), 'csv', 10)).toThrow(BatchInputError);
    expect(() => planChunks(bytes('a,b\n1,"2\n'), 'csv', 10)).toThrow(/inside a quoted field/);
    expect(() => planChunks(bytes('a,a\n1,2\n'), 'csv', 10)).toThrow(/twice/);
  });

  it('gives every row to exactly one chunk, in order, whatever the chunk size (property)', () => {
    const row = fc.oneof(fc.record({ v: fc.integer(), s: fc.string() }), fc.constant(null));
    fc.assert(
      fc.property(fc.array(row, { maxLength: 60 }), fc.integer({ min: 1, max: 13 }), (rows, size) => {
        // null stands for a blank line, which is not a row.
        const text = rows.map((r) => (r === null ? '' : JSON.stringify(r))).join('\n');
        const plan = planChunks(bytes(text), 'ndjson', size);
        const parsed = plan.chunks.flatMap((c) => parseChunkRows(rangeOf(text, c), { format: 'ndjson', firstRow: c.firstRow }));
        const expected = rows.filter((r) => r !== null);
        expect(parsed.map((p) => ('record' in p ? p.record : p))).toEqual(expected);
        expect(parsed.map((p) => p.row)).toEqual(expected.map((_, i) => i));
        expect(plan.chunks.every((c) => c.rows <= size && c.rows > 0)).toBe(true);
      }),
    );
  });
});
