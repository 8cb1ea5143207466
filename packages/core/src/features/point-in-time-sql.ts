/**
 * The point-in-time join as one SQL statement that DuckDB (locally) and Athena/Trino (in AWS) both
 * run unchanged: plain joins and window functions over integer epoch milliseconds, no dialect's
 * ASOF JOIN or interval types.
 *
 * `rows` is a relation of the view's stored rows: `entity_id VARCHAR, event_time_ms BIGINT,
 * ingested_at_ms BIGINT, feature_values VARCHAR` (the values as JSON). `spine` is the asked-for
 * rows: `row_id INTEGER, entity_id VARCHAR, event_time_ms BIGINT`. The result has one row per
 * spine row, in `row_id` order: the values of the entity's latest row stamped at or before the
 * spine row's time (and within the ttl), or nulls.
 *
 * The same (entity, event_time) sent twice is one row: the later ingest wins (ties by the values,
 * so every engine picks the same one).
 */
export function pointInTimeJoinSql(relations: { rows: string; spine: string }, ttlSeconds: number | undefined): string {
  const ttl = ttlSeconds === undefined ? '' : `\n      AND f.event_time_ms >= s.event_time_ms - ${Math.trunc(ttlSeconds) * 1000}`;
  return `WITH deduplicated AS (
  SELECT entity_id, event_time_ms, feature_values FROM (
    SELECT entity_id, event_time_ms, feature_values,
      row_number() OVER (PARTITION BY entity_id, event_time_ms ORDER BY ingested_at_ms DESC, feature_values DESC) AS ingest_rank
    FROM ${relations.rows}
  ) ranked_ingests WHERE ingest_rank = 1
),
candidates AS (
  SELECT s.row_id, f.event_time_ms, f.feature_values,
    row_number() OVER (PARTITION BY s.row_id ORDER BY f.event_time_ms DESC) AS recency_rank
  FROM ${relations.spine} s
  JOIN deduplicated f
    ON f.entity_id = s.entity_id
      AND f.event_time_ms <= s.event_time_ms${ttl}
)
SELECT s.row_id, c.event_time_ms AS feature_event_time_ms, c.feature_values
FROM ${relations.spine} s
LEFT JOIN candidates c ON c.row_id = s.row_id AND c.recency_rank = 1
ORDER BY s.row_id`;
}
