import { chiSquareSf } from '../../statistics/distributions.ts';

export interface ChiSquareResult {
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  readonly pValue: number;
}

/**
 * Pearson's chi-square test of homogeneity on the 2 × k table formed by two count vectors over
 * the same categories. Categories empty in both samples carry no information and are dropped
 * from the table (and from the degrees of freedom).
 */
export function chiSquareHomogeneity(a: readonly number[], b: readonly number[]): ChiSquareResult {
  const totalA = a.reduce((s, c) => s + c, 0);
  const totalB = b.reduce((s, c) => s + c, 0);
  const total = totalA + totalB;
  let statistic = 0;
  let categories = 0;
  for (let i = 0; i < a.length; i++) {
    const column = a[i] + b[i];
    if (column === 0) continue;
    categories++;
    const expectedA = (totalA * column) / total;
    const expectedB = (totalB * column) / total;
    statistic += (a[i] - expectedA) ** 2 / expectedA + (b[i] - expectedB) ** 2 / expectedB;
  }
  const degreesOfFreedom = categories - 1;
  if (degreesOfFreedom < 1) return { statistic: 0, degreesOfFreedom: 0, pValue: 1 };
  return { statistic, degreesOfFreedom, pValue: chiSquareSf(statistic, degreesOfFreedom) };
}
