import type { EndpointConfig, VariantSpec } from '@flywheel/core';
import { UsageError } from './errors.ts';

/** `churn@3` (a version) or `churn@challenger` (an alias). */
export interface ModelTarget {
  model: string;
  version?: number;
  alias?: string;
}

export function parseTarget(text: string): ModelTarget {
  const match = /^([^@\s]+)@([^@\s]+)$/.exec(text);
  if (!match) throw new UsageError(`name a model as <model>@<version> or <model>@<alias>, got "${text}"`);
  const [, model, ref] = match;
  return /^\d+$/.test(ref) ? { model, version: Number(ref) } : { model, alias: ref };
}

export function describeTarget(target: { model: string; version?: number; alias?: string }): string {
  return `${target.model}@${target.version ?? target.alias}`;
}

const sameTarget = (variant: VariantSpec, target: ModelTarget) => variant.model === target.model && variant.version === target.version && variant.alias === target.alias;

const pointer = (target: ModelTarget): { version: number } | { alias: string } => (target.version !== undefined ? { version: target.version } : { alias: target.alias! });

/** The variant judged against: the one named `control`, else the first (as the guardrails see it). */
export function controlOf(variants: readonly VariantSpec[]): VariantSpec {
  return variants.find((variant) => variant.name === 'control') ?? variants[0];
}

/** All traffic to one model version (blue-green): a single variant, keeping the control's name. */
export function deployVariants(current: EndpointConfig | undefined, target: ModelTarget): VariantSpec[] {
  const name = current ? controlOf(current.variants).name : 'main';
  return [{ name, model: target.model, ...pointer(target), weight: 100 } as VariantSpec];
}

/**
 * `percent` of the traffic to `target`, the rest to the control. Ramping the same target again
 * changes only the weights (its units stay with it); a new target replaces any other candidate.
 */
export function canaryVariants(current: EndpointConfig, target: ModelTarget, percent: number): VariantSpec[] {
  if (!(percent > 0 && percent < 100)) throw new UsageError(`--percent must be between 0 and 100 (exclusive), got ${percent}; use deploy or promote for all traffic`);
  const control = controlOf(current.variants);
  if (sameTarget(control, target)) throw new UsageError(`${describeTarget(target)} is the control of this endpoint already`);
  const existing = current.variants.find((variant) => variant !== control && sameTarget(variant, target));
  // Other candidates are dropped, so only the control's name can clash.
  const name = existing?.name ?? (control.name === 'canary' ? 'candidate' : 'canary');
  const candidate = { name, model: target.model, ...pointer(target), weight: percent } as VariantSpec;
  return [{ ...control, weight: 100 - percent }, candidate];
}

/**
 * The candidate takes over: one variant with the control's name serving the candidate's model,
 * so the next canary is judged against what now serves everyone.
 */
export function promoteVariants(current: EndpointConfig, variantName?: string): { variants: VariantSpec[]; promoted: VariantSpec } {
  const control = controlOf(current.variants);
  const others = current.variants.filter((variant) => variant !== control);
  const promoted = variantName ? current.variants.find((variant) => variant.name === variantName) : others.length === 1 ? others[0] : undefined;
  if (!promoted) {
    throw new UsageError(
      variantName
        ? `the endpoint has no variant ${variantName} (it has ${current.variants.map((v) => v.name).join(', ')})`
        : others.length === 0
          ? 'the endpoint has one variant: there is no canary to promote'
          : `several candidates (${others.map((v) => v.name).join(', ')}); name one with --variant`,
    );
  }
  const served = { model: promoted.model, ...pointer(promoted) };
  return { variants: [{ name: control.name, ...served, weight: 100 } as VariantSpec], promoted };
}
