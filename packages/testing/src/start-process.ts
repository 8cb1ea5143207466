import { spawn } from 'node:child_process';

/** Runs `npm start`'s entry point as a separate process, the way a user does. */
export function startProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', 'tsx', 'packages/local/src/main.ts'], {
    env: { ...process.env, FLYWHEEL_DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // The README promises about a second; a loaded CI machine gets room before the test calls it broken.
  const listening = async () => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) return match[1];
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`not listening within 30 s:\n${output}`);
  };
  return { child, exited, listening, output: () => output };
}
