import { zeroInflatedCount, type Random } from './random.ts';

type Draw = (r: Random) => number;
const zeroInflated =
  (zeros: number): Draw =>
  (r) =>
    zeroInflatedCount(r, zeros);

/**
 * Hard data: each case is a reference distribution and a window distribution. Sizes run from 200
 * to 100k values per side, small against large both ways.
 */
export const hardCases: Record<string, readonly [Draw, Draw]> = {
  'Cauchy (t, 1 dof), same': [(r) => r.studentT(1), (r) => r.studentT(1)],
  'Cauchy, scale × 2': [(r) => r.studentT(1), (r) => 2 * r.studentT(1)],
  'Cauchy, location +1': [(r) => r.studentT(1), (r) => 1 + r.studentT(1)],
  't with 2 dof, scale × 1.5': [(r) => r.studentT(2), (r) => 1.5 * r.studentT(2)],
  'Pareto(1.5), same': [(r) => r.pareto(1.5), (r) => r.pareto(1.5)],
  'Pareto(1.5) → Pareto(1.1)': [(r) => r.pareto(1.5), (r) => r.pareto(1.1)],
  'lognormal(0, 1), same': [(r) => r.lognormal(0, 1), (r) => r.lognormal(0, 1)],
  'lognormal σ 1 → 1.3': [(r) => r.lognormal(0, 1), (r) => r.lognormal(0, 1.3)],
  'lognormal, scale × 1.2': [(r) => r.lognormal(0, 1), (r) => 1.2 * r.lognormal(0, 1)],
  'normal → lognormal': [(r) => r.normal(), (r) => r.lognormal(0, 1) - Math.exp(0.5)],
  'bimodal, mode weights 50/50 → 70/30': [(r) => (r.uniform() < 0.5 ? r.normal(-3, 0.5) : r.normal(3, 0.5)), (r) => (r.uniform() < 0.7 ? r.normal(-3, 0.5) : r.normal(3, 0.5))],
  'bimodal → unimodal, same sd': [(r) => (r.uniform() < 0.5 ? r.normal(-3, 0.5) : r.normal(3, 0.5)), (r) => r.normal(0, 3)],
  'zero-inflated counts, same': [zeroInflated(0.6), zeroInflated(0.6)],
  'zero-inflated counts, 60 % → 40 % zeros': [zeroInflated(0.6), zeroInflated(0.4)],
  'zero-inflated continuous, zeros → slightly negative': [(r) => (r.uniform() < 0.5 ? 0 : r.lognormal(0, 1)), (r) => (r.uniform() < 0.5 ? -1e-3 * r.uniform() : r.lognormal(0, 1))],
  'integers 0–999, uniform → triangular': [(r) => Math.floor(1000 * r.uniform()), (r) => Math.floor(1000 * Math.max(r.uniform(), r.uniform()))],
  'shift far beyond the maximum': [(r) => r.normal(), (r) => r.normal(20, 1)],
  'shift far below the minimum, wider': [(r) => r.normal(), (r) => r.normal(-50, 5)],
  'half beyond the range': [(r) => r.normal(), (r) => r.normal(3, 1)],
  'heavy tail beyond the range': [(r) => r.normal(), (r) => 5 + Math.abs(r.studentT(1))],
};

export const hardSizes: readonly (readonly [number, number])[] = [
  [200, 200],
  [1000, 1000],
  [5000, 5000],
  [100_000, 100_000],
  [2000, 100_000],
  [100_000, 200],
];
