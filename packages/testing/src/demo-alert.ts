// An open drift alert on the demo endpoint, raised the way the system raises one: a few minutes of
// logged demo traffic far from the baseline go through the monitor function, then the judge
// function looks at them as its schedule would right after.
import type { Alert } from '@flywheel/core';
import { createJudgeHandler, createMonitorHandler } from '@flywheel/deploy';
import { at, batchBody, lambdaContext, logRecord, sqsEvent } from './monitor-fixtures.ts';
import type { TestSystem } from './system.ts';
import { judgeTick } from './lambda-events.ts';

const shifted = { tenure_months: 1, monthly_spend: 400, support_calls: 12, usage_hours: 1, plan: 'basic', region: 'south' };

/** Logs 300 shifted rows in minutes 1–4 of hour 0 and judges as of minute 5 (the demo's 5-minute look-back). Returns the open alerts. */
export async function raiseDemoAlert(system: TestSystem, version = 1): Promise<Alert[]> {
  const ingest = createMonitorHandler(system.clients, system.names);
  const records = Array.from({ length: 300 }, (_, i) =>
    logRecord(i, {
      id: `demo-alert-${i}/0`,
      endpoint: 'demo',
      variant: 'control',
      model: 'demo',
      version,
      time: at(0, 1 + (i % 4)),
      inputs: { ...shifted, monthly_spend: shifted.monthly_spend + (i % 10) },
      outputs: { label: 1, probabilities: [0.4, 0.6] },
    }),
  );
  const result = await ingest(sqsEvent([{ messageId: 'demo-alert', body: batchBody(records) }]), lambdaContext());
  if (result && result.batchItemFailures.length) throw new Error('the monitor failed the batch');
  const judge = createJudgeHandler(system.clients, system.names, { notificationWaitMs: 100 });
  await judge(judgeTick(at(0, 5)), lambdaContext());
  const response = await system.api('/v1/alerts?status=open&endpoint=demo');
  const { alerts } = (await response.json()) as { alerts: Alert[] };
  if (alerts.length === 0) throw new Error('the shifted minutes opened no alert');
  return alerts;
}
