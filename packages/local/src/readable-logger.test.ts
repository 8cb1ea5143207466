import { describe, expect, it } from 'vitest';
import { withFields } from '@flywheel/core';
import { readableLogger } from './readable-logger.ts';

describe('readableLogger', () => {
  it('writes one line per entry with the level, the component and the fields, debug only when asked', () => {
    const lines: string[] = [];
    const logger = withFields(readableLogger({ write: (line) => void lines.push(line) }), { component: 'auth' });
    logger.warn("recording a key's last use failed", { keyId: 'k1', error: 'Error: throttled now', attempts: 2 });
    logger.info('listening');
    logger.debug('not shown');
    readableLogger({ write: (line) => void lines.push(line), debug: true }).debug('shown');
    expect(lines).toEqual([
      '[flywheel] WARN  auth: recording a key\'s last use failed keyId=k1 error="Error: throttled now" attempts=2',
      '[flywheel] auth: listening',
      '[flywheel] DEBUG shown',
    ]);
  });
});
