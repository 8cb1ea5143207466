import { onlineValues, type AsOfValues } from './as-of.ts';
import type { FeatureViewStore, OfflineFeatureStore, OnlineFeatureStore, SpineRow } from './ports.ts';
import { validateFeatureRows, type RejectedRow } from './rows.ts';
import type { FeatureViewRecord } from './view.ts';

export interface FeatureStorePorts {
  views: FeatureViewStore;
  online: OnlineFeatureStore;
  offline: OfflineFeatureStore;
}

export interface IngestResult {
  accepted: number;
  rejected: RejectedRow[];
}

/**
 * The feature store's operations over its ports: rows go to the offline store (every row, the
 * source of truth for training) and to the online one (the newest per entity) at once. Both
 * writes are idempotent, so a retried ingest after either failed lands both.
 */
export class FeatureStore {
  private readonly eraser: FeatureEntityEraser;

  constructor(readonly ports: FeatureStorePorts) {
    this.eraser = new FeatureEntityEraser(ports);
  }

  /** Validates the rows against the view, stores the valid ones and reports the others. */
  async ingest(view: FeatureViewRecord, rows: readonly unknown[], nowMs: number): Promise<IngestResult> {
    const { accepted, rejected } = validateFeatureRows(view.definition, rows, nowMs);
    if (accepted.length) {
      await Promise.all([this.ports.offline.append(view.view, accepted, nowMs), this.ports.online.write(view.view, accepted)]);
    }
    return { accepted: accepted.length, rejected };
  }

  /** Each entity's latest values at `nowMs` (nulls when it has none, or they are older than the ttl). */
  async online(view: FeatureViewRecord, entityIds: readonly string[], nowMs: number): Promise<Map<string, AsOfValues>> {
    const latest = entityIds.length ? await this.ports.online.latest(view.view, entityIds) : new Map();
    return new Map(entityIds.map((id) => [id, onlineValues(view.definition, latest.get(id), nowMs)]));
  }

  /** The point-in-time values of each spine row, in order. */
  historical(view: FeatureViewRecord, spine: readonly SpineRow[]): Promise<AsOfValues[]> {
    return this.ports.offline.historical(view.view, view.definition, spine);
  }

  /** Whether the view exists (an erasure of an entity of another is refused before it starts). */
  hasView(view: string): Promise<boolean> {
    return this.eraser.hasView(view);
  }

  eraseEntity(view: string, entityId: string): Promise<{ onlineItemsDeleted: number; offlineFilesRewritten: number }> {
    return this.eraser.eraseEntity(view, entityId);
  }
}

/**
 * Forgets an entity: its online item is deleted and the offline files are rewritten without its
 * rows. Needs no join engine, so the erasure worker builds it without one.
 */
export class FeatureEntityEraser {
  constructor(private readonly ports: { views: FeatureViewStore; online: OnlineFeatureStore; offline: Pick<OfflineFeatureStore, 'erase'> }) {}

  async hasView(view: string): Promise<boolean> {
    return (await this.ports.views.current(view)) !== undefined;
  }

  async eraseEntity(view: string, entityId: string): Promise<{ onlineItemsDeleted: number; offlineFilesRewritten: number }> {
    const online = await this.ports.online.erase(view, entityId);
    const offlineFilesRewritten = await this.ports.offline.erase(view, entityId);
    return { onlineItemsDeleted: online ? 1 : 0, offlineFilesRewritten };
  }
}
