/** The tables a point-in-time join reads, as the engine names them. */
export interface PointInTimeTables {
  /**
   * Every view's stored rows, partitioned Hive-style by `view` and `date` (yyyy-mm-dd, the rows'
   * event date): `entity_id VARCHAR, event_time_ms BIGINT, ingested_at_ms BIGINT, feature_values
   * VARCHAR` (the values as JSON), then the partition columns.
   */
  rows: string;
  /** The asked-for rows of every join, partitioned by `spine`: `row_id INTEGER, entity_id VARCHAR, event_time_ms BIGINT`. */
  spines: string;
}

/** One historical join: which view's rows, which partitions can answer, which spine, and the ttl. */
export interface PointInTimeQuery {
  view: string;
  /** The event dates that can hold an answer: none after the latest asked-for day, none before the ttl reaches (no lower bound without a ttl). */
  dates: { from: string | undefined; to: string };
  spine: string;
  ttlSeconds: number | undefined;
}

/**
 * The point-in-time join as one SQL statement that DuckDB (locally) and Athena/Trino (in AWS) both
 * run unchanged, over the same table layout (the Glue tables of infra/feature-catalog.ts; local
 * views over the same files): plain joins and window functions over integer epoch milliseconds,
 * no dialect's ASOF JOIN or interval types, partitions chosen by equality and range on their
 * columns (Athena's partition projection needs `view` and `spine` as equalities).
 *
 * The result has one row per spine row, in `row_id` order: the values of the entity's latest row
 * stamped at or before the spine row's time (and within the ttl), or nulls. The same
 * (entity, event_time) sent twice is one row: the later ingest wins (ties by the values, so every
 * engine picks the same one).
 */
export function pointInTimeJoinSql(tables: PointInTimeTables, query: PointInTimeQuery): string {
  const dates = query.dates.from === undefined ? `"date" <= ${literal(query.dates.to)}` : `"date" BETWEEN ${literal(query.dates.from)} AND ${literal(query.dates.to)}`;
  const ttl = query.ttlSeconds === undefined ? '' : `\n      AND f.event_time_ms >= s.event_time_ms - ${Math.trunc(query.ttlSeconds) * 1000}`;
  return `WITH spine AS (
  SELECT row_id, entity_id, event_time_ms FROM ${tables.spines} WHERE "spine" = ${literal(query.spine)}
),
deduplicated AS (
  SELECT entity_id, event_time_ms, feature_values FROM (
    SELECT entity_id, event_time_ms, feature_values,
      row_number() OVER (PARTITION BY entity_id, event_time_ms ORDER BY ingested_at_ms DESC, feature_values DESC) AS ingest_rank
    FROM ${tables.rows}
    WHERE "view" = ${literal(query.view)} AND ${dates}
  ) ranked_ingests WHERE ingest_rank = 1
),
candidates AS (
  SELECT s.row_id, f.event_time_ms, f.feature_values,
    row_number() OVER (PARTITION BY s.row_id ORDER BY f.event_time_ms DESC) AS recency_rank
  FROM spine s
  JOIN deduplicated f
    ON f.entity_id = s.entity_id
      AND f.event_time_ms <= s.event_time_ms${ttl}
)
SELECT s.row_id, c.event_time_ms AS feature_event_time_ms, c.feature_values
FROM spine s
LEFT JOIN candidates c ON c.row_id = s.row_id AND c.recency_rank = 1
ORDER BY s.row_id`;
}

/** A SQL string literal (both dialects double a quote inside one). */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
