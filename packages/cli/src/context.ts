import type { Command } from 'commander';
import { FlywheelClient, configFromEnv } from './client.ts';
import { createOutput, type Output, type Streams } from './output.ts';

/** What every command's action gets: the client and the output, from the global options. */
export interface CommandContext {
  client: FlywheelClient;
  out: Output;
  stdin: NodeJS.ReadableStream;
}

export interface Environment extends Streams {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: NodeJS.ReadableStream;
}

export type ContextFor = (command: Command) => CommandContext;

export function contextFactory(environment: Environment): ContextFor {
  return (command) => {
    const globals = command.optsWithGlobals<{ json?: boolean; url?: string }>();
    const config = configFromEnv(environment.env, environment.cwd);
    return {
      client: new FlywheelClient(globals.url ? { ...config, url: globals.url.replace(/\/+$/, '') } : config),
      out: createOutput(environment, Boolean(globals.json)),
      stdin: environment.stdin,
    };
  };
}
