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

/**
 * Reads the names the deployment (SST) or the local stack put into the environment. Each name is
 * read when it is first used, not up front: a deployed function is given only the names of what
 * infra/functions.ts grants it, so reading the others would fail a function that never uses them.
 */
export function resourceNamesFromEnv(env: Record<string, string | undefined> = process.env): ResourceNames {
  const read = (envVar: string) => {
    const value = env[envVar];
    if (!value) throw new MissingResourceError(`environment variable ${envVar} is not set; is the function deployed with its links?`);
    return value;
  };
  const names = {
    tables: lazyRecord(tables, (t) => read(t.envVar)),
    queues: lazyRecord(queues, (q) => read(q.envVar)),
  } as ResourceNames;
  Object.defineProperty(names, 'bucket', { enumerable: true, get: () => read(bucket.envVar) });
  return names;
}

/** The environment that makes `resourceNamesFromEnv` return `names`. */
export function resourceNamesToEnv(names: ResourceNames): Record<string, string> {
  const env: Record<string, string> = { [bucket.envVar]: names.bucket };
  for (const [key, t] of Object.entries(tables)) env[t.envVar] = names.tables[key as TableName];
  for (const [key, q] of Object.entries(queues)) env[q.envVar] = names.queues[key as QueueName];
  return env;
}

function lazyRecord<K extends string, V>(record: Record<K, V>, read: (value: V) => string): Record<K, string> {
  const lazy = {} as Record<K, string>;
  for (const [key, value] of Object.entries(record) as Array<[K, V]>) {
    Object.defineProperty(lazy, key, { enumerable: true, get: () => read(value) });
  }
  return lazy;
}
