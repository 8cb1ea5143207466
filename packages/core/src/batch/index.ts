export * from './job.ts';
export * from './messages.ts';
export * from './plan.ts';
export * from './csv.ts';
export * from './rows.ts';
export * from './ports.ts';
export * from './worker.ts';
export * from './submit.ts';
