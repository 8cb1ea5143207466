import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createDeployedFeatureStore, createTrainHandler, builtOnFirstInvocation } from '@flywheel/deploy';

/** Lambda entry: the train function of packages/deploy, wired from the deploy's environment on the first invocation. */
export const handler = builtOnFirstInvocation(() => {
  const clients = createAwsClients();
  const names = resourceNamesFromEnv();
  // View-backed features are joined point-in-time on Athena (the catalog sst.config.ts names);
  // a training set's join may take minutes, within the function's 15.
  const features = createDeployedFeatureStore(clients, names, { polling: { maxDelayMs: 5_000, timeoutMs: 10 * 60_000 } });
  return createTrainHandler(clients, names, features ? { features } : {});
});
