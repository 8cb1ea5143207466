import { z } from 'zod';

/** Feature and entity names end up as record fields and SQL-free JSON keys; kept to identifiers. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const identifierSchema = z.string().regex(IDENTIFIER, 'must be 1 to 128 letters, digits or "_", not starting with a digit');

/** The column every row names its time with (API.md, "Feature store"). */
export const EVENT_TIME = 'event_time';
/** The column of a historical answer that says when its values were true. */
export const FEATURE_EVENT_TIME = 'feature_event_time';

export const viewFeatureSchema = z.strictObject({
  name: identifierSchema,
  kind: z.enum(['numerical', 'categorical']),
});

/** `PUT /v1/feature-views/{view}`: what a view is. */
export const featureViewDefinitionSchema = z
  .strictObject({
    /** The field of a row (and of a predict record) that names the entity, like `customer_id`. */
    entity: identifierSchema,
    features: z.array(viewFeatureSchema).min(1).max(1000),
    /** Values older than this (relative to the time they are asked for) read as null. */
    ttlSeconds: z
      .int()
      .min(1)
      .max(10 * 365 * 86_400)
      .optional(),
    description: z.string().max(10_000).optional(),
  })
  .superRefine((view, ctx) => {
    const reserved = new Set([EVENT_TIME, FEATURE_EVENT_TIME]);
    const seen = new Set<string>([view.entity, ...reserved]);
    if (reserved.has(view.entity)) ctx.addIssue({ code: 'custom', path: ['entity'], message: `${view.entity} is a column of every row, not an entity` });
    view.features.forEach((feature, i) => {
      if (seen.has(feature.name)) {
        const message =
          feature.name === view.entity ? 'is the entity key' : reserved.has(feature.name) ? `${feature.name} is a column of every row` : `feature ${feature.name} is named twice`;
        ctx.addIssue({ code: 'custom', path: ['features', i, 'name'], message });
      }
      seen.add(feature.name);
    });
  });

export type FeatureViewDefinition = z.output<typeof featureViewDefinitionSchema>;
export type ViewFeature = z.output<typeof viewFeatureSchema>;

/** One version of a feature view. Versions are never rewritten: the newest is the view, the rest its history. */
export interface FeatureViewRecord {
  view: string;
  /** Counts from 1 per view. */
  version: number;
  etag: string;
  definition: FeatureViewDefinition;
  /** The API key that made the change. */
  actor?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * The next version of a view after `previous`. A view's features may be added to but an existing
 * feature keeps its kind and the entity key stays: stored rows were validated against them, and
 * models name the features they were trained on.
 */
export function nextFeatureViewRecord(
  view: string,
  previous: FeatureViewRecord | undefined,
  definition: FeatureViewDefinition,
  now: string,
  actor?: string,
): { record: FeatureViewRecord } | { issues: { path: string; message: string }[] } {
  const issues: { path: string; message: string }[] = [];
  if (previous) {
    if (previous.definition.entity !== definition.entity) {
      issues.push({ path: 'entity', message: `view ${view} is keyed by ${previous.definition.entity}; a view keeps its entity key` });
    }
    const kinds = new Map(definition.features.map((f) => [f.name, f.kind]));
    previous.definition.features.forEach((feature) => {
      const kind = kinds.get(feature.name);
      if (kind === undefined) issues.push({ path: 'features', message: `feature ${feature.name} is stored for this view; features may be added, not removed` });
      else if (kind !== feature.kind) issues.push({ path: 'features', message: `feature ${feature.name} is ${feature.kind}; a feature keeps its kind` });
    });
  }
  if (issues.length) return { issues };
  const version = (previous?.version ?? 0) + 1;
  const createdAt = previous?.createdAt ?? now;
  return {
    record: { view, version, etag: featureViewEtag(version, createdAt), definition, ...(actor ? { actor } : {}), createdAt, updatedAt: now },
  };
}

// The creation time tells apart two views that once had the same name.
function featureViewEtag(version: number, createdAt: string): string {
  return `"v${version}-${Date.parse(createdAt).toString(36)}"`;
}
