import Table from 'cli-table3';
import { SingleBar } from 'cli-progress';

/** Where a command writes: tables for people, JSON for scripts, progress only on a terminal. */
export interface Output {
  readonly json: boolean;
  /** A JSON value (with --json) or, for people, whatever `human` renders. */
  result(value: unknown, human: () => string): void;
  line(text: string): void;
  /** A one-line note on stderr (never mixed into stdout, which scripts read). */
  note(text: string): void;
  progress(total: number, label: string): Progress;
}

export interface Progress {
  update(done: number): void;
  stop(): void;
}

export interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createOutput(streams: Streams, json: boolean): Output {
  const interactive = Boolean(streams.stderr.isTTY) && !json && !process.env.CI;
  return {
    json,
    result(value, human) {
      streams.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    line(text) {
      streams.stdout.write(`${text}\n`);
    },
    note(text) {
      streams.stderr.write(`${text}\n`);
    },
    progress(total, label) {
      if (!interactive) return { update: () => undefined, stop: () => undefined };
      const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total}`, stream: streams.stderr, hideCursor: true, clearOnComplete: true });
      bar.start(total, 0);
      return { update: (done) => bar.update(done), stop: () => bar.stop() };
    },
  };
}

/** A table with a header row; cells are stringified, absent ones left blank. */
/** No rule between rows: compact, and each row stays one line for grep. */
const compact = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

export function table(head: string[], rows: unknown[][]): string {
  const rendered = new Table({ head, chars: compact, style: { head: [], border: [] } });
  for (const row of rows) rendered.push(row.map(cell));
  return rendered.toString();
}

/** Label/value pairs, for one thing shown in detail. */
export function details(pairs: Array<[string, unknown]>): string {
  const rendered = new Table({ chars: compact, style: { head: [], border: [] } });
  for (const [label, value] of pairs) rendered.push({ [label]: cell(value) });
  return rendered.toString();
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export const percent = (rate: number | undefined) => (rate === undefined || rate === null ? '' : `${(rate * 100).toFixed(1)}%`);
export const weights = (variants: Array<{ name: string; model: string; version?: number; alias?: string; weight: number }>) =>
  variants.map((v) => `${v.name} ${v.model}@${v.version ?? v.alias} ${v.weight}%`).join(', ');
