import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { loggerOf, type Logger } from '@flywheel/core';

/**
 * The deployed functions' logger: Powertools Logger (one JSON object per line, `level` in capitals,
 * `service`, timestamp; level from `POWERTOOLS_LOG_LEVEL`), behind the small `Logger` the packages take.
 */
export function createFunctionLogger(serviceName: string): Logger {
  const powertools = new PowertoolsLogger({ serviceName });
  return loggerOf((level, message, fields) => powertools[level](message, fields));
}
