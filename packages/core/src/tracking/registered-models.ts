import { compareValue, normalAttribute, parseFilter, type FilterClause } from './filter.ts';
import { invalidParameter } from './model.ts';

/**
 * What MLflow keeps about a registered model beyond its versions. In Flywheel a model exists once
 * it has a version; this record lets an MLflow client create one first, as it does.
 */
export interface RegisteredModelRecord {
  readonly name: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Epoch milliseconds. */
  readonly creationTime: number;
}

export interface RegisteredModelStore {
  /** Stores the record unless one with its name exists; false then. */
  create(record: RegisteredModelRecord): Promise<boolean>;
  get(name: string): Promise<RegisteredModelRecord | undefined>;
  list(): Promise<RegisteredModelRecord[]>;
}

function registryClauses(filter: string | undefined, attributes: readonly string[]): FilterClause[] {
  const clauses = parseFilter(filter, { bareAttributes: attributes });
  for (const clause of clauses) {
    if (clause.entity !== 'attribute' && clause.entity !== 'tag')
      throw invalidParameter(`Registry searches filter on ${attributes.join(', ')} and tags, not on ${clause.entity}s.`);
    if (clause.entity === 'attribute' && !attributes.includes(normalAttribute(clause.key)))
      throw invalidParameter(`Invalid attribute key '${clause.key}'; valid ones are ${attributes.join(', ')}.`);
  }
  return clauses;
}

/** Whether an entity with these attributes and tags passes a registry filter (`name LIKE 'churn%'`, `run_id = '…'`, `tags.team = 'risk'`). */
export function registryFilter(
  filter: string | undefined,
  attributes: readonly string[],
): (values: Readonly<Record<string, string | undefined>>, tags: Readonly<Record<string, string>>) => boolean {
  const clauses = registryClauses(filter, attributes);
  return (values, tags) =>
    clauses.every((clause) => compareValue(clause.entity === 'tag' ? tags[clause.key] : values[normalAttribute(clause.key)], clause.comparator, clause.value));
}
