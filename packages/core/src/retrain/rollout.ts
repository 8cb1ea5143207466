import type { EndpointConfig, RetrainPolicy, VariantSpec } from '../routing/endpoint-config.ts';
import { championVariant } from './ids.ts';

/** Whether a retrained model goes out: it must beat the champion, by at least `minImprovement`. */
export function canaryVerdict(improvement: number | undefined, policy: Pick<RetrainPolicy, 'minImprovement'>, primary: string): { start: boolean; reason: string } {
  if (improvement === undefined) return { start: false, reason: 'the champion could not be evaluated on the holdout, so the new version was not compared' };
  const shown = `${primary} improvement ${improvement.toFixed(4)}`;
  if (improvement <= 0) return { start: false, reason: `${shown}: does not beat the champion` };
  if (improvement < policy.minImprovement) return { start: false, reason: `${shown} is below minImprovement ${policy.minImprovement}` };
  return { start: true, reason: `${shown} meets minImprovement ${policy.minImprovement}` };
}

/**
 * The endpoint config with the new version as a canary: a variant taking `percent` of the
 * champion's weight. A canary left by an earlier run (the variant of that name) is replaced and
 * its weight returned to the champion first; every other variant, shadow and policy is kept.
 */
export function withCanary(
  config: EndpointConfig,
  canary: { readonly model: string; readonly version: number },
  percent: number,
): { config: EndpointConfig; variant: string } | { reason: string } {
  const champion = championVariant(config);
  const name = champion.name === 'candidate' ? 'challenger' : 'candidate';
  const previous = config.variants.find((v) => v.name === name);
  const championWeight = champion.weight + (previous?.weight ?? 0);
  const weight = round2(championWeight - percent);
  if (weight < 0) return { reason: `the champion serves ${championWeight}% of traffic, less than the ${percent}% canary` };
  const variants: VariantSpec[] = config.variants.filter((v) => v.name !== name).map((v) => (v.name === champion.name ? { ...v, weight } : v));
  variants.push({ name, model: canary.model, version: canary.version, weight: percent });
  return { config: { ...config, variants }, variant: name };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
