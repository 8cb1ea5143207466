export { chiSquareSf, normalCdf, normalQuantile, normalSf, studentTQuantile, studentTSf } from './distributions.ts';
export { kolmogorovSurvival, regularizedBeta, regularizedGammaQ } from './special-functions.ts';
