// Several requests' rows as one run: joining their feeds along the first dimension, cutting the
// outputs back into each request's rows, and telling at load whether a model allows it.
import { Tensor, type InferenceSession } from 'onnxruntime-common';
import type { InferenceBackend } from '../backend.ts';
import { elementTypeOf, type ElementType } from '../dtypes.ts';
import { parseElements, type TensorData } from '../elements.ts';
import type { Signature, TensorSpec } from '../signature.ts';
import { inTurnOf } from '../turns.ts';

export type Feeds = Record<string, Tensor>;
export type Results = Record<string, Tensor>;

/** Most rows one joined run carries. */
export const MAX_BATCH_ROWS = 256;

/**
 * The precondition of joining rows: every input and output leaves its first dimension open, and
 * every output fixes the others — an output whose width could follow the batch's contents (padded
 * to its longest item, say) would give a joined request another shape than a lone one.
 */
export function isJoinableSignature(signature: Signature): boolean {
  const batched = (spec: TensorSpec) => spec.shape !== null && spec.shape.length > 0 && spec.shape[0] === -1;
  const fixedRow = (spec: TensorSpec) => batched(spec) && spec.shape!.slice(1).every((dim) => dim >= 0);
  return signature.inputs.every(batched) && signature.outputs.every(fixedRow);
}

/**
 * The rows of a request when it can join others: every feed has the same first dimension.
 * Undefined when it cannot (feeds disagree, or a scalar feed).
 */
export function feedRows(feeds: Feeds): number | undefined {
  let rows: number | undefined;
  for (const name in feeds) {
    const first = feeds[name].dims[0];
    if (first === undefined || (rows !== undefined && first !== rows)) return undefined;
    rows = first;
  }
  return rows;
}

/**
 * Requests with equal keys can be joined: same inputs, element types and dimensions past the
 * first, same outputs. Feeds are keyed in name order, whatever order a request gave them in.
 */
export function joinKey(feeds: Feeds, outputNames: readonly string[]): string {
  let key = outputNames.join(',');
  for (const name of Object.keys(feeds).sort()) key += `|${name}:${feeds[name].type}:${feeds[name].dims.slice(1).join('x')}`;
  return key;
}

/** The feeds of several requests (equal join keys) as one set of feeds, rows in order. */
export function joinFeeds(parts: readonly Feeds[]): Feeds {
  const joined: Feeds = {};
  for (const name in parts[0]) {
    const tensors = parts.map((feeds) => feeds[name]);
    const first = tensors[0];
    const rows = tensors.reduce((sum, tensor) => sum + tensor.dims[0], 0);
    joined[name] = new Tensor(first.type as ElementType, concatData(tensors.map((tensor) => tensor.data as TensorData)), [rows, ...first.dims.slice(1)]);
  }
  return joined;
}

function concatData(parts: readonly TensorData[]): TensorData {
  if (Array.isArray(parts[0])) return (parts as string[][]).flat();
  const typed = parts as Exclude<TensorData, string[]>[];
  const length = typed.reduce((sum, part) => sum + part.length, 0);
  const out = new (typed[0].constructor as new (length: number) => Exclude<TensorData, string[]>)(length);
  let offset = 0;
  for (const part of typed) {
    (out as Uint8Array).set(part as Uint8Array, offset);
    offset += part.length;
  }
  return out;
}

/**
 * A joined run's outputs cut into each request's rows. Throws when an output's first dimension is
 * not the joined row count, so the caller runs the requests one by one instead.
 */
export function splitResults(results: Results, rowsPerPart: readonly number[]): Results[] {
  const total = rowsPerPart.reduce((sum, rows) => sum + rows, 0);
  const parts: Results[] = rowsPerPart.map(() => ({}));
  for (const name in results) {
    const tensor = results[name];
    if (tensor.dims[0] !== total) throw new Error(`output ${name} has ${tensor.dims[0]} rows for ${total} joined`);
    const data = tensor.data as TensorData;
    const perRow = total === 0 ? 0 : data.length / total;
    let row = 0;
    rowsPerPart.forEach((rows, part) => {
      const start = row * perRow;
      const end = (row + rows) * perRow;
      const slice = Array.isArray(data) ? data.slice(start, end) : data.subarray(start, end);
      parts[part][name] = new Tensor(tensor.type as ElementType, slice, [rows, ...tensor.dims.slice(1)]);
      row += rows;
    });
  }
  return parts;
}

/**
 * Whether the model's rows look independent, so that joining requests does not change answers:
 * two probe rows, different in every element, run together must give what each gives alone
 * (within 1e-5: kernels may sum in another order). A probe cannot prove it for every input; it
 * does catch the usual ways rows meet (a statistic over the batch, a running sum, a sort). Any
 * failure — a probe value the model refuses, an open dimension guessed wrong — counts as no.
 * The runs take their turn like any other: a refused probe must not fail requests in flight.
 */
export async function rowsAreIndependent(backend: InferenceBackend, session: InferenceSession, signature: Signature): Promise<boolean> {
  if (!isJoinableSignature(signature)) return false;
  try {
    const names = signature.outputs.map((output) => output.name);
    const run = (feeds: Feeds) => inTurnOf(backend, () => session.run(feeds, names) as Promise<Results>);
    const rows = [probeFeeds(signature, 0), probeFeeds(signature, 1)];
    const together = splitResults(await run(joinFeeds(rows)), [1, 1]);
    for (const [index, feeds] of rows.entries()) {
      const alone = await run(feeds);
      if (!names.every((name) => sameTensor(alone[name], together[index][name]))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * One row of made-up values, each element different from the other row's: small positive
 * integers (valid indices and categories of most tables), positive fractions (in the domain of
 * Log and Sqrt), alternating flags, strings of different lengths.
 */
function probeFeeds(signature: Signature, row: number): Feeds {
  const feeds: Feeds = {};
  for (const spec of signature.inputs) {
    const dims = [1, ...spec.shape!.slice(1).map((dim) => (dim < 0 ? 1 : dim))];
    const count = dims.reduce((product, dim) => product * dim, 1);
    const type = spec.datatype;
    const values = Array.from({ length: count }, (_, i) =>
      type === 'BOOL'
        ? (row + i) % 2 === 0
        : type === 'BYTES'
          ? 'probe'.repeat(1 + ((row + i) % 2))
          : type.startsWith('FP')
            ? 1 + row + 0.25 * (1 + Math.sin(1 + row * 7 + i))
            : 1 + ((row + i) % 2),
    );
    const elementType = elementTypeOf(type);
    const parsed = parseElements(elementType, values);
    if (!('data' in parsed)) throw new Error(`no probe value for ${type}`);
    feeds[spec.name] = new Tensor(elementType, parsed.data, dims);
  }
  return feeds;
}

function sameTensor(a: Tensor, b: Tensor): boolean {
  if (a.type !== b.type || a.dims.length !== b.dims.length || a.dims.some((dim, i) => dim !== b.dims[i])) return false;
  const x = a.data as ArrayLike<number | bigint | string>;
  const y = b.data as ArrayLike<number | bigint | string>;
  if (x.length !== y.length) return false;
  const float = a.type === 'float32' || a.type === 'float64';
  for (let i = 0; i < x.length; i++) {
    if (x[i] === y[i]) continue;
    if (!float) return false;
    const [p, q] = [x[i] as number, y[i] as number];
    if (!(Math.abs(p - q) <= 1e-5 * Math.max(1, Math.abs(p))) && !(Number.isNaN(p) && Number.isNaN(q))) return false;
  }
  return true;
}
