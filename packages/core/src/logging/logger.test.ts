import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonLogger, loggerOf, withFields, type LogFields, type LogLevel } from './logger.ts';

describe('logger', () => {
  afterEach(() => vi.restoreAllMocks());

  it("adds fields to every entry, the entry's own winning", () => {
    const seen: [LogLevel, string, LogFields][] = [];
    const logger = withFields(
      withFields(
        loggerOf((...entry) => void seen.push(entry)),
        { component: 'auth', a: 1 },
      ),
      { a: 2 },
    );
    logger.error('failed', { a: 3, keyId: 'k' });
    logger.info('ok');
    expect(seen).toEqual([
      ['error', 'failed', { component: 'auth', a: 3, keyId: 'k' }],
      ['info', 'ok', { component: 'auth', a: 2 }],
    ]);
  });

  it('jsonLogger writes Powertools-shaped JSON lines with the level in capitals, and leaves debug out', () => {
    const lines: string[] = [];
    for (const level of ['debug', 'info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation((line: string) => void lines.push(line));
    jsonLogger.warn('queue refused log messages', { count: 2 });
    jsonLogger.debug('noise');
    expect(lines.map((line) => JSON.parse(line))).toEqual([{ level: 'WARN', message: 'queue refused log messages', timestamp: expect.any(String), count: 2 }]);
  });
});
