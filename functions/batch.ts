import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createBatchHandler, builtOnFirstInvocation } from '@flywheel/deploy';

/** Lambda entry: the batch function of packages/deploy, wired from the deploy's environment on the first invocation. */
export const handler = builtOnFirstInvocation(() => createBatchHandler(createAwsClients(), resourceNamesFromEnv()));
