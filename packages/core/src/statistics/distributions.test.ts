import { describe, it } from 'vitest';
import { expectClose } from '@flywheel/testing/close-to';
import { chiSquareSf, normalCdf, normalQuantile, normalSf, studentTQuantile, studentTSf } from './distributions.ts';
import { regularizedBeta, regularizedGammaQ } from './special-functions.ts';

// Every expected value below is SciPy 1.17 (scipy.stats / scipy.special) output.
describe('special functions', () => {
  it('match scipy.special', () => {
    expectClose(regularizedGammaQ(0.5, 2), 0.04550026389635857);
    expectClose(regularizedBeta(0.4, 2.5, 3.5), 0.4869041915261176);
  });
});

describe('normal distribution', () => {
  it.each([
    [1.96, 0.024997895148220435],
    [2.5, 0.006209665325776132],
    [8, 6.22096057427174e-16],
    [-0.3, 0.6179114221889526],
    [0, 0.5],
  ])('sf(%d) = %d', (z, expected) => expectClose(normalSf(z), expected));

  it('has the cdf as the mirrored sf', () => expectClose(normalCdf(-1), 0.15865525393145707));

  it.each([
    [0.975, 1.959963984540054],
    [0.8, 0.8416212335729143],
    [1e-10, -6.361340902404056],
  ])('quantile(%d) = %d', (p, expected) => expectClose(normalQuantile(p), expected, 1e-13));

  it('has the median at 0', () => expectClose(Math.abs(normalQuantile(0.5)) + 1, 1));
});

describe('Student t distribution', () => {
  it.each([
    [2, 10, 0.036694017385370196],
    [1.5, 3.7, 0.10679908460100675],
    [-0.7, 25, 0.754804731606935],
    [8, 2, 0.00763403608266907],
    [40, 30, 6.863022597203209e-28],
  ])('sf(%d; df %d) = %d', (t, df, expected) => expectClose(studentTSf(t, df), expected));

  it.each([
    [0.975, 10, 2.228138851986274],
    [0.975, 1, 12.706204736174694],
    [0.975, 1000, 1.9623390808264083],
    [0.9995, 2.5, 18.277893528131457],
  ])('quantile(%d; df %d) = %d', (p, df, expected) => expectClose(studentTQuantile(p, df), expected, 1e-12));
});

describe('chi-square distribution', () => {
  it.each([
    [3.84, 1, 0.05004352124870519],
    [10, 3, 0.01856613546304325],
    [0.5, 7, 0.9994464813904249],
    [200, 100, 1.1784500720979781e-8],
    [1e-3, 2, 0.9995001249791693],
  ])('sf(%d; df %d) = %d', (x, df, expected) => expectClose(chiSquareSf(x, df), expected));
});
