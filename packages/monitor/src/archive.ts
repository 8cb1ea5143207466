import { bucket } from '@flywheel/infra';
import type { PredictionLogRecord } from '@flywheel/core';

/**
 * `logs/endpoint=<e>/date=<yyyy-mm-dd>/hour=<hh>/<batchId>.ndjson.gz`: Hive-style partitions, so
 * Athena, Spark or the trainer can prune by endpoint and time. Named by batch id, not SQS message
 * id: a batch re-sent or redelivered overwrites its own object instead of duplicating rows.
 */
export function archiveKey(endpoint: string, time: string, batchId: string): string {
  // Record times are validated ISO 8601 UTC: date and hour are fixed positions.
  return `${bucket.prefixes.logs}endpoint=${encodeURIComponent(endpoint)}/date=${time.slice(0, 10)}/hour=${time.slice(11, 13)}/${batchId}.ndjson.gz`;
}

/** A batch's record lines grouped into archive objects, one per endpoint and hour. */
export function archiveGroups(batchId: string, records: readonly PredictionLogRecord[], lines: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  let lastPrefix = '';
  let lastGroup: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const { endpoint, time } = records[i];
    // Consecutive records mostly share endpoint and hour; skip the key building for them.
    const prefix = `${endpoint}\u0000${time.slice(0, 13)}`;
    if (prefix !== lastPrefix) {
      const key = archiveKey(endpoint, time, batchId);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      lastPrefix = prefix;
      lastGroup = group;
    }
    lastGroup.push(lines[i]);
  }
  return groups;
}
