import { MAX_LISTED, type ErasedRow, type ErasureProgress } from './erasure.ts';
import type { ErasedSubjects, ErasureArchive, ErasureDatasets, ErasureJoinItems, ErasureStore, ErasureUnitClaims, FeatureEraser, PendingStep } from './ports.ts';

export interface ErasureWorkDependencies {
  readonly store: ErasureStore;
  readonly erased: ErasedSubjects;
  readonly archive: ErasureArchive;
  readonly joins: ErasureJoinItems;
  readonly unitClaims: ErasureUnitClaims;
  readonly datasets: ErasureDatasets;
  /** Without one, an entity subject cannot be erased (the API refuses it up front). */
  readonly features?: FeatureEraser;
  readonly now?: () => Date;
}

export interface RunErasureOptions {
  /** Asked between steps: true stops the run with `yielded` (its checkpoint kept), e.g. near a Lambda timeout. */
  readonly shouldYield?: () => boolean;
  /** How long this worker holds the erasure (default 6 minutes: past the erasure function's 5-minute timeout). */
  readonly leaseMs?: number;
}

/** `busy`: another worker holds it; `missing`: no such erasure. */
export type ErasureRunOutcome = 'finished' | 'yielded' | 'busy' | 'missing';

export class ErasureFailure extends Error {
  override name = 'ErasureFailure';
}

const DEFAULT_LEASE_MS = 6 * 60_000;

/**
 * Works an erasure from its checkpoint to the end: the archive object by object (the subject's
 * rows found, their feedback and prediction items deleted, the object rewritten without them),
 * then the experiment's unit claims, then every dataset (those rows removed, the dataset marked), then the feature store's entity.
 * Each step is recorded before it changes anything and committed after, so a crash at any point
 * resumes where it stopped, without doing a finished step again or counting it twice. The
 * experiment's record of which units it counted loses the subject too. Window
 * sketches are not touched: aggregates keep their counts.
 */
export async function runErasure(deps: ErasureWorkDependencies, erasureId: string, options: RunErasureOptions = {}): Promise<ErasureRunOutcome> {
  const now = deps.now ?? (() => new Date());
  const initial = await deps.store.get(erasureId);
  if (!initial) return 'missing';
  if (initial.status === 'succeeded' || initial.status === 'failed') return 'finished';
  const token = crypto.randomUUID();
  if (!(await deps.store.lease(erasureId, token, now().getTime() + (options.leaseMs ?? DEFAULT_LEASE_MS), now().getTime()))) return 'busy';
  const at = () => now().toISOString();
  const shouldYield = options.shouldYield ?? (() => false);
  try {
    // Read again under the lease: the checkpoint of whoever held it last.
    const erasure = (await deps.store.get(erasureId))!;
    const { unitHash, entity } = erasure.subject;
    let phase = erasure.phase;
    let listedObjects = erasure.archiveObjects.length;
    let listedDatasets = erasure.datasets.length;
    let cursor = erasure.cursor;
    const pending = erasure.pending;
    const pendingFor = (key: string) => (pending && pending.phase === phase && pending.key === key ? pending : undefined);

    if (phase === 'archive') {
      if (unitHash !== undefined) {
        // First: datasets assembled from now on leave the subject out, whatever is still to erase.
        await deps.erased.add(unitHash, erasureId, at());
        for await (const key of deps.archive.keys(cursor)) {
          if (shouldYield()) return 'yielded';
          const step = await eraseFromArchiveObject(deps, erasureId, token, unitHash, key, pendingFor(key), at);
          await deps.store.advance(erasureId, token, {
            phase,
            cursor: key,
            add: step.add,
            ...(step.rewritten && listedObjects++ < MAX_LISTED ? { archiveObject: key } : {}),
            at: at(),
          });
        }
      }
      phase = 'units';
      cursor = undefined;
      await deps.store.advance(erasureId, token, { phase, at: at() });
    }

    if (phase === 'units') {
      const endpoints = [...new Set((await deps.store.rows(erasureId)).map((row) => row.endpoint))];
      const deleted = unitHash !== undefined && endpoints.length > 0 ? await deps.unitClaims.delete(endpoints, unitHash) : 0;
      phase = 'datasets';
      await deps.store.advance(erasureId, token, { phase, add: { unitClaimsDeleted: deleted }, at: at() });
    }

    if (phase === 'datasets') {
      const rowIds = new Set((await deps.store.rows(erasureId)).map((row) => row.rowId));
      if (rowIds.size > 0) {
        for await (const datasetId of deps.datasets.datasetIds(cursor)) {
          if (shouldYield()) return 'yielded';
          const step = await eraseFromDataset(deps, erasureId, token, rowIds, datasetId, pendingFor(datasetId), at);
          await deps.store.advance(erasureId, token, {
            phase,
            cursor: datasetId,
            add: step.add,
            ...(step.marked && listedDatasets++ < MAX_LISTED ? { dataset: datasetId } : {}),
            at: at(),
          });
        }
      }
      phase = 'features';
      cursor = undefined;
      await deps.store.advance(erasureId, token, { phase, at: at() });
    }

    if (phase === 'features') {
      if (entity) {
        if (!deps.features) throw new ErasureFailure('no feature store configured, so the entity cannot be erased');
        const erased = await deps.features.eraseEntity(entity.view, entity.id);
        await deps.store.advance(erasureId, token, {
          phase: 'done',
          add: { featureItemsDeleted: erased.onlineItemsDeleted, featureFilesRewritten: erased.offlineFilesRewritten },
          at: at(),
        });
      } else {
        await deps.store.advance(erasureId, token, { phase: 'done', at: at() });
      }
    }
    await deps.store.finish(erasureId, token, 'succeeded', at());
    return 'finished';
  } catch (error) {
    if (error instanceof ErasureFailure) {
      await deps.store.finish(erasureId, token, 'failed', at(), error.message);
      return 'finished';
    }
    await deps.store.recordError(erasureId, String(error), at()).catch(() => undefined);
    throw error;
  } finally {
    await deps.store.release(erasureId, token).catch(() => undefined);
  }
}

/** The subject's rows in lines of logged records: kept lines and the rows left out. */
export function splitArchiveLines(lines: readonly string[], unitHash: string): { kept: string[]; removed: ErasedRow[] } {
  const kept: string[] = [];
  const removed: ErasedRow[] = [];
  for (const line of lines) {
    const record = parseObject(line);
    if (record && record.unit === unitHash && typeof record.id === 'string' && typeof record.endpoint === 'string') removed.push({ endpoint: record.endpoint, rowId: record.id });
    else kept.push(line);
  }
  return { kept, removed };
}

async function eraseFromArchiveObject(
  deps: ErasureWorkDependencies,
  erasureId: string,
  token: string,
  unitHash: string,
  key: string,
  pending: PendingStep | undefined,
  at: () => string,
): Promise<{ add: Partial<ErasureProgress>; rewritten: boolean }> {
  const { kept, removed } = splitArchiveLines(await deps.archive.lines(key), unitHash);
  // A step prepared before a crash keeps the counts it measured before it deleted anything.
  if (removed.length === 0) return pending ? { add: pending.add, rewritten: true } : { add: { archiveObjectsScanned: 1 }, rewritten: false };
  let add = pending?.add;
  if (!add) {
    const existing = await deps.joins.existing(removed);
    add = {
      archiveObjectsScanned: 1,
      archiveObjectsRewritten: 1,
      archiveRowsRemoved: removed.length,
      feedbackItemsDeleted: existing.feedback,
      predictionItemsDeleted: existing.predictions,
    };
    // The rows are kept before the object loses them: the datasets phase needs them.
    await deps.store.addRows(erasureId, removed);
    await deps.store.prepare(erasureId, token, { phase: 'archive', key, add }, at());
  }
  await deps.joins.delete(removed);
  await deps.archive.replace(key, kept);
  return { add, rewritten: true };
}

async function eraseFromDataset(
  deps: ErasureWorkDependencies,
  erasureId: string,
  token: string,
  rowIds: ReadonlySet<string>,
  datasetId: string,
  pending: PendingStep | undefined,
  at: () => string,
): Promise<{ add: Partial<ErasureProgress>; marked: boolean }> {
  const lines = (await deps.datasets.lines(datasetId)) ?? [];
  const kept = lines.filter((line) => {
    const key = parseObject(line)?.key;
    return !(typeof key === 'string' && rowIds.has(key));
  });
  const removed = lines.length - kept.length;
  if (removed === 0 && !pending) return { add: { datasetsScanned: 1 }, marked: false };
  const add = pending?.add ?? { datasetsScanned: 1, datasetsMarked: 1, datasetRowsRemoved: removed };
  if (!pending) await deps.store.prepare(erasureId, token, { phase: 'datasets', key: datasetId, add }, at());
  // Also after a crash that left the rows removed: the marker may not have been written yet (replace adds it once).
  await deps.datasets.replace(datasetId, kept, { erasureId, rows: add.datasetRowsRemoved ?? removed, at: at() });
  return { add, marked: true };
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
