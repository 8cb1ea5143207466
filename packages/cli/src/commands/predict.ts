import { createReadStream, type ReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { ApiError } from '../client.ts';
import { UsageError } from '../errors.ts';
import type { ContextFor } from '../context.ts';
import { positiveInt } from './endpoints.ts';

/** One NDJSON line as a request body: a whole request ({records}|{inputs}) as is, else one record. */
export function requestForLine(line: unknown): Record<string, unknown> {
  if (!line || typeof line !== 'object' || Array.isArray(line))
    throw new UsageError('each line must be a JSON object: a record of features or a whole request {records|inputs, unit?, id?}');
  const object = line as Record<string, unknown>;
  return 'records' in object || 'inputs' in object ? object : { records: [object] };
}

export function predictCommand(contextFor: ContextFor): Command {
  return new Command('predict')
    .description('predict with an endpoint: NDJSON in (a record or a whole request per line), NDJSON out (one response per line, in order)')
    .argument('<endpoint>')
    .option('--file <path>', 'NDJSON file, or - for stdin', '-')
    .option('--concurrency <n>', 'requests in flight', positiveInt, 4)
    .action(async (endpoint: string, options: { file: string; concurrency: number }, command: Command) => {
      const { client, out, stdin } = contextFor(command);
      const input = options.file === '-' ? stdin : await openFile(options.file);
      const path = `/v1/endpoints/${encodeURIComponent(endpoint)}/predict`;
      const pending: Array<Promise<string>> = [];
      let failures = 0;
      let number = 0;
      const predictLine = async (text: string, line: number): Promise<string> => {
        try {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            throw new UsageError('not valid JSON');
          }
          return JSON.stringify((await client.request(path, { json: requestForLine(parsed) })).body);
        } catch (error) {
          // A server that cannot be reached fails every line alike: stop at the first.
          if (error instanceof ApiError && error.status === undefined) throw error;
          failures += 1;
          out.note(`line ${line}: ${(error as Error).message}`);
          const problem = error instanceof ApiError ? (error.problem ?? { status: error.status, detail: error.message }) : { detail: (error as Error).message };
          return JSON.stringify({ line, error: problem });
        }
      };
      for await (const text of createInterface({ input, crlfDelay: Infinity })) {
        number += 1;
        if (text.trim() === '') continue;
        pending.push(predictLine(text, number));
        if (pending.length >= options.concurrency) out.line(await pending.shift()!);
      }
      while (pending.length) out.line(await pending.shift()!);
      if (failures) throw new ApiError(`${failures} of the lines failed`, undefined);
    });
}

async function openFile(path: string): Promise<ReadStream> {
  const stream = createReadStream(path);
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return stream;
}
