import {
  TtlCache,
  entitiesToLookUp,
  fillFromView,
  viewNeeds,
  type FeatureStore,
  type FeatureValue,
  type FeatureViewRecord,
  type ModelVersion,
  type ViewNeed,
} from '@flywheel/core';
import { Problem } from '../problem.ts';

export type PredictRecord = Record<string, unknown>;

/**
 * Fills the features a model version takes from feature views into predict records that carry
 * the view's entity key and leave those features out, from the online store. View definitions are
 * cached like endpoint configs (for at most the TTL); values are read on every request.
 */
export class FeatureLookup {
  private readonly views: TtlCache<FeatureViewRecord | undefined>;
  private readonly needs = new WeakMap<ModelVersion, ViewNeed[]>();
  private readonly entityKeys = new WeakMap<ModelVersion, ReadonlySet<string>>();

  constructor(
    private readonly store: FeatureStore,
    options: { ttlMs: number },
  ) {
    this.views = new TtlCache({ ttlMs: options.ttlMs });
  }

  /** Whether the version takes any feature from a view: only then is a request's fill awaited. */
  takesFromViews(version: ModelVersion): boolean {
    return this.needsOf(version).length > 0;
  }

  /** The records with every view-backed feature they leave out filled in; values they carry win. */
  async fill(version: ModelVersion, records: readonly PredictRecord[]): Promise<readonly PredictRecord[]> {
    const needs = this.needsOf(version);
    const now = Date.now();
    const found = await Promise.all(
      needs.map(async (need) => {
        const view = await this.views.get(need.view, () => this.store.ports.views.current(need.view));
        const known = new Set(view?.definition.features.map((f) => f.name));
        const absent = view ? need.features.filter((name) => !known.has(name)) : need.features;
        if (absent.length) {
          throw new Problem(
            400,
            `Model ${version.model} version ${version.version} takes features from feature view ${need.view}, which ${view ? `has no ${absent.join(', ')}` : 'does not exist'}.`,
            {
              errors: absent.map((name) => ({ path: `features/${name}`, message: `not a feature of view ${need.view}` })),
            },
          );
        }
        const online = await this.store.online(view!, entitiesToLookUp(records, view!.definition.entity, need), now);
        const values = new Map<string, Record<string, FeatureValue>>([...online].map(([id, asOf]) => [id, asOf.values]));
        return { need, entity: view!.definition.entity, values };
      }),
    );
    this.entityKeys.set(version, new Set(found.map(({ entity }) => entity)));
    return found.reduce<readonly PredictRecord[]>((filled, { need, entity, values }) => fillFromView(filled, entity, need, values), records);
  }

  /** The entity keys records for the version carry besides its features (known once a fill ran; a view's entity key never changes). */
  entityKeysOf(version: ModelVersion): ReadonlySet<string> | undefined {
    return this.entityKeys.get(version);
  }

  /** After a change made here, so this instance uses the new definition at once. */
  forgetView(view: string): void {
    this.views.delete(view);
  }

  private needsOf(version: ModelVersion): ViewNeed[] {
    let needs = this.needs.get(version);
    if (!needs) this.needs.set(version, (needs = viewNeeds(version.features)));
    return needs;
  }
}
