import type { Row } from '../drift/column-spec.ts';

/** A copy of `row` without the `fields`, and which of them it had; `row` itself is untouched. */
export function redactFields(row: Row, fields: ReadonlySet<string>): { row: Record<string, unknown>; removed: string[] } {
  const kept: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const key of Object.keys(row)) {
    if (fields.has(key)) removed.push(key);
    else kept[key] = row[key];
  }
  return { row: kept, removed };
}
