import { Metrics } from '@aws-lambda-powertools/metrics';
import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createJudgeHandler, builtOnFirstInvocation } from '@flywheel/deploy';

/** Lambda entry: the judge function of packages/deploy, wired from the deploy's environment on the first invocation, with CloudWatch metrics (EMF). */
export const handler = builtOnFirstInvocation(() =>
  createJudgeHandler(createAwsClients(), resourceNamesFromEnv(), { metrics: new Metrics({ namespace: 'Flywheel', serviceName: 'judge' }) }),
);
