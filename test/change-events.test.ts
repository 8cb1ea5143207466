import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@flywheel/core';
import type { CloudEvent } from '@flywheel/core';
import { createEventsHandler } from '../functions/events.ts';
import { putEndpoint, registered, scaledModel, singleVariant } from './support/models.ts';
import { startTestSystem, type TestSystem } from './support/system.ts';

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
      events = ((await response.json()) as { events: CloudEvent[] }).events;
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
});
