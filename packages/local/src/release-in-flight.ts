import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * Makes the messages a dead process had received visible again, before the queues start. In AWS a
 * crashed consumer's messages come back after the visibility timeout (360 s for prediction logs);
 * a restarted `npm start` is the only consumer of its data dir, so nobody can still be working on
 * them, and waiting would leave the windows short for six minutes. Receive counts are kept, so a
 * message that crashes its consumer still reaches the dead-letter queue.
 *
 * This reads fauxqs's own store (`fauxqs.db`, table `sqs_messages`); test/start.test.ts's kill -9
 * test fails if a fauxqs upgrade changes it.
 */
export function releaseInFlightMessages(queueDir: string): number {
  const path = join(queueDir, 'fauxqs.db');
  if (!existsSync(path)) return 0;
  const db = new DatabaseSync(path);
  try {
    const { changes } = db.prepare('UPDATE sqs_messages SET receipt_handle = NULL, visibility_deadline = NULL WHERE receipt_handle IS NOT NULL').run();
    return Number(changes);
  } finally {
    db.close();
  }
}
