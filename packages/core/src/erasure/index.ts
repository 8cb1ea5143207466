export * from './erasure.ts';
export * from './ports.ts';
export * from './run-erasure.ts';
