export { jsonLogger, loggerOf, silentLogger, withFields, type LogFields, type Logger, type LogLevel } from './logger.ts';
