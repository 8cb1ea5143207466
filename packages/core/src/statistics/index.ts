export { chiSquareSf, normalCdf, normalQuantile, normalSf, studentTQuantile, studentTSf } from './distributions.ts';
export { kolmogorovSurvival, regularizedBeta, regularizedGammaQ } from './special-functions.ts';
export { mulberry32 } from './random.ts';
