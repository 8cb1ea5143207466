import { Command } from 'commander';
import { alertsCommand } from './commands/alerts.ts';
import { driftCommand } from './commands/drift.ts';
import { endpointsCommand } from './commands/endpoints.ts';
import { keysCommand } from './commands/keys.ts';
import { modelsCommand } from './commands/models.ts';
import { predictCommand } from './commands/predict.ts';
import { runsCommand } from './commands/runs.ts';
import { batchCommand } from './commands/batch.ts';
import { DEFAULT_URL } from './client.ts';
import type { ContextFor } from './context.ts';

export function createProgram(contextFor: ContextFor): Command {
  const program = new Command('flywheel')
    .description(
      `Flywheel from the command line. Talks to FLYWHEEL_URL (default ${DEFAULT_URL}) with FLYWHEEL_API_KEY (default: the local admin key in FLYWHEEL_DATA_DIR or ./.data).`,
    )
    .option('--json', 'print JSON for scripts instead of tables')
    .option('--url <url>', 'the API (overrides FLYWHEEL_URL)')
    .addHelpText('after', '\nExit codes: 0 done, 1 the API refused or failed (the reason on stderr), 2 wrong usage.');
  for (const command of [modelsCommand, endpointsCommand, predictCommand, batchCommand, driftCommand, alertsCommand, runsCommand, keysCommand]) {
    program.addCommand(command(contextFor));
  }
  return program;
}
