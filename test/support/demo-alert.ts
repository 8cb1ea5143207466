// An open drift alert on the demo endpoint, raised the way the monitor raises one: two past hours
// of logged demo traffic go through the monitor function, the first far from the baseline.
import type { Alert } from '@flywheel/monitor';
import { createMonitorHandler } from '../../functions/monitor.ts';
import { at, batchBody, lambdaContext, logRecord, sqsEvent } from './monitor-fixtures.ts';
import type { TestSystem } from './system.ts';

const usual = { tenure_months: 24, monthly_spend: 60, support_calls: 1, usage_hours: 20, plan: 'pro', region: 'north' };
const shifted = { tenure_months: 1, monthly_spend: 400, support_calls: 12, usage_hours: 1, plan: 'basic', region: 'south' };

/** Logs hour 0 (shifted) and hour 1 (usual) of `demo`; closing hour 0 opens its alerts. Returns the open ones. */
export async function raiseDemoAlert(system: TestSystem, version = 1): Promise<Alert[]> {
  const handle = createMonitorHandler(system.clients, system.names);
  for (const [hour, inputs] of [[0, shifted], [1, usual]] as const) {
    const records = Array.from({ length: 300 }, (_, i) =>
      logRecord(i, {
        id: `demo-alert-${hour}-${i}/0`,
        endpoint: 'demo',
        variant: 'control',
        model: 'demo',
        version,
        time: at(hour, 1 + (i % 50)),
        inputs: { ...inputs, monthly_spend: inputs.monthly_spend + (i % 10) },
        outputs: { label: 1, probabilities: [0.4, 0.6] },
      }),
    );
    const result = await handle(sqsEvent([{ messageId: `demo-alert-${hour}`, body: batchBody(records) }]), lambdaContext());
    if (result && result.batchItemFailures.length) throw new Error(`the monitor failed the batch of hour ${hour}`);
  }
  const response = await system.api('/v1/alerts?status=open&endpoint=demo');
  const { alerts } = (await response.json()) as { alerts: Alert[] };
  if (alerts.length === 0) throw new Error('the shifted hour opened no alert');
  return alerts;
}
