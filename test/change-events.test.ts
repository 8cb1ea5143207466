import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { endpointUpdatedEvent, silentLogger } from '@flywheel/core';
import type { CloudEvent } from '@flywheel/core';
import { createEventsHandler } from '@flywheel/deploy';
import { faultyDynamo } from '@flywheel/testing/faulty-dynamo';
import { lambdaContext, sqsEvent } from '@flywheel/testing/monitor-fixtures';
import { putEndpoint, registered, scaledModel, singleVariant } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { z } from 'zod';
import { eventSchema } from '../packages/api/src/routes/events.ts';

describe('registry and endpoint changes are announced as CloudEvents', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ consumers: { events: (clients, names) => createEventsHandler(clients, names, { logger: silentLogger }) } });
  });
  afterAll(() => system?.stop());

  async function eventsOfType(type: string, count: number): Promise<CloudEvent[]> {
    const deadline = Date.now() + 15_000;
    let events: CloudEvent[] = [];
    while (Date.now() < deadline) {
      const response = await system.api(`/v1/events?type=${type}`);
      const body = await response.json();
      // What is answered is what the OpenAPI document says.
      z.object({ events: z.array(eventSchema) }).parse(body);
      events = (body as { events: CloudEvent[] }).events;
      if (events.length >= count) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return events;
  }

  it('registering (twice), moving an alias and changing an endpoint each emit one event', async () => {
    const version = await registered(system, 'announced', scaledModel(2));
    await registered(system, 'announced', scaledModel(2));
    expect((await system.api('/v1/models/announced/aliases/prod', { method: 'PUT', json: { version } })).status).toBe(200);
    expect((await putEndpoint(system, 'announced', singleVariant('announced', version))).status).toBe(201);

    const registeredEvents = await eventsOfType('dev.flywheel.model.version.registered', 1);
    expect(registeredEvents).toHaveLength(1);
    expect(registeredEvents[0]).toMatchObject({ specversion: '1.0', source: '/models/announced', subject: `versions/${version}` });
    const aliasEvents = await eventsOfType('dev.flywheel.model.alias.moved', 1);
    expect(aliasEvents[0].data).toMatchObject({ model: 'announced', alias: 'prod', version });
    const endpointEvents = await eventsOfType('dev.flywheel.endpoint.updated', 1);
    expect(endpointEvents[0].data).toEqual({ endpoint: 'announced', configVersion: 1 });
  });

  it('reports only the message that failed for redelivery; the others in its batch are recorded, an invalid one dropped', async () => {
    const [kept, failed] = await Promise.all(
      ['kept', 'failed'].map((endpoint) => endpointUpdatedEvent({ endpoint: `partial-${endpoint}`, configVersion: 1 }, { time: new Date().toISOString() })),
    );
    const dynamodb = faultyDynamo(system.clients.dynamodb, (command) => command instanceof PutItemCommand && command.input.Item?.pk?.S === `EVENT#${failed.id}`);
    const handler = createEventsHandler({ ...system.clients, dynamodb }, system.names, { logger: silentLogger });
    const messages = [
      { messageId: 'm-failed', body: JSON.stringify(failed) },
      { messageId: 'm-invalid', body: '{"not": "an event"}' },
      { messageId: 'm-kept', body: JSON.stringify(kept) },
    ];
    expect(await handler(sqsEvent(messages), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-failed' }] });
    const recorded = (await eventsOfType('dev.flywheel.endpoint.updated', 2)).map((event) => event.id);
    expect(recorded).toContain(kept.id);
    expect(recorded).not.toContain(failed.id);
    // Every message failing is still a partial response (each one named), not a thrown batch.
    expect(await handler(sqsEvent(messages.slice(0, 1)), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-failed' }] });
  });
});
