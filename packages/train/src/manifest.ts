import { sha256Hex, type DatasetManifest } from '@flywheel/core';
import { classIndex, type Dataset, type Example } from './dataset.ts';
import { byTime, type TimeSplit } from './split.ts';

/** JSON with object keys sorted, so equal data always serialises to equal bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The dataset as NDJSON, one example per line in time order: what the manifest's sha256 is of. */
export function canonicalDatasetBytes(examples: readonly Example[]): Uint8Array {
  const lines = [...examples].sort(byTime).map((e) => canonicalJson({ key: e.key, time: e.time, features: e.features, label: e.label }));
  return new TextEncoder().encode(lines.map((line) => `${line}\n`).join(''));
}

export async function datasetManifest(dataset: Dataset, split: TimeSplit): Promise<DatasetManifest> {
  const summary = await datasetSummary({ ...dataset, examples: [...split.train, ...split.holdout] });
  return {
    sha256: summary.sha256,
    rows: summary.rows,
    trainRows: split.train.length,
    holdoutRows: split.holdout.length,
    timeRange: summary.timeRange,
    features: dataset.features.map((f) => f.name),
    labels: summary.labels,
  };
}

/** What a dataset is, before any split: its hash, size, time range and labels. */
export async function datasetSummary(dataset: Dataset): Promise<Pick<DatasetManifest, 'sha256' | 'rows' | 'timeRange' | 'labels'>> {
  const { examples } = dataset;
  const times = examples.map((e) => e.time).sort();
  return {
    sha256: await sha256Hex(canonicalDatasetBytes(examples)),
    rows: examples.length,
    timeRange: { from: times[0], to: times[times.length - 1] },
    labels: labelSummary(dataset, examples),
  };
}

function labelSummary(dataset: Dataset, examples: readonly Example[]): DatasetManifest['labels'] {
  if (dataset.task.type === 'regression') {
    const values = examples.map((e) => Number(e.label));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    return { kind: 'values', mean, std, min: Math.min(...values), max: Math.max(...values) };
  }
  const classes = dataset.task.classes ?? [];
  const counts: Record<string, number> = Object.fromEntries(classes.map((c) => [String(c), 0]));
  for (const e of examples) {
    const index = classIndex(classes, e.label);
    if (index >= 0) counts[String(classes[index])]++;
  }
  return { kind: 'classes', counts };
}
