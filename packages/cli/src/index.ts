export { main, EXIT } from './main.ts';
export { configFromEnv, FlywheelClient, ApiError, UsageError, DEFAULT_URL } from './client.ts';
