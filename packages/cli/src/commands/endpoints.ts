import { Command, InvalidArgumentError } from 'commander';
import type { EndpointConfig, VariantSpec } from '@flywheel/core';
import { ApiError, type FlywheelClient } from '../client.ts';
import { UsageError } from '../errors.ts';
import type { ContextFor } from '../context.ts';
import { details, table, weights } from '../output.ts';
import { canaryVariants, deployVariants, describeTarget, parseTarget, promoteVariants } from '../split.ts';

interface EndpointView {
  endpoint: string;
  configVersion: number;
  etag: string;
  config: EndpointConfig;
  change: { kind: string; restoredFrom?: number; reason?: string; actor?: string };
  updatedAt: string;
}

export function endpointsCommand(contextFor: ContextFor): Command {
  const endpoints = new Command('endpoints').description('endpoints and their traffic split: deploy, canary, promote, roll back');
  endpoints
    .command('list')
    .description('every endpoint with its variants and weights')
    .action(async (_options, command: Command) => {
      const { client, out } = contextFor(command);
      const body = await client.get<{ endpoints: EndpointView[] }>('/v1/endpoints');
      out.result(body, () =>
        body.endpoints.length
          ? table(
              ['endpoint', 'config', 'variants', 'shadows', 'updated'],
              body.endpoints.map((e) => [e.endpoint, e.configVersion, weights(e.config.variants), e.config.shadows.map((s) => `${s.name} ${s.percent}%`).join(', '), e.updatedAt]),
            )
          : 'no endpoints',
      );
    });
  endpoints
    .command('show')
    .description('the current config of an endpoint and its recent history')
    .argument('<endpoint>')
    .action(async (name: string, _options, command: Command) => {
      const { client, out } = contextFor(command);
      const path = `/v1/endpoints/${encodeURIComponent(name)}`;
      const [current, history] = await Promise.all([client.get<EndpointView>(path), client.get<{ history: EndpointView[] }>(`${path}/history`, { limit: '10' })]);
      out.result({ ...current, history: history.history }, () =>
        [
          details([
            ['endpoint', current.endpoint],
            ['config version', current.configVersion],
            ['etag', current.etag],
            ['sticky', current.config.sticky],
            ['logging', `${current.config.logging.percent}%`],
            ['guardrails', current.config.guardrails ?? 'none'],
          ]),
          table(
            ['variant', 'model', 'weight'],
            current.config.variants.map((v) => [v.name, `${v.model}@${v.version ?? v.alias}`, `${v.weight}%`]),
          ),
          table(['config', 'change', 'by', 'variants', 'at'], history.history.map(historyRow)),
        ].join('\n'),
      );
    });
  endpoints
    .command('deploy')
    .description('send all traffic to one model version (creates the endpoint when it does not exist)')
    .argument('<endpoint>')
    .argument('<target>', '<model>@<version> or <model>@<alias>')
    .action(async (name: string, target: string, _options, command: Command) => {
      const { client, out } = contextFor(command);
      const parsed = parseTarget(target);
      const current = await currentEndpoint(client, name);
      const next = current
        ? await change(client, current, { ...current.config, variants: deployVariants(current.config, parsed) })
        : await client
            .request<EndpointView>(`/v1/endpoints/${encodeURIComponent(name)}`, {
              method: 'PUT',
              json: { variants: deployVariants(undefined, parsed) },
              headers: { 'if-none-match': '*' },
            })
            .then((r) => r.body);
      out.result(next, () => `${name}: config version ${next.configVersion}, ${weights(next.config.variants)}`);
    });
  endpoints
    .command('canary')
    .description('send a share of the traffic to a candidate, the rest to the control; run again to ramp')
    .argument('<endpoint>')
    .argument('<target>', '<model>@<version> or <model>@<alias>')
    .requiredOption('--percent <n>', 'share of the traffic for the candidate (0 < n < 100)', percentage)
    .action(async (name: string, target: string, options: { percent: number }, command: Command) => {
      const { client, out } = contextFor(command);
      const current = await existingEndpoint(client, name);
      const next = await change(client, current, { ...current.config, variants: canaryVariants(current.config, parseTarget(target), options.percent) });
      out.result(next, () => `${name}: config version ${next.configVersion}, ${weights(next.config.variants)}`);
    });
  endpoints
    .command('promote')
    .description('the candidate takes all traffic and becomes the control')
    .argument('<endpoint>')
    .option('--variant <name>', 'the variant to promote, when there are several candidates')
    .action(async (name: string, options: { variant?: string }, command: Command) => {
      const { client, out } = contextFor(command);
      const current = await existingEndpoint(client, name);
      const { variants, promoted } = promoteVariants(current.config, options.variant);
      const next = await change(client, current, { ...current.config, variants });
      out.result(next, () => `${name}: promoted ${promoted.name} (${describeTarget(promoted)}); config version ${next.configVersion}, ${weights(next.config.variants)}`);
    });
  endpoints
    .command('rollback')
    .description('restore an earlier config of the endpoint (default: the one before the current)')
    .argument('<endpoint>')
    .option('--to <configVersion>', 'the config version to restore', positiveInt)
    .action(async (name: string, options: { to?: number }, command: Command) => {
      const { client, out } = contextFor(command);
      const current = await existingEndpoint(client, name);
      const configVersion = options.to ?? current.configVersion - 1;
      if (configVersion < 1) throw new UsageError(`${name} has only config version 1: there is nothing to roll back to`);
      const next = await client
        .request<EndpointView>(`/v1/endpoints/${encodeURIComponent(name)}/rollback`, { json: { configVersion }, headers: { 'if-match': current.etag } })
        .then((r) => r.body, staleAsConflict(name));
      out.result(next, () => `${name}: restored config version ${configVersion} as config version ${next.configVersion}, ${weights(next.config.variants)}`);
    });
  endpoints
    .command('history')
    .description('every change of an endpoint config, newest first')
    .argument('<endpoint>')
    .option('--limit <n>', 'how many', positiveInt, 20)
    .action(async (name: string, options: { limit: number }, command: Command) => {
      const { client, out } = contextFor(command);
      const body = await client.get<{ history: EndpointView[] }>(`/v1/endpoints/${encodeURIComponent(name)}/history`, { limit: String(options.limit) });
      out.result(body, () => table(['config', 'change', 'by', 'variants', 'at'], body.history.map(historyRow)));
    });
  return endpoints;
}

function historyRow(record: EndpointView): unknown[] {
  const kind = record.change.kind + (record.change.restoredFrom ? ` of ${record.change.restoredFrom}` : '');
  return [record.configVersion, record.change.reason ? `${kind}: ${record.change.reason}` : kind, record.change.actor, weights(record.config.variants), record.updatedAt];
}

async function currentEndpoint(client: FlywheelClient, name: string): Promise<EndpointView | undefined> {
  return client.get<EndpointView>(`/v1/endpoints/${encodeURIComponent(name)}`).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  });
}

async function existingEndpoint(client: FlywheelClient, name: string): Promise<EndpointView> {
  return client.get<EndpointView>(`/v1/endpoints/${encodeURIComponent(name)}`);
}

/** PUT the new config against the ETag just read: a change in between is refused, never overwritten. */
async function change(client: FlywheelClient, current: EndpointView, config: EndpointConfig & { variants: VariantSpec[] }): Promise<EndpointView> {
  return client
    .request<EndpointView>(`/v1/endpoints/${encodeURIComponent(current.endpoint)}`, { method: 'PUT', json: config, headers: { 'if-match': current.etag } })
    .then((response) => response.body, staleAsConflict(current.endpoint));
}

function staleAsConflict(name: string) {
  return (error: unknown): never => {
    if (error instanceof ApiError && error.status === 412) {
      throw new ApiError(`412 ${name} changed while this command ran; nothing was overwritten — look at \`flywheel endpoints show ${name}\` and run it again`, 412, error.problem);
    }
    throw error;
  };
}

function percentage(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || text.trim() === '') throw new InvalidArgumentError('a number of percent, such as 10');
  return value;
}

export function positiveInt(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('a whole number from 1');
  return Number(text);
}
