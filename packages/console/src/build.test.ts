import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { GENERATED, buildAssets, generatedModule } from './build.ts';

describe('the console build', () => {
  it('is up to date: the generated module is what the sources build to', async () => {
    const built = generatedModule(await buildAssets());
    const current = await readFile(GENERATED, 'utf8');
    const differsAt = [...built].findIndex((char, i) => char !== current[i]);
    // Not the whole module in the message: it is half a megabyte of minified code.
    expect(
      built === current,
      `packages/console/src/assets.generated.ts is stale (differs from character ${differsAt}: ${JSON.stringify(built.slice(differsAt, differsAt + 80))}); run npm run build -w @flywheel/console and commit it`,
    ).toBe(true);
  });

  it("names the page's assets by their hash, and bundles uPlot into the app", async () => {
    const assets = await buildAssets();
    expect(Object.keys(assets)).toEqual(expect.arrayContaining(['app.css', 'app.js', 'index.html']));
    // Chunks are imported by the app relative to it, so they are served beside it.
    for (const chunk of Object.keys(assets).filter((name) => name.startsWith('chunk-'))) expect(assets['app.js'].body).toContain(`./${chunk}`);
    expect(assets['index.html'].body).toMatch(/src="\/console\/assets\/app\.js\?v=[0-9a-f]{8}"/);
    expect(assets['app.css'].body).toContain('.uplot');
    expect(assets['app.js'].body.length).toBeGreaterThan(40_000);
  });
});
