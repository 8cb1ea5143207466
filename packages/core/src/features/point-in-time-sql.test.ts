import sqlParser from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { pointInTimeJoinSql } from './point-in-time-sql.ts';

// node-sql-parser's Trino and Athena grammars (written by others, from those dialects) stand in for
// Athena's own parser, which nothing here can run. DuckDB runs the same statement in
// test/feature-store.test.ts; this shows that it is also SQL Athena's engine reads.
const parser = new sqlParser.Parser();
const tables = { rows: 'feature_rows', spines: 'feature_spines' };

describe('the point-in-time join SQL', () => {
  const statements = {
    'with a ttl': pointInTimeJoinSql(tables, {
      view: 'customers',
      dates: { from: '2026-01-01', to: '2026-02-01' },
      spine: '0b7c9a52-3f1e-4c8e-9a77-1f0e8d5b2c11',
      ttlSeconds: 86_400,
    }),
    'without a ttl': pointInTimeJoinSql(tables, { view: "o'views", dates: { from: undefined, to: '2026-02-01' }, spine: 'local', ttlSeconds: undefined }),
  };

  it.each(Object.entries(statements))('parses as Trino and as Athena SQL (%s), reading only the two Glue tables', (_, sql) => {
    for (const database of ['trino', 'athena']) {
      expect(() => parser.astify(sql, { database })).not.toThrow();
      const read = parser.tableList(sql, { database }).map((entry) => entry.split('::')[2]);
      expect(read.filter((name) => !['spine', 'deduplicated', 'candidates'].includes(name)).sort()).toEqual(['feature_rows', 'feature_spines']);
    }
  });

  it('chooses partitions by equality on view and spine (Athena projection needs them) and a date range', () => {
    const sql = statements['with a ttl'];
    expect(sql).toContain(`"spine" = '0b7c9a52-3f1e-4c8e-9a77-1f0e8d5b2c11'`);
    expect(sql).toContain(`"view" = 'customers' AND "date" BETWEEN '2026-01-01' AND '2026-02-01'`);
    expect(sql).toContain('f.event_time_ms >= s.event_time_ms - 86400000');
    expect(statements['without a ttl']).toContain(`"view" = 'o''views' AND "date" <= '2026-02-01'`);
  });

  it('is a check that can fail: the same grammar refuses DuckDB-only forms a join could have used', () => {
    for (const duckdbOnly of [
      'SELECT s.row_id FROM spine s ASOF JOIN feature_rows f ON f.entity_id = s.entity_id AND f.event_time_ms <= s.event_time_ms',
      'SELECT * FROM feature_rows QUALIFY row_number() OVER (PARTITION BY entity_id) = 1',
    ]) {
      expect(() => parser.astify(duckdbOnly, { database: 'trino' })).toThrow();
    }
  });
});
