import { entityKey, viewNeeds, type DatasetFeatureView, type Feature, type FeatureStore, type SpineRow } from '@flywheel/core';
import type { Example } from './dataset.ts';

export class FeatureViewMissingError extends Error {
  override name = 'FeatureViewMissingError';
}

/**
 * The examples with every view-backed feature replaced by its point-in-time value: the view's
 * latest row at or before the prediction's time (within the ttl), read from the offline store,
 * so a model is retrained on the values as they were known then, corrections and backfills
 * included, and never on later ones. An example whose entity has no such row keeps its logged
 * value (what the model was given at the time). Says per view how many rows the join answered.
 */
export async function joinViewFeatures(
  store: Pick<FeatureStore, 'historical' | 'ports'>,
  features: readonly Feature[] | undefined,
  examples: readonly Example[],
): Promise<{ examples: Example[]; views: DatasetFeatureView[] }> {
  const joined = [...examples];
  const views: DatasetFeatureView[] = [];
  for (const need of viewNeeds(features)) {
    const view = await store.ports.views.current(need.view);
    if (!view) throw new FeatureViewMissingError(`the model takes ${need.features.join(', ')} from feature view ${need.view}, which does not exist`);
    const entity = view.definition.entity;
    const positions: number[] = [];
    const spine: SpineRow[] = [];
    joined.forEach((example, i) => {
      const entityId = entityKey(example.features[entity]);
      const eventTimeMs = Date.parse(example.time);
      if (entityId === undefined || !Number.isFinite(eventTimeMs)) return;
      positions.push(i);
      spine.push({ entityId, eventTimeMs });
    });
    const answers = spine.length ? await store.historical(view, spine) : [];
    let matched = 0;
    answers.forEach((answer, j) => {
      if (answer.eventTimeMs === null) return;
      matched++;
      const example = joined[positions[j]];
      const values = Object.fromEntries(need.features.flatMap((name) => (answer.values[name] === null ? [] : [[name, answer.values[name]]])));
      joined[positions[j]] = { ...example, features: { ...example.features, ...values } };
    });
    views.push({ view: view.view, version: view.version, entity, features: need.features, rows: spine.length, matched });
  }
  return { examples: joined, views };
}
