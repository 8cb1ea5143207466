import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { ContextFor } from '../context.ts';
import { details } from '../output.ts';

interface GovernedVersion {
  model: string;
  version: number;
  stage: string;
  tags: Record<string, string>;
  pendingStage?: { stage: string; reason: string; requestedBy: { keyName: string } };
}

const versionPath = (model: string, version: string) => {
  if (!/^[1-9]\d*$/.test(version)) throw new UsageError(`version must be a positive integer, got ${JSON.stringify(version)}`);
  return `/v1/models/${encodeURIComponent(model)}/versions/${version}`;
};

const summary = (body: GovernedVersion) =>
  details([
    ['model', body.model],
    ['version', body.version],
    ['stage', body.pendingStage ? `${body.stage} (${body.pendingStage.stage} waits for another key's approval)` : body.stage],
    [
      'tags',
      Object.entries(body.tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(', ') || '—',
    ],
  ]);

/** `models stage|approve|reject|tag`: registry governance (README, "Registry governance and lineage"). */
export function addGovernanceCommands(models: Command, contextFor: ContextFor): void {
  models
    .command('stage')
    .description('move a version to none, staging, production (waits for another key to approve) or archived')
    .argument('<model>')
    .argument('<version>')
    .argument('<stage>', 'none | staging | production | archived')
    .requiredOption('--reason <text>', 'why: kept with the change')
    .action(async (model: string, version: string, stage: string, options: { reason: string }, command: Command) => {
      const { client, out } = contextFor(command);
      const { body } = await client.request<GovernedVersion>(`${versionPath(model, version)}/stage`, { json: { stage, reason: options.reason } });
      out.result(body, () => summary(body));
    });
  for (const [decision, description] of [
    ['approve', 'approve the stage change waiting on a version (a key other than the one that asked)'],
    ['reject', 'turn down (or withdraw) the stage change waiting on a version'],
  ] as const) {
    models
      .command(decision)
      .description(description)
      .argument('<model>')
      .argument('<version>')
      .requiredOption('--reason <text>', 'why: kept with the decision')
      .action(async (model: string, version: string, options: { reason: string }, command: Command) => {
        const { client, out } = contextFor(command);
        const { body } = await client.request<GovernedVersion>(`${versionPath(model, version)}/stage/${decision}`, { json: { reason: options.reason } });
        out.result(body, () => summary(body));
      });
  }
  models
    .command('tag')
    .description('set tags (key=value) and remove tags (--remove key) of a version')
    .argument('<model>')
    .argument('<version>')
    .argument('[tags...]', 'key=value pairs to set')
    .option('--remove <key...>', 'tags to remove')
    .option('--reason <text>', 'why: kept with the change')
    .action(async (model: string, version: string, tags: string[], options: { remove?: string[]; reason?: string }, command: Command) => {
      const { client, out } = contextFor(command);
      const set = Object.fromEntries(
        tags.map((pair) => {
          const equals = pair.indexOf('=');
          if (equals < 1) throw new UsageError(`tags are key=value, got ${JSON.stringify(pair)}`);
          return [pair.slice(0, equals), pair.slice(equals + 1)];
        }),
      );
      if (tags.length === 0 && !options.remove?.length) throw new UsageError('give key=value tags to set or --remove keys');
      const json = { ...(tags.length ? { set } : {}), ...(options.remove?.length ? { remove: options.remove } : {}), ...(options.reason ? { reason: options.reason } : {}) };
      const { body } = await client.request<GovernedVersion>(`${versionPath(model, version)}/tags`, { method: 'PATCH', json });
      out.result(body, () => summary(body));
    });
}
