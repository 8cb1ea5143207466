export { main, EXIT } from './main.ts';
export { configFromEnv, FlywheelClient, ApiError, DEFAULT_URL } from './client.ts';
export { UsageError } from './errors.ts';
