/** Extra keys of one log entry; never a secret (packages log hosts, ids and counts, not keys or URLs with tokens). */
export type LogFields = Record<string, unknown>;

/**
 * What every package logs through. The functions pass a Powertools Logger (it has these four
 * methods), `npm start` a readable one, tests a recorder; packages default to `jsonLogger`.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export type LogLevel = keyof Logger;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** A logger from one function that sees every entry: the base of the others, and of test recorders. */
export function loggerOf(write: (level: LogLevel, message: string, fields: LogFields) => void): Logger {
  const logger = {} as Logger;
  for (const level of LEVELS) logger[level] = (message, fields = {}) => write(level, message, fields);
  return logger;
}

/** `logger` with `fields` added to every entry (an entry's own fields win), e.g. `{component: 'auth'}`. */
export function withFields(logger: Logger, fields: LogFields): Logger {
  return loggerOf((level, message, own) => logger[level](message, { ...fields, ...own }));
}

export const silentLogger: Logger = loggerOf(() => undefined);

// Every runtime core runs in has a console; typed here so core needs neither DOM nor Node types.
const runtimeConsole = (globalThis as { console?: Record<LogLevel, (line: string) => void> }).console;

/**
 * One JSON line per entry, shaped like Powertools Logger's (`level` in capitals, `message`,
 * `timestamp`, then the fields): the default where a package is used without a logger given.
 * Debug entries are left out, as Powertools' default level does.
 */
export const jsonLogger: Logger = loggerOf((level, message, fields) => {
  if (level === 'debug') return;
  runtimeConsole?.[level](JSON.stringify({ level: level.toUpperCase(), message, timestamp: new Date().toISOString(), ...fields }));
});
