import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createErasureHandler, builtOnFirstInvocation } from '@flywheel/deploy';

/** Lambda entry: the erasure function of packages/deploy, wired from the deploy's environment on the first invocation. */
export const handler = builtOnFirstInvocation(() => createErasureHandler(createAwsClients(), resourceNamesFromEnv()));
