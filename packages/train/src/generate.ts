import type { Dataset, Example, TaskType, TrainingFeature } from './dataset.ts';
import { seededRandom, type Random } from './random.ts';

export interface GenerateOptions {
  /** Same seed, same rows. */
  readonly seed: number;
  readonly rows: number;
  /**
   * Which relationship between features and label holds. Concept 2 keeps the effect of support
   * calls but reverses usage, tenure and plan, so a model of one is a poor model of the other: a
   * concept change.
   */
  readonly concept?: 1 | 2;
  /** 0 (none) to 1: moves the feature distributions (newer, heavier users on bigger plans), which drift detection sees. */
  readonly covariateShift?: number;
  readonly task?: TaskType;
  /** Time of the first row; rows follow `intervalMs` apart. */
  readonly start?: string;
  readonly intervalMs?: number;
  /** Prefix of row keys (`<prefix>-<n>/0`), so batches generated separately do not collide. */
  readonly idPrefix?: string;
}

const plans = ['basic', 'pro', 'enterprise'] as const;
const regions = ['north', 'south', 'east', 'west'] as const;

/** The columns of the generated data, in input order. */
export const generatedFeatures: readonly TrainingFeature[] = [
  { name: 'tenure_months', kind: 'numerical' },
  { name: 'monthly_spend', kind: 'numerical' },
  { name: 'support_calls', kind: 'numerical' },
  { name: 'usage_hours', kind: 'numerical' },
  { name: 'plan', kind: 'categorical', categories: [...plans] },
  { name: 'region', kind: 'categorical', categories: [...regions] },
];

const multiclasses = ['stay', 'downgrade', 'churn'] as const;

/**
 * A synthetic customer table: four numerical and two categorical features, and a label —
 * churn (binary), stay/downgrade/churn (multiclass) or a spend change (regression) — drawn from a
 * latent score whose coefficients depend on the concept. Deterministic in its options.
 */
export function generateTabularDataset(options: GenerateOptions): Dataset {
  const random = seededRandom(options.seed);
  const concept = options.concept ?? 1;
  const shift = options.covariateShift ?? 0;
  const task = options.task ?? 'binary-classification';
  const start = Date.parse(options.start ?? '2025-01-01T00:00:00.000Z');
  const interval = options.intervalMs ?? 1000;
  const prefix = options.idPrefix ?? `s${options.seed}`;

  const examples: Example[] = [];
  for (let n = 0; n < options.rows; n++) {
    const features = drawFeatures(random, shift);
    const score = latentScore(features, concept);
    examples.push({ key: `${prefix}-${n}/0`, time: new Date(start + n * interval).toISOString(), features, label: drawLabel(random, score, task) });
  }
  return {
    features: generatedFeatures,
    task: task === 'regression' ? { type: task } : { type: task, classes: task === 'binary-classification' ? [0, 1] : [...multiclasses] },
    examples,
  };
}

function drawFeatures(random: Random, shift: number) {
  const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
  return {
    tenure_months: round(Math.max(0, 36 - 20 * shift + 18 * random.normal()), 0),
    monthly_spend: round(Math.exp(4 + 0.3 * shift + 0.4 * random.normal())),
    support_calls: Math.max(0, Math.round(2 + shift + 1.5 * random.normal())),
    usage_hours: round(Math.max(0, 20 + 8 * shift + 8 * random.normal()), 1),
    plan: plans[random.pick([0.5 - 0.25 * shift, 0.35, 0.15 + 0.25 * shift])],
    region: regions[random.pick([0.3, 0.25, 0.25, 0.2])],
  };
}

const planEffect = { 1: { basic: 0.8, pro: 0, enterprise: -1.2 }, 2: { basic: -1.0, pro: 0.2, enterprise: 1.0 } } as const;
const regionEffect = { north: 0.2, south: -0.2, east: 0, west: 0.1 } as const;

/** Centred, scaled features combined per concept. */
function latentScore(f: ReturnType<typeof drawFeatures>, concept: 1 | 2): number {
  const tenure = (f.tenure_months - 36) / 18;
  const spend = (Math.log(f.monthly_spend) - 4) / 0.4;
  const calls = (f.support_calls - 2) / 1.5;
  const usage = (f.usage_hours - 20) / 8;
  const plan = planEffect[concept][f.plan];
  return concept === 1
    ? -0.3 - 1.6 * tenure + 0.8 * spend + 1.2 * calls - 1.0 * usage + plan + regionEffect[f.region]
    : -0.2 + 0.4 * tenure - 0.3 * spend + 1.2 * calls + 1.8 * usage + plan + regionEffect[f.region];
}

function drawLabel(random: Random, score: number, task: TaskType): number | string {
  if (task === 'regression') return Math.round((10 * score + 3 * random.normal()) * 100) / 100;
  const p = 1 / (1 + Math.exp(-score));
  if (task === 'binary-classification') return random.next() < p ? 1 : 0;
  const noisy = score + 0.8 * random.normal();
  return multiclasses[noisy < -1 ? 0 : noisy < 1 ? 1 : 2];
}
