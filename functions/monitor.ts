import { Metrics } from '@aws-lambda-powertools/metrics';
import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createMonitorHandler, builtOnFirstInvocation } from '@flywheel/deploy';

/** Lambda entry: the monitor function of packages/deploy, wired from the deploy's environment on the first invocation, with CloudWatch metrics (EMF). */
export const handler = builtOnFirstInvocation(() =>
  createMonitorHandler(createAwsClients(), resourceNamesFromEnv(), { metrics: new Metrics({ namespace: 'Flywheel', serviceName: 'monitor' }) }),
);
