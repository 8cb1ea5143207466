import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createEventsHandler, builtOnFirstInvocation } from '@flywheel/deploy';

/** Lambda entry: the events function of packages/deploy, wired from the deploy's environment on the first invocation. */
export const handler = builtOnFirstInvocation(() => createEventsHandler(createAwsClients(), resourceNamesFromEnv()));
