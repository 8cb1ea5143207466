import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createRetentionHandler, builtOnFirstInvocation } from '@flywheel/deploy';

/** Lambda entry: the retention function of packages/deploy, wired from the deploy's environment on the first invocation. */
export const handler = builtOnFirstInvocation(() => createRetentionHandler(createAwsClients(), resourceNamesFromEnv()));
