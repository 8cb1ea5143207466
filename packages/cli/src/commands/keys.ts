import { Command, Option } from 'commander';
import type { ContextFor } from '../context.ts';
import { details, table } from '../output.ts';

const SCOPES = ['predict', 'read', 'deploy', 'admin'];

interface KeyView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  revokedAt?: string;
}

export function keysCommand(contextFor: ContextFor): Command {
  const keys = new Command('keys').description('API keys (needs an admin key)');
  keys
    .command('create')
    .description('create a key; the key itself is shown once')
    .argument('<name>')
    .addOption(
      new Option('--scopes <scopes>', `comma-separated: ${SCOPES.join(', ')}`).makeOptionMandatory().argParser((text) =>
        text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    )
    .action(async (name: string, options: { scopes: string[] }, command: Command) => {
      const { client, out } = contextFor(command);
      const created = (await client.request<KeyView & { key: string }>('/v1/keys', { json: { name, scopes: options.scopes } })).body;
      out.result(
        created,
        () =>
          `${details([
            ['id', created.id],
            ['name', created.name],
            ['scopes', created.scopes.join(', ')],
            ['key', created.key],
          ])}\nkeep the key now: it is not shown again`,
      );
    });
  keys
    .command('list')
    .description('every key (without the keys themselves)')
    .action(async (_options, command: Command) => {
      const { client, out } = contextFor(command);
      const body = await client.get<{ keys: KeyView[] }>('/v1/keys');
      out.result(body, () =>
        table(
          ['id', 'name', 'scopes', 'created', 'revoked'],
          body.keys.map((k) => [k.id, k.name, k.scopes.join(', '), k.createdAt, k.revokedAt]),
        ),
      );
    });
  keys
    .command('revoke')
    .description('revoke a key by its id')
    .argument('<id>')
    .action(async (id: string, _options, command: Command) => {
      const { client, out } = contextFor(command);
      const revoked = (await client.request<KeyView>(`/v1/keys/${encodeURIComponent(id)}`, { method: 'DELETE' })).body;
      out.result(revoked, () => `revoked ${revoked.id} (${revoked.name}) at ${revoked.revokedAt}`);
    });
  return keys;
}
