import { join } from 'node:path';
// A recording stand-in for SST's globals: sst.config.ts runs against it, and every component and
// resource it declares is recorded with its arguments. Outputs are references (`Api.url`,
// `aws.getRegionOutput().region`), and `apply`/`$resolve` record their callbacks, so a test can
// resolve them with the names it provisioned and get what SST would have computed.

export class Ref {
  constructor(readonly ref: string) {}
  apply(fn: (value: unknown) => unknown): Applied {
    return applied([this], (values) => fn(values[0]));
  }
}

export class Applied {
  constructor(
    readonly inputs: unknown[],
    readonly fn: (values: unknown[]) => unknown,
  ) {}
  apply(fn: (value: unknown) => unknown): Applied {
    return applied([this], (values) => fn(values[0]));
  }
}

/** A callback's result, whose properties are outputs too (Pulumi lifts them): `built.handler`. */
function applied(inputs: unknown[], fn: (values: unknown[]) => unknown): Applied {
  return new Proxy(new Applied(inputs, fn), {
    get(target, property, receiver) {
      if (typeof property !== 'string' || property in target) return Reflect.get(target, property, receiver);
      return target.apply((value) => (value as Record<string, unknown>)[property]);
    },
  });
}

export class Interpolated {
  constructor(
    readonly strings: readonly string[],
    readonly values: unknown[],
  ) {}
}

export interface Declared {
  /** `sst.aws.Function`, `aws.lambda.Function`, … */
  kind: string;
  name: string;
  args: Record<string, any>;
  opts?: Record<string, any>;
  /** Calls of the component's methods (`subscribe`, …) with their arguments. */
  calls: Array<{ method: string; args: unknown[] }>;
}

export interface Recording {
  declared: Declared[];
  /** The declarations of one kind, by name. */
  byKind(kind: string): Map<string, Declared>;
  find(kind: string, name: string): Declared;
}

const outputMethods = new Set(['apply']);

function component(kind: string, declared: Declared[]) {
  return function Component(this: unknown, name: string, args: Record<string, any> = {}, opts?: Record<string, any>) {
    const record: Declared = { kind, name, args, opts, calls: [] };
    declared.push(record);
    return new Proxy(
      {},
      {
        get(_, property) {
          if (typeof property !== 'string') return undefined;
          if (property === 'record') return record;
          if (outputMethods.has(property)) return (fn: (value: unknown) => unknown) => new Ref(name).apply(fn);
          if (property === 'subscribe' || property === 'addEnvironment') {
            return (...callArgs: unknown[]) => {
              record.calls.push({ method: property, args: callArgs });
              return new Ref(`${name}.${property}()`);
            };
          }
          return liftedRef(`${name}.${property}`);
        },
      },
    );
  };
}

/** A reference whose properties are references too (`Dlq.nodes.queue.name`). */
function liftedRef(path: string): Ref {
  const ref = new Ref(path);
  return new Proxy(ref, {
    get(target, property, receiver) {
      if (typeof property !== 'string' || property in target) return Reflect.get(target, property, receiver);
      return liftedRef(`${path}.${property}`);
    },
  });
}

/** `aws.lambda.Function` is a constructor, `aws.getRegionOutput` a function, `aws.lambda` a namespace. */
function namespace(path: string, declared: Declared[]): unknown {
  const construct = component(path, declared);
  // biome-ignore lint/complexity/useArrowFunction: the target must be constructible for `new` through the proxy
  return new Proxy(function () {}, {
    get(_, property) {
      if (typeof property !== 'string') return undefined;
      return namespace(`${path}.${property}`, declared);
    },
    construct(_, args) {
      return (construct as unknown as (...a: unknown[]) => object).apply(undefined, args as never);
    },
    apply() {
      return liftedRef(`${path}()`);
    },
  });
}

export function installRecordingSst(paths: { root: string; work: string }): Recording {
  const declared: Declared[] = [];
  const resolveAll = (inputs: unknown) => applied(Array.isArray(inputs) ? inputs : [inputs], (values) => values);
  Object.assign(globalThis, {
    $config: (config: unknown) => config,
    $jsonStringify: (value: unknown) => applied([value], (values) => JSON.stringify(values[0])),
    $resolve: (inputs: unknown[]) => resolveAll(inputs),
    $interpolate: (strings: TemplateStringsArray, ...values: unknown[]) => new Interpolated([...strings], values),
    $util: {
      asset: {
        FileArchive: class FileArchive {
          constructor(readonly path: string) {}
        },
      },
    },
    $cli: { paths: { root: paths.root, work: paths.work, home: paths.work, platform: paths.work } },
    sst: namespace('sst', declared),
    aws: namespace('aws', declared),
  });
  const byKind = (kind: string) => new Map(declared.filter((d) => d.kind === kind).map((d) => [d.name, d]));
  return {
    declared,
    byKind,
    find(kind, name) {
      const found = declared.filter((d) => d.kind === kind && d.name === name);
      if (found.length !== 1) throw new Error(`${found.length} declarations of ${kind} ${name}`);
      return found[0];
    },
  };
}

/**
 * What SST would compute for recorded values, given what each reference stands for: outputs
 * resolved, callbacks run (which may build a package; each callback runs once), templates filled in.
 */
export function recordedResolver(lookup: (ref: string) => unknown): (value: unknown) => Promise<unknown> {
  const computed = new WeakMap<Applied, Promise<unknown>>();
  const resolve = async (value: unknown): Promise<unknown> => {
    if (value instanceof Ref) {
      const found = lookup(value.ref);
      if (found === undefined) throw new Error(`nothing stands for ${value.ref}`);
      return found;
    }
    if (value instanceof Applied) {
      const key = value;
      if (!computed.has(key)) {
        computed.set(
          key,
          (async () => {
            const inputs: unknown[] = [];
            for (const input of key.inputs) inputs.push(await resolve(input));
            return resolve(await key.fn(inputs));
          })(),
        );
      }
      return computed.get(key);
    }
    if (value instanceof Interpolated) {
      let text = value.strings[0];
      for (let i = 0; i < value.values.length; i++) text += String(await resolve(value.values[i])) + value.strings[i + 1];
      return text;
    }
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const item of value) out.push(await resolve(item));
      return out;
    }
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = await resolve(item);
      return out;
    }
    return value;
  };
  return resolve;
}

/** Runs sst.config.ts against the recording stand-in, with `env` set as the deploy-time environment. */
export async function recordConfig(
  env: Record<string, string | undefined> = {},
  paths: { work?: string } = {},
): Promise<{
  app: (input: { stage: string }) => unknown;
  recording: Recording;
  outputs: Record<string, unknown>;
}> {
  const root = join(import.meta.dirname, '..', '..', '..');
  const recording = installRecordingSst({ root, work: paths.work ?? join(root, '.sst') });
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    // Not a literal specifier, so the project's type-check does not follow it (sst.config.ts is
    // checked against SST's types instead, in infra/sst-types.test.ts).
    const configPath = join(root, 'sst.config.ts');
    const config = (await import(configPath)).default;
    return { app: (input) => config.app(input), recording, outputs: await config.run() };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
