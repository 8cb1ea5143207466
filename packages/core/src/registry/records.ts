import { placeFeature, type Feature, type FieldIssue } from './metadata.ts';
import type { ModelSignature } from './signature.ts';

/** How records become input tensors for one model version; build once, apply per request. */
export interface RecordsPlan {
  readonly inputs: readonly InputPlan[];
  /** Every field a record may have: the model version's features. */
  readonly fields: ReadonlySet<string>;
}

interface InputPlan {
  readonly name: string;
  /** The feature of each column; a single entry without columns for a `[rows]` input. */
  readonly columns: readonly ColumnPlan[];
  readonly matrix: boolean;
}

interface ColumnPlan {
  readonly feature: string;
  readonly convert: (value: unknown) => unknown;
  readonly expected: string;
}

const MAX_ISSUES = 20;
const numericTypes = new Set(['FP16', 'FP32', 'FP64', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);
const invalid = Symbol('invalid');

/**
 * The plan for records-style requests, or why a model version cannot take them: it needs
 * features, and they must cover every input and, for a `[rows, columns]` input, every column.
 */
export function recordsPlan(features: readonly Feature[] | undefined, signature: ModelSignature): RecordsPlan | { issues: FieldIssue[] } {
  if (!features?.length) {
    return { issues: [{ path: 'records', message: 'this model version has no features to name record fields; send inputs instead' }] };
  }
  const issues: FieldIssue[] = [];
  const inputs: InputPlan[] = [];
  for (const spec of signature.inputs) {
    const placed = features.flatMap((feature) => {
      if (feature.input !== spec.name) return [];
      const place = placeFeature(feature, spec);
      return 'column' in place ? [{ feature, column: place.column }] : [];
    });
    if (placed.length === 0) {
      issues.push({ path: 'records', message: `no feature names a value of input ${spec.name}, so records cannot fill it; send inputs instead` });
      continue;
    }
    const matrix = placed[0].column !== undefined;
    const width = spec.shape?.length === 2 && spec.shape[1] !== -1 ? spec.shape[1] : Math.max(...placed.map((p) => (p.column ?? 0) + 1));
    const columns: ColumnPlan[] = [];
    const missing: number[] = [];
    for (let column = 0; column < (matrix ? width : 1); column++) {
      const found = placed.find((p) => (p.column ?? 0) === column);
      if (found) columns.push(columnPlan(found.feature, spec.datatype));
      else missing.push(column);
    }
    if (missing.length) {
      issues.push({ path: 'records', message: `no feature names column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of input ${spec.name}; send inputs instead` });
      continue;
    }
    inputs.push({ name: spec.name, columns, matrix });
  }
  return issues.length ? { issues } : { inputs, fields: new Set(features.map((feature) => feature.name)) };
}

/** `{input: nested rows}` for the records, or the fields that are missing or of the wrong type. */
export function applyRecordsPlan(
  plan: RecordsPlan,
  records: readonly unknown[],
  options: {
    unknownFields?: 'refuse' | 'ignore';
    /** Fields a record may carry besides the features (the entity keys of feature views it is filled from). */
    alsoAllowed?: ReadonlySet<string>;
  } = {},
): { inputs: Record<string, unknown[]> } | { issues: FieldIssue[] } {
  const refuseUnknown = options.unknownFields !== 'ignore';
  const issues: FieldIssue[] = [];
  const inputs: Record<string, unknown[]> = {};
  for (const input of plan.inputs) inputs[input.name] = new Array(records.length);
  for (let row = 0; row < records.length && issues.length < MAX_ISSUES; row++) {
    const record = records[row];
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      issues.push({ path: `records/${row}`, message: 'must be an object of feature values' });
      continue;
    }
    if (refuseUnknown)
      for (const field in record) {
        // A misspelt feature would otherwise be dropped and the real one reported missing, or worse, defaulted.
        if (!plan.fields.has(field) && !options.alsoAllowed?.has(field))
          issues.push({ path: `records/${row}/${field}`, message: `unknown field; this model version's features are ${[...plan.fields].slice(0, 10).join(', ')}` });
      }
    for (const input of plan.inputs) {
      const values = input.columns.map((column) => {
        const raw = (record as Record<string, unknown>)[column.feature];
        const value = raw === undefined || raw === null ? invalid : column.convert(raw);
        if (value === invalid) {
          const message = raw === undefined || raw === null ? `missing feature ${column.feature}` : `expected ${column.expected}, got ${preview(raw)}`;
          issues.push({ path: `records/${row}/${column.feature}`, message });
        }
        return value;
      });
      inputs[input.name][row] = input.matrix ? values : values[0];
    }
  }
  return issues.length ? { issues: issues.slice(0, MAX_ISSUES) } : { inputs };
}

function columnPlan(feature: Feature, datatype: string): ColumnPlan {
  const name = feature.name;
  if (datatype === 'BYTES') return { feature: name, expected: 'a string', convert: (v) => (typeof v === 'string' ? v : invalid) };
  if (datatype === 'BOOL') return { feature: name, expected: 'a boolean', convert: (v) => (typeof v === 'boolean' ? v : invalid) };
  if (!numericTypes.has(datatype)) return { feature: name, expected: 'a value', convert: (v) => v };
  // A categorical feature with string categories on a numeric input is fed as the category's position.
  const positions = new Map((feature.categories ?? []).flatMap((c, i) => (typeof c === 'string' ? [[c, i] as const] : [])));
  // A categorical feature takes its categories (a string one also by its position), not any number.
  const categories = feature.kind === 'categorical' && feature.categories?.length ? feature.categories : undefined;
  const isCategoryNumber = (v: number) => categories!.some((c, i) => c === v || (typeof c === 'string' && v === i));
  const wide = datatype === 'INT64' || datatype === 'UINT64';
  const expected = categories
    ? `one of ${categories
        .slice(0, 10)
        .map((c) => JSON.stringify(c))
        .join(', ')}${categories.length > 10 ? ', …' : ''}`
    : positions.size
      ? `a number or one of ${[...positions.keys()]
          .slice(0, 10)
          .map((c) => JSON.stringify(c))
          .join(', ')}`
      : 'a number';
  return {
    feature: name,
    expected,
    convert: (v) => {
      if (typeof v === 'number') return categories && !isCategoryNumber(v) ? invalid : v;
      if (typeof v !== 'string') return invalid;
      const position = positions.get(v);
      if (position !== undefined) return position;
      // 64-bit integers beyond 2^53 travel as decimal strings; the tensor codec checks the range.
      return wide && /^-?\d{1,20}$/.test(v) ? v : invalid;
    },
  };
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
