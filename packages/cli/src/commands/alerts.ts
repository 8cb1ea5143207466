import { Command, Option } from 'commander';
import type { Alert } from '@flywheel/core';
import type { ContextFor } from '../context.ts';
import { table } from '../output.ts';

export function alertsCommand(contextFor: ContextFor): Command {
  const alerts = new Command('alerts').description('alerts raised by the monitor: list, acknowledge, resolve');
  alerts
    .command('list', { isDefault: true })
    .description('alerts, newest first (the default of `flywheel alerts`)')
    .option('--open', 'only open alerts (same as --status open)')
    .addOption(new Option('--status <status>', 'only alerts in this status').choices(['open', 'acknowledged', 'resolved']))
    .option('--endpoint <name>', 'only alerts of this endpoint')
    .action(async (options: { open?: boolean; status?: string; endpoint?: string }, command: Command) => {
      const { client, out } = contextFor(command);
      const body = await client.get<{ alerts: Alert[] }>('/v1/alerts', { status: options.open ? 'open' : options.status, endpoint: options.endpoint });
      out.result(body, () =>
        body.alerts.length
          ? table(
              ['id', 'status', 'endpoint', 'kind', 'feature', 'summary', 'opened'],
              body.alerts.map((a) => [a.id, a.status, a.endpoint, a.kind, a.feature, a.summary, a.openedAt]),
            )
          : 'no alerts',
      );
    });
  for (const [verb, description] of [
    ['acknowledge', 'mark an open alert as seen: it stays until the policy or a person resolves it'],
    ['resolve', 'close an alert (its cool-down starts)'],
  ] as const) {
    alerts
      .command(verb)
      .description(description)
      .argument('<id>')
      .action(async (id: string, _options, command: Command) => {
        const { client, out } = contextFor(command);
        const alert = (await client.request<Alert>(`/v1/alerts/${encodeURIComponent(id)}/${verb}`, { method: 'POST' })).body;
        out.result(alert, () => `alert ${alert.id} is ${alert.status}`);
      });
  }
  return alerts;
}
