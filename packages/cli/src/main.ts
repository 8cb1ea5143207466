import { CommanderError, type Command } from 'commander';
import { ApiError } from './client.ts';
import { UsageError } from './errors.ts';
import { contextFactory, type Environment } from './context.ts';
import { createProgram } from './program.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs the CLI; resolves to the exit code. Errors become one line on stderr. */
export async function main(argv: string[], environment: Environment = processEnvironment()): Promise<number> {
  const program = createProgram(contextFactory(environment));
  configure(program, environment);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      environment.stderr.write(`flywheel: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ApiError) {
      environment.stderr.write(`flywheel: ${error.message}\n`);
      return EXIT.failed;
    }
    environment.stderr.write(`flywheel: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT.failed;
  }
}

/** Every command throws instead of exiting, and writes where the environment says. */
function configure(command: Command, environment: Environment): void {
  command
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => environment.stdout.write(text),
      writeErr: (text) => environment.stderr.write(text),
    });
  for (const sub of command.commands) configure(sub, environment);
}

function processEnvironment(): Environment {
  return { env: process.env, cwd: process.cwd(), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}
