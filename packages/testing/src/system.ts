import { startLocalSystem, type LocalSystem, type LocalSystemOptions } from '@flywheel/local';
import { tempDataDir } from './temp-dir.ts';

export interface TestSystem extends LocalSystem {
  /** fetch against the system with the admin key (or `key`) as bearer. */
  api(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
}

/** The whole local system on free ports in a temp data dir; `stop()` also removes the dir. */
export async function startTestSystem(options: Partial<LocalSystemOptions> = {}): Promise<TestSystem> {
  const dir = await tempDataDir('system');
  const system = await startLocalSystem({ dataDir: dir.path, port: 0, pollWaitSeconds: 1, ...options });
  return {
    ...system,
    async stop() {
      await system.stop();
      await dir.remove();
    },
    api(path, init = {}) {
      const { key, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      const bearer = key === undefined ? system.adminKey : key;
      if (bearer !== null) headers.set('authorization', `Bearer ${bearer}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${system.url}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
    },
  };
}
