import { describe, expect, it } from 'vitest';
import { MissingResourceError, createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';
import { queues, tables } from '@flywheel/infra';
import { apiDependencies } from './api.ts';
import { createMonitorDependencies } from './monitoring.ts';
import { StackAdapters } from './stack-adapters.ts';

// Nothing here sends a request: building adapters only names the resources they will use.
const clients = createAwsClients({ region: 'us-east-1', endpoints: { dynamodb: 'http://127.0.0.1:9', sqs: 'http://127.0.0.1:9', s3: 'http://127.0.0.1:9' } });
const everyName = Object.fromEntries([
  ...Object.values(tables).map((t) => [t.envVar, `table-${t.envVar}`]),
  ...Object.values(queues).map((q) => [q.envVar, `https://sqs.local/${q.envVar}`]),
  ['FLYWHEEL_BUCKET', 'bucket'],
]);

describe('StackAdapters', () => {
  it('gives every part of a process the same adapter: one events publisher for the API’s CloudEvents, feedback and retraining runs', () => {
    const stack = new StackAdapters(clients, resourceNamesFromEnv(everyName), {});
    const deps = apiDependencies(stack);
    expect(deps.events).toBe(stack.events);
    expect(deps.feedback?.events).toBe(stack.events);
    expect(deps.retraining?.retrain.events).toBe(stack.events);
    // The judge's guardrails and the feedback join tally into one experiment store, over one model registry.
    const monitor = createMonitorDependencies(stack);
    expect(monitor.events).toBe(stack.events);
    expect(monitor.guardrails?.outcomes).toBe(deps.feedback?.experiments);
    expect(monitor.versions).toBe(deps.registry);
  });

  it('reads a resource’s name when an adapter that needs it is first used, not before', () => {
    const onlyRegistry = resourceNamesFromEnv({ [tables.registry.envVar]: 'registry' });
    const stack = new StackAdapters(clients, onlyRegistry, {});
    expect(stack.endpoints).toBe(stack.endpoints);
    expect(() => stack.events).toThrow(MissingResourceError);
    expect(() => stack.events).toThrow(queues.events.envVar);
  });
});
