import { bucket, queues, tables } from '@flywheel/infra';

type TableName = keyof typeof tables;
type QueueName = keyof typeof queues;

/** Physical names of the stack's resources, as a deployed function sees them. */
export interface ResourceNames {
  tables: Record<TableName, string>;
  /** Queue URLs. */
  queues: Record<QueueName, string>;
  bucket: string;
}

export class MissingResourceError extends Error {
  override name = 'MissingResourceError';
}

/** Reads the names the deployment (SST) or the local stack put into the environment. */
export function resourceNamesFromEnv(env: Record<string, string | undefined> = process.env): ResourceNames {
  const read = (envVar: string) => {
    const value = env[envVar];
    if (!value) throw new MissingResourceError(`environment variable ${envVar} is not set; is the function deployed with its links?`);
    return value;
  };
  return {
    tables: mapValues(tables, (t) => read(t.envVar)),
    queues: mapValues(queues, (q) => read(q.envVar)),
    bucket: read(bucket.envVar),
  };
}

/** The environment that makes `resourceNamesFromEnv` return `names`. */
export function resourceNamesToEnv(names: ResourceNames): Record<string, string> {
  const env: Record<string, string> = { [bucket.envVar]: names.bucket };
  for (const [key, t] of Object.entries(tables)) env[t.envVar] = names.tables[key as TableName];
  for (const [key, q] of Object.entries(queues)) env[q.envVar] = names.queues[key as QueueName];
  return env;
}

function mapValues<K extends string, V, R>(record: Record<K, V>, fn: (value: V) => R): Record<K, R> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v as V)])) as Record<K, R>;
}
