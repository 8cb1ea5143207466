#!/usr/bin/env node
// npm links this as `flywheel`. Under npm (npx, scripts) `node` is the project's pinned Node 22,
// which runs the TypeScript as is; an older Node started directly loads it through tsx.
if (!process.features.typescript) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
