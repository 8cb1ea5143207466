import { Hono } from 'hono';
import { z } from 'zod';
import { experimentSpan, summarizeExperiment, type EndpointRecord, type EndpointStore, type ExperimentStore, resourceNameSchema } from '@flywheel/core';
import { Problem } from '../problem.ts';
import { validate } from '../validation.ts';
import { nameParam } from './path-params.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { endpointChangeSchema } from './endpoints.ts';
import { ok, params, problems } from './openapi.ts';

export interface ExperimentRouteDependencies {
  endpoints: Pick<EndpointStore, 'current' | 'history'>;
  experiments: Pick<ExperimentStore, 'tallies'>;
}

/** Config versions read back, for the experiment's start and the decision log. */
const HISTORY_LIMIT = 1000;
const HISTORY_PAGE = 100;

export const experimentQuerySchema = z.object({
  /** Analyse the experiment this config version belongs to; the current one by default. */
  configVersion: z.coerce.number().int().min(1).optional(),
  alpha: z.coerce.number().gt(0).lt(1).default(0.05),
});

/**
 * `GET /v1/endpoints/{endpoint}/experiment`: the analysis of the experiment running since the
 * variants or their weights last changed (or of the one `?configVersion=` belongs to). `count` per
 * variant is its logged predictions as the monitor counted them (after the endpoint's
 * `logging.percent` sampling; shadows, failed requests, and requests whose variant was forced or
 * pinned rather than assigned by the split left out), and a prediction without an
 * outcome counts as 0 (no conversion). `decisions` is the guardrail decision log, newest first.
 */
const intervalSchema = z.strictObject({ lower: z.number(), upper: z.number() });
/** A variant against the control (`Comparison` in @flywheel/core). */
const comparisonSchema = z.strictObject({
  difference: z.number().describe("Variant minus control, in the metric's units"),
  lift: z.number().nullable().describe("Relative to control; null when the control's rate or mean is 0"),
  pValue: z.number().describe('Fixed-horizon two-sided: valid only if looked at once'),
  significant: z.boolean(),
  sequentialPValue: z.number().describe('Always valid (mSPRT): however often results are checked'),
  sequentiallySignificant: z.boolean(),
});
/** One variant's numbers (`ExperimentVariant` in @flywheel/core): `rate` for a binary outcome, `mean` for a continuous one. */
const experimentVariantSchema = z.strictObject({
  name: z.string(),
  model: z.string(),
  version: z.int().optional(),
  alias: z.string().optional(),
  weight: z.number(),
  count: z.int().describe('Predictions served (logged rows): the denominator'),
  assigned: z.int().describe("The split's draws: units on a sticky endpoint (and requests that named none), else requests"),
  outcomes: z.number().describe('Binary: conversions. Continuous: the sum of the outcomes'),
  feedback: z.int().describe('Predictions with an outcome joined'),
  rate: z.number().nullable().optional(),
  mean: z.number().nullable().optional(),
  ci: intervalSchema.nullable(),
  comparison: comparisonSchema.nullable().describe('Against the control; null for the control itself'),
  quality: z
    .strictObject({ labelled: z.int().optional(), accuracy: z.number().optional(), valued: z.int().optional(), rmse: z.number().optional(), mae: z.number().optional() })
    .nullable()
    .describe('Model quality from joined labels; null when none joined'),
});
/** Sample-ratio mismatch (`SampleRatioMismatch` in @flywheel/core); chiSquare is null where infinite (a variant weighted 0 drew traffic). */
const srmSchema = z.strictObject({ chiSquare: z.number().nullable(), df: z.int(), pValue: z.number(), mismatch: z.boolean() });
/** A guardrail's rollback or promotion: the config version it wrote, its change, and the weights it set. */
const guardrailDecisionSchema = z.strictObject({
  configVersion: z.int(),
  at: z.string(),
  ...endpointChangeSchema.shape,
  kind: z.literal('guardrail'),
  weights: z.array(z.strictObject({ name: z.string(), weight: z.number() })).describe('The weights it set'),
});

/** The analysis (`ExperimentSummary` in @flywheel/core, with the span it covers and the guardrails' decisions). */
export const experimentResponseSchema = z.strictObject({
  endpoint: z.string(),
  configVersion: z.int(),
  experiment: z.strictObject({ fromConfigVersion: z.int(), toConfigVersion: z.int(), since: z.string(), running: z.boolean() }),
  countedFrom: z.literal('logged-predictions'),
  kind: z.enum(['binary', 'continuous']),
  control: z.string(),
  alpha: z.number(),
  variants: z.array(experimentVariantSchema),
  srm: srmSchema,
  decisions: z.array(guardrailDecisionSchema).describe('The guardrail decision log, newest first'),
});

export function experimentRoutes(deps: ExperimentRouteDependencies, guards: RouteGuards) {
  return declareRoutes(new Hono(), guards).route(
    {
      method: 'get',
      path: '/v1/endpoints/{endpoint}/experiment',
      scope: 'read',
      tags: ['experiments'],
      summary: 'The running experiment (or the one a config version belongs to): per-variant counts, rates, tests, SRM and guardrail decisions',
      description: 'Counts what the split assigned: shadows, failed requests, and requests whose variant was forced or pinned are left out.',
      request: { params: params({ endpoint: resourceNameSchema }), query: experimentQuerySchema },
      responses: { 200: ok('The analysis', experimentResponseSchema), ...problems(400, 404) },
    },
    async (c) => {
      const endpoint = nameParam(c, 'endpoint');
      const query = validate(experimentQuerySchema, c.req.query());
      const current = await deps.endpoints.current(endpoint);
      if (!current) throw new Problem(404, `No endpoint ${endpoint}.`);
      const history = await recentHistory(deps.endpoints, current);
      const span = experimentSpan(history, query.configVersion);
      if (!span) {
        const oldest = history.at(-1)!.configVersion;
        throw new Problem(404, `Endpoint ${endpoint} has no config version ${query.configVersion} among its versions ${oldest}..${current.configVersion}.`, {
          errors: [{ path: 'configVersion', message: `must be one of ${oldest}..${current.configVersion}` }],
        });
      }
      const tallies = await deps.experiments.tallies(endpoint, span.first.configVersion, span.last.configVersion);
      const summary = summarizeExperiment(span.last.config, tallies, { alpha: query.alpha });
      return c.json({
        endpoint,
        configVersion: current.configVersion,
        experiment: { fromConfigVersion: span.first.configVersion, toConfigVersion: span.last.configVersion, since: span.first.updatedAt, running: span.last === history[0] },
        countedFrom: 'logged-predictions',
        ...summary,
        // The guardrails record each rollback and promotion as a config version of kind `guardrail`.
        decisions: history.filter((record) => record.change.kind === 'guardrail').map(decision),
      });
    },
  ).app;
}

/** The endpoint's newest config versions, newest first, without gaps. */
async function recentHistory(endpoints: ExperimentRouteDependencies['endpoints'], current: EndpointRecord): Promise<EndpointRecord[]> {
  const history: EndpointRecord[] = [];
  let before = current.configVersion + 1;
  while (history.length < HISTORY_LIMIT && before > 1) {
    const page = await endpoints.history(current.endpoint, { limit: HISTORY_PAGE, before });
    if (page.length === 0) break;
    history.push(...page);
    before = page.at(-1)!.configVersion;
  }
  return history.length > 0 ? history : [current];
}

function decision(record: EndpointRecord) {
  return {
    configVersion: record.configVersion,
    at: record.updatedAt,
    ...record.change,
    weights: record.config.variants.map(({ name, weight }) => ({ name, weight })),
  };
}
