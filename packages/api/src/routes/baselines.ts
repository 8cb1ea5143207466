import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  InvalidBaselineError,
  applyRecordsPlan,
  predictionRows,
  resourceNameSchema,
  type ModelRegistry,
  type ModelVersion,
  type ReferenceProfile,
  type Row,
  type BaselineStore,
} from '@flywheel/core';
import { InferenceError, InputValidationError, predict } from '@flywheel/inference';
import { Problem } from '../problem.ts';
import { limitBody } from '../serving/limits.ts';
import type { Serving } from '../serving/serving.ts';
import { validate } from '../validation.ts';
import { nameParam, positiveInt } from './path-params.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { ok, params, positiveIntSchema, problems } from './openapi.ts';

/** What the baseline routes use of the baseline port. */
export type BaselineWriter = Pick<BaselineStore, 'storeReferenceProfile'>;

export interface BaselineRouteOptions {
  /** Largest baseline body (default 6 MB, what a Lambda request carries). */
  maxBodyBytes?: number;
  /** Most records in a baseline (default 100,000). */
  maxRecords?: number;
}

const MIN_RECORDS = 10;
const record = z.record(z.string(), z.unknown());

const columnSummarySchema = z.union([
  z.object({
    name: z.string(),
    kind: z.literal('numerical'),
    count: z.int(),
    missing: z.int(),
    bins: z.int(),
    mean: z.number(),
    std: z.number(),
    min: z.number(),
    max: z.number(),
  }),
  z.object({ name: z.string(), kind: z.literal('categorical'), count: z.int(), missing: z.int(), categories: z.int() }),
]);
const baselineSummarySchema = z.object({
  model: z.string(),
  version: z.int(),
  records: z.int(),
  fingerprint: z.string(),
  features: z.array(columnSummarySchema),
  outputs: z.array(columnSummarySchema),
});

/**
 * `PUT /v1/models/{model}/versions/{version}/baseline` (scope deploy): reference data for
 * monitoring, as JSON `{records: [...]}` or NDJSON of records. The version's features say which
 * fields are profiled and how; the model is run on the records so its outputs get a reference
 * too (prediction drift). Replaces an earlier baseline of the version.
 */
export function baselineRoutes(deps: { registry: ModelRegistry; baselines: BaselineWriter }, serving: Serving, guards: RouteGuards, options: BaselineRouteOptions = {}) {
  const maxRecords = options.maxRecords ?? 100_000;
  return declareRoutes(new Hono(), guards).route(
    {
      method: 'put',
      path: '/v1/models/{model}/versions/{version}/baseline',
      scope: 'deploy',
      tags: ['monitoring'],
      summary: "Reference data for monitoring: the version's features are profiled, and its outputs on the records",
      request: {
        params: params({ model: resourceNameSchema, version: positiveIntSchema }),
        body: {
          content: {
            'application/json': { schema: z.object({ records: z.array(record).min(MIN_RECORDS) }) },
            'application/x-ndjson': { schema: z.string().describe('one record a line') },
          },
        },
      },
      responses: { 200: ok('The profile stored', baselineSummarySchema), ...problems(400, 404, 413, 415, 422) },
    },
    limitBody(options.maxBodyBytes ?? 6 * 1024 * 1024, 'Profile a sample of your reference data: 10,000 records describe it well.'),
    async (c) => {
      const model = nameParam(c, 'model');
      const versionNumber = positiveInt(c.req.param('version'), 'version');
      const records = await readRecords(c, maxRecords);
      const version = await deps.registry.getVersion(model, versionNumber);
      if (!version) throw new Problem(404, `Model ${model} has no version ${versionNumber}.`);
      if (!version.features?.length) {
        throw new Problem(422, `Model ${model} version ${versionNumber} declares no features, so there is nothing to profile; register it with \`features\` metadata.`);
      }
      const outputs = await modelOutputs(serving, version, records);
      let profile: ReferenceProfile;
      try {
        profile = await deps.baselines.storeReferenceProfile(model, versionNumber, version.features, outputs, records);
      } catch (error) {
        if (error instanceof InvalidBaselineError) throw new Problem(422, `The baseline cannot be profiled: ${error.message}.`);
        throw error;
      }
      return c.json({
        model,
        version: versionNumber,
        records: profile.records,
        fingerprint: profile.fingerprint,
        features: profile.features.map(columnSummary),
        outputs: profile.outputs.map(columnSummary),
      });
    },
  ).app;
}

function columnSummary(column: ReferenceProfile['features'][number]) {
  return column.kind === 'numerical'
    ? {
        name: column.name,
        kind: column.kind,
        count: column.count,
        missing: column.missing,
        bins: column.counts.length,
        mean: column.mean,
        std: column.std,
        min: column.min,
        max: column.max,
      }
    : { name: column.name, kind: column.kind, count: column.count, missing: column.missing, categories: column.categories.length };
}

async function readRecords(c: Context, maxRecords: number): Promise<Row[]> {
  const type = c.req.header('content-type') ?? '';
  let records: unknown;
  if (type.includes('ndjson') || type.includes('jsonl')) {
    const lines = (await c.req.text()).split('\n').filter((line) => line.trim() !== '');
    records = lines.map((line, i) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Problem(400, `Line ${i + 1} of the NDJSON body is not JSON.`, { errors: [{ path: `records/${i}`, message: 'not JSON' }] });
      }
    });
  } else if (type.includes('json')) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new Problem(400, 'The body is not valid JSON.');
    }
    records = validate(z.strictObject({ records: z.array(z.unknown()) }), body).records;
  } else {
    throw new Problem(415, 'Send the baseline as application/json `{records: [...]}` or as application/x-ndjson.');
  }
  const parsed = validate(z.array(record).min(MIN_RECORDS, `a baseline needs at least ${MIN_RECORDS} records`).max(maxRecords), records);
  return parsed;
}

/**
 * The model's outputs on the baseline records (fields beyond the features, such as a label column, are left aside), computed in chunks the serving limits allow. A
 * record the model cannot take (a missing or mistyped feature) still profiles its features; its
 * outputs are left empty.
 */
async function modelOutputs(serving: Serving, version: ModelVersion, records: readonly Row[]): Promise<Row[]> {
  const plan = serving.recordsPlan(version);
  if ('issues' in plan) throw new Problem(422, 'The model version cannot take records.', { errors: plan.issues });
  const loaded = await serving.model(version);
  const outputs: Row[] = records.map(() => ({}));
  for (let start = 0; start < records.length; start += serving.maxRows) {
    const rows = records.slice(start, start + serving.maxRows).map((record, i) => ({ record, index: start + i }));
    let applied = applyRecordsPlan(
      plan,
      rows.map((r) => r.record),
      { unknownFields: 'ignore' },
    );
    if ('issues' in applied) {
      const bad = new Set(applied.issues.map((issue) => Number(/^records\/(\d+)/.exec(issue.path)?.[1])));
      const good = rows.filter((_, i) => !bad.has(i));
      if (good.length === 0) continue;
      rows.splice(0, rows.length, ...good);
      applied = applyRecordsPlan(
        plan,
        rows.map((r) => r.record),
        { unknownFields: 'ignore' },
      );
      if ('issues' in applied) continue;
    }
    try {
      const result = await predict(loaded, applied.inputs);
      const predicted = predictionRows({ inputs: applied.inputs, records: rows.map((r) => r.record) }, result, version);
      predicted.forEach((row, i) => (outputs[rows[i].index] = row.outputs ?? {}));
    } catch (error) {
      if (error instanceof InputValidationError || error instanceof InferenceError) {
        throw new Problem(422, `The model could not run on the baseline records (${error.message}).`);
      }
      throw error;
    }
  }
  return outputs;
}
