import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createTrainHandler, builtOnFirstInvocation } from '@flywheel/deploy';

/** Lambda entry: the train function of packages/deploy, wired from the deploy's environment on the first invocation. */
export const handler = builtOnFirstInvocation(() => createTrainHandler(createAwsClients(), resourceNamesFromEnv()));
