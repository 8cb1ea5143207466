// Requests for one model that arrive together, run as one: onnxruntime's cost per run is mostly
// fixed (~20 µs for a small model, ~0.2 µs more per row), so a joined run costs each a fraction.
import { MAX_BATCH_ROWS, feedRows, joinFeeds, joinKey, splitResults, type Feeds, type Results } from './feeds.ts';
import type { LoadedModel } from '../load.ts';
import { inTurnOf } from '../turns.ts';

interface BatchMember {
  feeds: Feeds;
  rows: number;
  resolve: (results: Results) => void;
  reject: (error: unknown) => void;
}

/** Runs of one model waiting for their turn, to go in as one. */
interface Batch {
  key: string;
  outputNames: readonly string[];
  members: BatchMember[];
  rows: number;
}

/** A model's joining: the batches still open to newcomers (by join key), and whether waiting for company pays. */
interface Joining {
  open: Map<string, Batch>;
  /** Requests to run at once before waiting a turn again. */
  skip: number;
  /** The last skip: doubled after each batch that found no company, reset by one that did. */
  backoff: number;
}

/** Longest backoff: a caller sending one request at a time still tries a join every 17th. */
const MAX_BACKOFF = 16;

const joinings = new WeakMap<LoadedModel, Joining>();

/**
 * Two turns of the event loop on: after the connections that are ready now have been read, and
 * those that became ready meanwhile too. Under load the second read finds about as many requests
 * again: at 16 connections a run joined 6 rows on average after one turn, 12 after two.
 */
const afterTwoTurns: (run: () => void) => void = typeof setImmediate === 'function' ? (run) => void setImmediate(() => setImmediate(run)) : (run) => void setTimeout(run, 0);

/**
 * Runs the model, in turn. A request for a model whose rows are independent (checked at load)
 * joins the open batch of its join key (inputs' types and dimensions, outputs) while there is
 * room, else opens one, which starts two turns of the event loop later — even when the runtime is
 * idle: the requests read meanwhile, under load one from each busy connection, share its run.
 * When batches keep finding no company (one caller at a time), waiting costs and
 * gains nothing, so requests run at once for a while, longer each time (up to
 * {@link MAX_BACKOFF}).
 */
export function scheduleRun(model: LoadedModel, feeds: Feeds, outputNames: readonly string[]): Promise<Results> {
  const runAlone = () => inTurnOf(model.backend, () => model.session.run(feeds, outputNames) as Promise<Results>);
  const rows = model.batchable ? feedRows(feeds) : undefined;
  if (rows === undefined || rows > MAX_BATCH_ROWS) return runAlone();
  const joining = joiningOf(model);
  if (joining.open.size === 0 && joining.skip > 0) {
    joining.skip--;
    return runAlone();
  }
  const key = joinKey(feeds, outputNames);
  let batch = joining.open.get(key);
  if (!batch || batch.rows + rows > MAX_BATCH_ROWS) batch = openBatch(model, joining, key, outputNames);
  batch.rows += rows;
  const joined = batch;
  return new Promise((resolve, reject) => joined.members.push({ feeds, rows, resolve, reject }));
}

function joiningOf(model: LoadedModel): Joining {
  let joining = joinings.get(model);
  if (!joining) {
    joining = { open: new Map(), skip: 0, backoff: 0 };
    joinings.set(model, joining);
  }
  return joining;
}

function openBatch(model: LoadedModel, joining: Joining, key: string, outputNames: readonly string[]): Batch {
  const batch: Batch = { key, outputNames, members: [], rows: 0 };
  joining.open.set(key, batch);
  afterTwoTurns(() => void inTurnOf(model.backend, () => runBatch(model, joining, batch)));
  return batch;
}

/**
 * Runs a batch as one and hands each member its rows. If the joined run fails, the members run
 * one by one, so a request's bad values fail that request only. Never rejects.
 */
async function runBatch(model: LoadedModel, joining: Joining, batch: Batch): Promise<void> {
  if (joining.open.get(batch.key) === batch) joining.open.delete(batch.key);
  const { members, outputNames } = batch;
  joining.backoff = members.length > 1 ? 0 : Math.min(MAX_BACKOFF, Math.max(1, joining.backoff * 2));
  joining.skip = joining.backoff;
  if (members.length > 1) {
    try {
      const joined = (await model.session.run(joinFeeds(members.map((member) => member.feeds)), outputNames)) as Results;
      const parts = splitResults(
        joined,
        members.map((member) => member.rows),
      );
      members.forEach((member, index) => member.resolve(parts[index]));
      return;
    } catch {
      // Run alone below.
    }
  }
  for (const member of members) {
    try {
      member.resolve((await model.session.run(member.feeds, outputNames)) as Results);
    } catch (error) {
      member.reject(error);
    }
  }
}
