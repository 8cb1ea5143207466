import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** A DynamoDB client that fails the calls `fails` picks: a crash or an outage mid-batch. */
export function faultyDynamo(client: DynamoDBClient, fails: (command: unknown) => boolean): DynamoDBClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: unknown, ...rest: unknown[]) =>
        fails(command) ? Promise.reject(new Error('injected fault')) : (target.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    },
  });
}
