import { compareValue, normalAttribute, parseFilter, parseSubject, type FilterClause } from './filter.ts';
import { invalidParameter, type LifecycleStage, type TrackingExperiment, type TrackingRun } from './model.ts';

/** MLflow's ViewType. */
export const viewTypes = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;
export type ViewType = (typeof viewTypes)[number];

export interface SearchRequest {
  readonly filter?: string;
  readonly orderBy?: readonly string[];
  readonly maxResults: number;
  readonly pageToken?: string;
  readonly viewType?: ViewType;
}

export interface SearchPage<T> {
  readonly items: T[];
  readonly nextPageToken?: string;
}

interface OrderKey {
  readonly entity: FilterClause['entity'];
  readonly key: string;
  readonly ascending: boolean;
}

type Value = string | number | undefined;

export function inView(stage: LifecycleStage, view: ViewType = 'ACTIVE_ONLY'): boolean {
  return view === 'ALL' || (view === 'ACTIVE_ONLY' ? stage === 'active' : stage === 'deleted');
}

/** What a run is filtered and ordered by. */
function runValue(run: TrackingRun, entity: FilterClause['entity'], key: string): Value {
  switch (entity) {
    case 'metric':
      return run.metrics[key]?.value;
    case 'param':
      return run.params[key];
    case 'tag':
      return run.tags[key];
    case 'attribute': {
      const name = normalAttribute(key);
      const attributes: Record<string, Value> = {
        run_id: run.runId,
        run_name: run.runName,
        status: run.status,
        user_id: run.userId,
        start_time: run.startTime,
        end_time: run.endTime,
        artifact_uri: run.artifactUri,
        lifecycle_stage: run.lifecycleStage,
      };
      if (!(name in attributes)) throw invalidParameter(`Invalid attribute key '${key}'; valid ones are ${Object.keys(attributes).join(', ')}.`);
      return attributes[name];
    }
    case 'dataset':
      return undefined;
  }
}

function runMatches(run: TrackingRun, clause: FilterClause): boolean {
  if (clause.entity === 'dataset') {
    if (!['name', 'digest', 'context'].includes(clause.key)) throw invalidParameter(`Invalid dataset key '${clause.key}'; valid ones are name, digest, context.`);
    return (run.datasets ?? []).some((dataset) => compareValue(dataset[clause.key as 'name' | 'digest' | 'context'], clause.comparator, clause.value));
  }
  return compareValue(runValue(run, clause.entity, clause.key), clause.comparator, clause.value);
}

const DEFAULT_RUN_ORDER: readonly OrderKey[] = [{ entity: 'attribute', key: 'start_time', ascending: false }];

/** MLflow's runs/search over the runs of the experiments asked for: filter, order (missing values last, then run id), page. */
export function searchRuns(runs: readonly TrackingRun[], request: SearchRequest): SearchPage<TrackingRun> {
  const clauses = parseFilter(request.filter);
  const order = [...(request.orderBy ?? []).map(parseOrderBy), ...DEFAULT_RUN_ORDER];
  const matched = runs.filter((run) => inView(run.lifecycleStage, request.viewType) && clauses.every((clause) => runMatches(run, clause)));
  matched.sort((a, b) => compareBy(order, (run, key) => runValue(run, key.entity, key.key), a, b) || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  return pageOf(matched, request.maxResults, request.pageToken);
}

function experimentValue(experiment: TrackingExperiment, entity: FilterClause['entity'], key: string): Value {
  if (entity === 'tag') return experiment.tags[key];
  if (entity !== 'attribute') throw invalidParameter(`Experiments are searched by attributes and tags, not by ${entity}s.`);
  const attributes: Record<string, Value> = {
    name: experiment.name,
    experiment_id: experiment.experimentId,
    creation_time: experiment.creationTime,
    last_update_time: experiment.lastUpdateTime,
  };
  const name = normalAttribute(key);
  if (!(name in attributes)) throw invalidParameter(`Invalid attribute key '${key}'; valid ones are ${Object.keys(attributes).join(', ')}.`);
  return attributes[name];
}

const DEFAULT_EXPERIMENT_ORDER: readonly OrderKey[] = [{ entity: 'attribute', key: 'creation_time', ascending: false }];

/** MLflow's experiments/search: `name LIKE 'x%'` or `attributes.name = 'x'`, `tags.t = 'v'`; ordered by name, experiment_id, creation_time or last_update_time. */
export function searchExperiments(experiments: readonly TrackingExperiment[], request: SearchRequest): SearchPage<TrackingExperiment> {
  const clauses = parseFilter(request.filter, { bareAttributes: ['name', 'creation_time', 'last_update_time'] });
  const order = [...(request.orderBy ?? []).map(parseOrderBy), ...DEFAULT_EXPERIMENT_ORDER];
  const matched = experiments.filter(
    (experiment) =>
      inView(experiment.lifecycleStage, request.viewType) &&
      clauses.every((clause) => compareValue(experimentValue(experiment, clause.entity, clause.key), clause.comparator, clause.value)),
  );
  matched.sort((a, b) => compareBy(order, (experiment, key) => experimentValue(experiment, key.entity, key.key), a, b) || Number(a.experimentId) - Number(b.experimentId));
  return pageOf(matched, request.maxResults, request.pageToken);
}

/** `metrics.rmse DESC`, `attributes.start_time`, `params."learning rate" ASC`, or a bare attribute (`start_time`). */
export function parseOrderBy(text: string): OrderKey {
  const match = /^\s*(.+?)(?:\s+(ASC|DESC))?\s*$/i.exec(text);
  if (!match) throw invalidParameter(`Invalid order_by clause '${text}'.`);
  const named = match[1]!;
  const subject = /^[A-Za-z_]\w*$/.test(named) ? { entity: 'attribute' as const, key: named } : parseSubject(named);
  return { ...subject, ascending: (match[2] ?? 'ASC').toUpperCase() === 'ASC' };
}

function compareBy<T>(order: readonly OrderKey[], value: (item: T, key: OrderKey) => Value, a: T, b: T): number {
  for (const key of order) {
    const x = value(a, key);
    const y = value(b, key);
    if (x === y) continue;
    // A run without the key sorts after every run with it, whichever the direction.
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    const cmp = x < y ? -1 : 1;
    return key.ascending ? cmp : -cmp;
  }
  return 0;
}

/** A page of ordered results; the token is an opaque offset, as MLflow's file store pages. */
export function pageOf<T>(items: readonly T[], maxResults: number, pageToken?: string): SearchPage<T> {
  const offset = pageToken ? decodePageToken(pageToken) : 0;
  const page = items.slice(offset, offset + maxResults);
  const end = offset + page.length;
  return { items: page, ...(end < items.length ? { nextPageToken: encodePageToken(end) } : {}) };
}

export function encodePageToken(offset: number): string {
  return btoa(JSON.stringify({ offset }));
}

export function decodePageToken(token: string): number {
  let offset: unknown;
  try {
    offset = (JSON.parse(atob(token)) as { offset?: unknown }).offset;
  } catch {
    offset = undefined;
  }
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw invalidParameter(`Invalid page token '${token.slice(0, 100)}'.`);
  return offset;
}
