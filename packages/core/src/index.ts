export * from './auth/api-key.ts';
export * from './statistics/index.ts';
export * from './routing/index.ts';
export * from './experiment/index.ts';
export * from './drift/index.ts';
export * from './alerts/index.ts';
