import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import type { Run } from '@flywheel/core';
import type { FlywheelClient } from '../client.ts';
import type { ContextFor } from '../context.ts';
import { parseDuration } from '../duration.ts';
import { table } from '../output.ts';

const finished = (run: Run) => run.status === 'succeeded' || run.status === 'failed';

export function runsCommand(contextFor: ContextFor): Command {
  return new Command('runs')
    .description('retraining runs, newest first: status, metrics, the version they registered')
    .argument('[model]', 'only the runs of this model (default: every model)')
    .option('--limit <n>', 'runs per model', '20')
    .option('--watch', 'poll until every listed run has finished, with a progress bar')
    .option('--interval <duration>', 'how often --watch polls', '2s')
    .action(async (model: string | undefined, options: { limit: string; watch?: boolean; interval: string }, command: Command) => {
      const { client, out } = contextFor(command);
      const interval = parseDuration(options.interval, '--interval');
      let runs = await listRuns(client, model, options.limit);
      if (options.watch && runs.some((run) => !finished(run))) {
        const progress = out.progress(runs.length, 'runs finished');
        while (runs.some((run) => !finished(run))) {
          progress.update(runs.filter(finished).length);
          await sleep(interval);
          runs = await listRuns(client, model, options.limit);
        }
        progress.update(runs.length);
        progress.stop();
      }
      out.result({ runs }, () =>
        runs.length
          ? table(
              ['run', 'model', 'status', 'trigger', 'version', 'primary metric', 'improvement', 'canary', 'created'],
              runs.map((run) => [
                run.runId,
                run.model,
                run.status + (run.error ? `: ${run.error}` : ''),
                run.trigger.kind,
                run.version,
                run.metrics ? `${run.metrics.primary} ${run.metrics.challenger[run.metrics.primary]}` : '',
                run.metrics?.improvement,
                run.canary ? (run.canary.started ? 'started' : `no: ${run.canary.reason}`) : '',
                run.createdAt,
              ]),
            )
          : 'no runs',
      );
    });
}

async function listRuns(client: FlywheelClient, model: string | undefined, limit: string): Promise<Run[]> {
  const models = model ? [model] : (await client.get<{ models: Array<{ model: string }> }>('/v1/models')).models.map((m) => m.model);
  const pages = await Promise.all(models.map((name) => client.get<{ runs: Run[] }>(`/v1/models/${encodeURIComponent(name)}/runs`, { limit })));
  return pages.flatMap((page) => page.runs).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
