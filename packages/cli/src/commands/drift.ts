import { Command } from 'commander';
import type { ContextFor } from '../context.ts';
import { since } from '../duration.ts';
import { table } from '../output.ts';

interface DriftBody {
  window: { from: string; to: string; count: number };
  drifted: boolean;
  features: DriftFeature[];
  predictions: DriftFeature[];
}

interface DriftFeature {
  name: string;
  kind: string;
  method: string;
  statistic: number | null;
  pValue?: number;
  threshold: number;
  drifted: boolean;
}

export function driftCommand(contextFor: ContextFor): Command {
  return new Command('drift')
    .description('drift of every feature and prediction against the baseline, over recent hours')
    .argument('<endpoint>')
    .option('--since <duration>', 'how far back: 30m, 1h, 7d (whole hours are merged)', '24h')
    .option('--variant <name>', 'only this variant')
    .action(async (endpoint: string, options: { since: string; variant?: string }, command: Command) => {
      const { client, out } = contextFor(command);
      const body = await client.get<DriftBody>(`/v1/endpoints/${encodeURIComponent(endpoint)}/drift`, { from: since(options.since, '--since'), variant: options.variant });
      out.result(body, () => {
        const header = `${endpoint}: ${body.window.count} predictions from ${body.window.from} to ${body.window.to}`;
        if (body.window.count === 0) return `${header}\nnothing logged in this range`;
        const rows = [...body.features, ...body.predictions].map((f) => [f.name, f.kind, f.method, f.statistic, f.pValue, f.threshold, f.drifted ? 'yes' : 'no']);
        return `${header} — ${body.drifted ? 'DRIFTED' : 'no drift'}\n${table(['feature', 'kind', 'method', 'statistic', 'p-value', 'threshold', 'drifted'], rows)}`;
      });
    });
}
