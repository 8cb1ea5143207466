import { resolve } from 'node:path';
import { StartupError, startLocalSystem } from './system.ts';
import { localConsumers, localScheduled } from './consumers.ts';
import { isEmptyRegistry, seedDemo, type DemoTarget } from './demo.ts';
import { readableLogger } from './readable-logger.ts';
import type { Logger } from '@flywheel/core';

/** `npm start`: the whole system on this machine, configured by the environment. */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError(`PORT must be a port number, got "${process.env.PORT}"`);
  const dataDir = resolve(process.env.FLYWHEEL_DATA_DIR ?? '.data');
  const started = Date.now();
  const logger = readableLogger({ debug: process.env.POWERTOOLS_LOG_LEVEL?.toUpperCase() === 'DEBUG' });
  const log = (line: string) => logger.info(line);
  const system = await startLocalSystem({
    dataDir,
    port,
    host: process.env.HOST ?? '127.0.0.1',
    adminKey: process.env.FLYWHEEL_ADMIN_KEY,
    consumers: localConsumers,
    scheduled: localScheduled,
    logger,
  });
  log(`listening on ${system.url} (ready in ${Date.now() - started} ms, data in ${dataDir})`);
  if (system.adminKeyGenerated) {
    log(`generated an admin API key; it is shown once and kept in ${dataDir}/admin-key:`);
    log(`  ${system.adminKey}`);
  } else {
    log(`authenticate with the admin key from ${process.env.FLYWHEEL_ADMIN_KEY ? 'FLYWHEEL_ADMIN_KEY' : `${dataDir}/admin-key`}`);
  }
  log(`try: curl ${system.url}/healthz`);
  if (process.env.FLYWHEEL_DEMO !== '0') void seedDemoIfEmpty({ url: system.url, key: system.adminKey }, logger);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing in-flight work`);
    system.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error) => {
  const message = error instanceof StartupError ? error.message : ((error as Error)?.stack ?? String(error));
  console.error(`[flywheel] cannot start: ${message}`);
  process.exit(1);
});

/** Seeds the demo model and endpoint on an empty data dir, in the background: the API is already up. */
async function seedDemoIfEmpty(target: DemoTarget, logger: Logger): Promise<void> {
  try {
    if (!(await isEmptyRegistry(target))) return;
    logger.info('empty data dir: training the demo model and creating the `demo` endpoint (FLYWHEEL_DEMO=0 skips this)…');
    const started = Date.now();
    const version = await seedDemo(target);
    logger.info(`demo ready in ${Date.now() - started} ms: model demo version ${version} behind endpoint demo; see README.md for the curl walkthrough`);
  } catch (error) {
    logger.warn('could not seed the demo', { error: (error as Error).message });
  }
}
