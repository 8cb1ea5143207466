import { afterEach, describe, expect, it, vi } from 'vitest';
import { withFields } from '@flywheel/core';
import { createFunctionLogger } from './function-logger.ts';

describe('createFunctionLogger', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one Powertools JSON object per entry: level in capitals, the service, the fields', () => {
    const lines: string[] = [];
    // Powertools writes through a Console of its own on the process's streams.
    for (const stream of [process.stdout, process.stderr]) vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
    const logger = withFields(createFunctionLogger('monitor'), { component: 'judge' });
    logger.warn('webhook failed', { host: 'hooks.example.com', attempts: 3 });
    logger.info('judged');
    const entries = lines
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'webhook failed',
        service: 'monitor',
        component: 'judge',
        host: 'hooks.example.com',
        attempts: 3,
        timestamp: expect.any(String),
      }),
      expect.objectContaining({ level: 'INFO', message: 'judged', service: 'monitor', component: 'judge' }),
    ]);
  });
});
