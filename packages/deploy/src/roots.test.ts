import { describe, expect, it } from 'vitest';
import { createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { silentLogger } from '@flywheel/core';
import { functions, type FunctionDefinition } from '@flywheel/infra';
import { namedResourcesOf } from '@flywheel/infra/function-package';
import { createApiDependencies } from './api.ts';
import { createBatchHandler } from './batch.ts';
import { createErasureHandler } from './erasure.ts';
import { createEventsHandler } from './events.ts';
import { createJudgeHandler } from './judge.ts';
import { createMonitorHandler } from './monitor.ts';
import { createReplayHandler } from './replay.ts';
import { createRetentionHandler } from './retention.ts';
import { createTrainHandler } from './train.ts';

const clients = createAwsClients({ region: 'us-east-1', endpoints: { dynamodb: 'http://127.0.0.1:9', sqs: 'http://127.0.0.1:9', s3: 'http://127.0.0.1:9' } });

/** The environment the deploy gives a function: the names of what infra/functions.ts grants it, and nothing else. */
function deployedNames(fn: FunctionDefinition) {
  return resourceNamesFromEnv(Object.fromEntries(namedResourcesOf(fn).map((named) => [named.envVar, `name-of-${named.envVar}`])));
}

const roots: Record<string, (names: ReturnType<typeof deployedNames>) => unknown> = {
  api: (names) => createApiDependencies(clients, names, {}),
  monitor: (names) => createMonitorHandler(clients, names, { env: {} }),
  judge: (names) => createJudgeHandler(clients, names, { env: {} }),
  events: (names) => createEventsHandler(clients, names, { env: {}, logger: silentLogger }),
  train: (names) => createTrainHandler(clients, names, { logger: silentLogger }),
  batch: (names) => createBatchHandler(clients, names, { env: {}, logger: silentLogger }),
  erasure: (names) => createErasureHandler(clients, names, { logger: silentLogger }),
  retention: (names) => createRetentionHandler(clients, names),
  replay: (names) => createReplayHandler(clients, names),
};

describe('the composition roots', () => {
  it('has one for every deployed function but the edge (which has no environment: its names are bundled)', () => {
    expect(Object.keys(roots).sort()).toEqual(
      Object.keys(functions)
        .filter((name) => name !== 'edge')
        .sort(),
    );
  });

  for (const [name, build] of Object.entries(roots)) {
    it(`wires ${name} from only the names its deploy gives it`, () => {
      expect(() => build(deployedNames(functions[name as keyof typeof functions]))).not.toThrow();
    });
  }
});
