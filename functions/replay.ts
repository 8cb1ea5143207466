import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createReplayHandler, builtOnFirstInvocation } from '@flywheel/deploy';

/** Lambda entry: the replay function of packages/deploy, wired from the deploy's environment on the first invocation. */
export const handler = builtOnFirstInvocation(() => createReplayHandler(createAwsClients(), resourceNamesFromEnv()));
