import { z } from 'zod';
// One pure constant, shared with the bucket's lifecycle rule; the rest of infra stays out of core.
import { retention } from '@flywheel/infra/retention';
import { InvalidScheduleError, parseSchedule } from '../retrain/schedule.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const MAX_LOOKBACK_MS = 24 * HOUR_MS;

/**
 * The body of `PUT /v1/endpoints/{endpoint}` (API.md, "Endpoints"), with defaults filled in.
 * Objects are strict so a misspelt field ("weigth") is an error rather than silently ignored.
 */

const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/i;
const name = z.string().regex(NAME_PATTERN, 'must be 1 to 63 letters, digits, "_" or "-", starting with a letter or digit');

// Percentages have basis-point resolution, the granularity of the bucket space.
const percentage = z
  .number()
  .min(0)
  .max(100)
  .refine((value) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-6, 'at most 2 decimals');

const modelTarget = {
  model: name,
  version: z.int().min(1).optional(),
  alias: name.optional(),
};

function requireOneTarget(target: { version?: number | undefined; alias?: string | undefined }, ctx: z.RefinementCtx): void {
  if ((target.version === undefined) === (target.alias === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['version'], message: 'name exactly one of version or alias' });
  }
}

const variantSpec = z.strictObject({ name, ...modelTarget, weight: percentage }).superRefine(requireOneTarget);
const shadowSpec = z.strictObject({ name, ...modelTarget, percent: percentage }).superRefine(requireOneTarget);

const loggingPolicy = z
  .strictObject({
    percent: percentage.default(100),
    redact: z.array(z.string().min(1)).default([]),
  })
  .prefault({});

const guardrailMetric = z.enum(['error_rate', 'latency_p95', 'outcome']);

const rampSteps = z
  .array(percentage.refine((step) => step > 0, 'must be greater than 0'))
  .min(1)
  .refine((steps) => steps.every((step, i) => i === 0 || step > steps[i - 1]), 'must be strictly increasing');

/**
 * How a canary is judged. `maxDegradation` is in absolute rate points for `error_rate`
 * (0.02 = two points more errors) and relative to control for `latency_p95` and `outcome`
 * (0.02 = a 2% slower p95, or a 2% lower mean outcome), since error rates sit near zero where
 * a relative bound means nothing.
 */
const guardrails = z.strictObject({
  metric: guardrailMetric,
  maxDegradation: z.number().min(0),
  autoPromote: z.boolean().default(false),
  autoRollback: z.boolean().default(true),
  steps: rampSteps.default([10, 50, 100]),
  minSamples: z.int().min(1).default(500),
  alpha: z.number().gt(0).lt(1).default(0.05),
});

const webhookTrainer = z.strictObject({
  webhook: z.url({ protocol: /^https$/, message: 'must be an https URL' }),
  secretRef: z.string().min(1),
});

/**
 * What starts a retraining run: a drift, quality or performance alert on the endpoint (with
 * `minLabels` new labels in), every `minLabels` new labels (`labels`), the `schedule`, or only
 * `POST /retrain` (`manual`). Every automatic start waits out `cooldownMinutes` after the last.
 */
const retrainTrigger = z.enum(['drift', 'quality', 'performance', 'labels', 'schedule', 'manual']);

const retrainSchedule = z.string().superRefine((text, ctx) => {
  try {
    parseSchedule(text);
  } catch (error) {
    if (!(error instanceof InvalidScheduleError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});

const retrainPolicy = z
  .strictObject({
    on: z
      .array(retrainTrigger)
      .min(1)
      .refine((on) => new Set(on).size === on.length, 'must not repeat a trigger')
      .default(['drift']),
    trainer: z.union([z.literal('builtin'), webhookTrainer]).default('builtin'),
    minLabels: z.int().min(1).default(1000),
    cooldownMinutes: z.int().min(0).default(60),
    canaryPercent: percentage.refine((p) => p > 0, 'must be greater than 0').default(10),
    minImprovement: z.number().min(0).default(0),
    /** For `on: ["schedule"]`: `rate(6 hours)` or `cron(0 3 * * *)` (UTC). */
    schedule: retrainSchedule.optional(),
  })
  .superRefine((policy, ctx) => {
    if (policy.on.includes('schedule') !== (policy.schedule !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['schedule'],
        message:
          policy.schedule === undefined ? 'the "schedule" trigger needs a schedule, like "rate(1 day)" or "cron(0 3 * * *)"' : 'a schedule only runs with "schedule" in `on`',
      });
    }
  });

/** A duration of whole minutes or hours: `"1m"`, `"15m"`, `"1h"`. */
const duration = z.string().regex(/^[1-9]\d*[mh]$/, 'must be whole minutes or hours, like "1m", "5m" or "1h"');

/**
 * How the judge watches the endpoint. Every `window` (on the clock, whether or not traffic comes)
 * it judges the windows of the last `lookback`, merged: drift, data quality, health and the
 * alerts they open or resolve. `minSamples` valid values a column needs in a look before it can
 * drift; `alpha` is the false-discovery rate of one look's tests (after Benjamini–Hochberg over
 * the columns), kept small because the endpoint is looked at every window of the day — see
 * bench/README.md for the false alarms it gives. Defaults: `{window: "1m", lookback: "5m",
 * minSamples: 200, alpha: 0.0001}` (`DEFAULT_MONITORING`).
 */
const monitoring = z
  .strictObject({
    window: duration.default('1m'),
    lookback: duration.default('5m'),
    minSamples: z.int().min(10).max(1_000_000).default(200),
    alpha: z.number().gt(0).max(0.1).default(0.0001),
  })
  .superRefine((m, ctx) => {
    const window = durationMs(m.window);
    const lookback = durationMs(m.lookback);
    if (HOUR_MS % window !== 0) ctx.addIssue({ code: 'custom', path: ['window'], message: 'must divide an hour (1m, 2m, 5m, 10m, 15m, 30m, 1h, …)' });
    if (lookback % window !== 0) ctx.addIssue({ code: 'custom', path: ['lookback'], message: 'must be a whole number of windows' });
    if (lookback > MAX_LOOKBACK_MS) ctx.addIssue({ code: 'custom', path: ['lookback'], message: 'must be at most 24h' });
  });

/**
 * How long this endpoint's raw logs and join rows are kept, when shorter than the defaults
 * (infra/retention.ts): `logsDays` for its prediction-log archive, `joinedDays` for the
 * prediction and feedback items of its feedback join. Swept daily.
 */
const retentionPolicy = z.strictObject({
  logsDays: z.int().min(1).max(retention.logs.maxDays).optional(),
  joinedDays: z.int().min(1).max(retention.joined.maxDays).optional(),
});

export const endpointConfigSchema = z
  .strictObject({
    variants: z.array(variantSpec).min(1).max(10),
    shadows: z.array(shadowSpec).max(10).default([]),
    sticky: z.boolean().default(true),
    logging: loggingPolicy,
    guardrails: guardrails.optional(),
    retrain: retrainPolicy.optional(),
    monitoring: monitoring.optional(),
    retention: retentionPolicy.optional(),
  })
  .superRefine((config, ctx) => {
    const total = config.variants.reduce((sum, v) => sum + v.weight, 0);
    if (Math.abs(total - 100) > 1e-9) {
      ctx.addIssue({ code: 'custom', path: ['variants'], message: `weights must sum to 100, not ${total}` });
    }
    const seen = new Set<string>();
    const named = [
      ...config.variants.map((v, i) => ({ name: v.name, path: ['variants', i, 'name'] })),
      ...config.shadows.map((s, i) => ({ name: s.name, path: ['shadows', i, 'name'] })),
    ];
    for (const { name, path } of named) {
      const key = name.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path, message: `name "${name}" is already used` });
      seen.add(key);
    }
  });

export type EndpointConfigInput = z.input<typeof endpointConfigSchema>;
export type EndpointConfig = z.output<typeof endpointConfigSchema>;
export type VariantSpec = EndpointConfig['variants'][number];
export type ShadowSpec = EndpointConfig['shadows'][number];
export type LoggingPolicy = EndpointConfig['logging'];
export type GuardrailMetric = z.output<typeof guardrailMetric>;
export type Guardrails = z.output<typeof guardrails>;
export type RetrainTrigger = z.output<typeof retrainTrigger>;
export type RetrainPolicy = z.output<typeof retrainPolicy>;
export type Trainer = RetrainPolicy['trainer'];
export type MonitoringConfig = z.output<typeof monitoring>;

/** The monitoring of an endpoint that sets none. */
export const DEFAULT_MONITORING: MonitoringConfig = monitoring.parse({});

/** The monitoring config in milliseconds, defaults filled in. */
export interface MonitoringPlan {
  readonly windowMs: number;
  readonly lookbackMs: number;
  readonly minSamples: number;
  readonly alpha: number;
}

export function monitoringPlan(config: Pick<EndpointConfig, 'monitoring'>): MonitoringPlan {
  const m = config.monitoring ?? DEFAULT_MONITORING;
  return { windowMs: durationMs(m.window), lookbackMs: durationMs(m.lookback), minSamples: m.minSamples, alpha: m.alpha };
}

/** `"5m"` → 300000; the text is a validated duration. */
function durationMs(text: string): number {
  return Number(text.slice(0, -1)) * (text.endsWith('h') ? HOUR_MS : MINUTE_MS);
}

/** A validation error; `path` is JSON-pointer-like without the leading slash: `variants/1/weight`. */
export interface ConfigError {
  readonly path: string;
  readonly message: string;
}

export type ParsedEndpointConfig = { readonly ok: true; readonly config: EndpointConfig } | { readonly ok: false; readonly errors: readonly ConfigError[] };

export function parseEndpointConfig(input: unknown): ParsedEndpointConfig {
  const result = endpointConfigSchema.safeParse(input);
  return result.success ? { ok: true, config: result.data } : { ok: false, errors: result.error.issues.flatMap((issue) => toConfigErrors(issue, [])) };
}

function toConfigErrors(issue: z.core.$ZodIssue, parentPath: readonly PropertyKey[]): ConfigError[] {
  const path = [...parentPath, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: pointer([...path, key]), message: 'unknown field' }));
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    return closestBranch(issue.errors).flatMap((branchIssue) => toConfigErrors(branchIssue, path));
  }
  return [{ path: pointer(path), message: issue.message }];
}

// When no branch of a union matches, the branch that failed deepest in the input is the one the
// client meant (`{"webhook": "http://…"}` is a webhook with a bad URL, not a misspelt "builtin").
function closestBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] {
  const depth = (issues: readonly z.core.$ZodIssue[]) => Math.max(...issues.map((i) => i.path.length));
  return branches.reduce((best, branch) => (depth(branch) > depth(best) ? branch : best));
}

function pointer(path: readonly PropertyKey[]): string {
  return path.map(String).join('/');
}
