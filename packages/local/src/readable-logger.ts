import { loggerOf, type LogFields, type Logger, type LogLevel } from '@flywheel/core';

// Info is the plain case, as the startup banner reads; the others stand out.
const LABEL: Record<LogLevel, string> = { debug: 'DEBUG ', info: '', warn: 'WARN  ', error: 'ERROR ' };

/**
 * `npm start`'s logger: one line a person reads, `[flywheel] WARN  auth: message key=value …`
 * (info lines without a label),
 * the same entries the deployed functions write as Powertools JSON. Debug entries only when `debug`;
 * by default info and debug go to stdout, warnings and errors to stderr.
 */
export function readableLogger(options: { write?: (line: string, level: LogLevel) => void; debug?: boolean } = {}): Logger {
  const write = options.write ?? ((line: string, level: LogLevel) => (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(`${line}\n`));
  return loggerOf((level, message, fields) => {
    if (level === 'debug' && !options.debug) return;
    const { component, ...rest } = fields;
    write(`[flywheel] ${LABEL[level]}${component ? `${String(component)}: ` : ''}${message}${describeFields(rest)}`, level);
  });
}

function describeFields(fields: LogFields): string {
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    // The stack goes on its own lines, as a person reads it.
    if (key === 'stack' && typeof value === 'string') out += `\n${value}`;
    else out += ` ${key}=${typeof value === 'string' && !/[\s"=]/.test(value) ? value : JSON.stringify(value)}`;
  }
  return out;
}
