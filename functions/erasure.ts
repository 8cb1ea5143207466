import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { createErasureHandler, createFeatureEraser, builtOnFirstInvocation } from '@flywheel/deploy';

/**
 * Lambda entry: the erasure function of packages/deploy, wired from the deploy's environment on
 * the first invocation; an entity's feature rows are erased in JavaScript (no join engine needed).
 */
export const handler = builtOnFirstInvocation(() => {
  const clients = createAwsClients();
  const names = resourceNamesFromEnv();
  return createErasureHandler(clients, names, { features: createFeatureEraser(clients, names) });
});
