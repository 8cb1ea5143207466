import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { GENERATED, buildAssets, generatedModule } from './build.ts';

describe('the console build', () => {
  it('is up to date: the generated module is what the sources build to', async () => {
    const built = generatedModule(await buildAssets());
    // On failure: npm run build -w @flywheel/console, and commit the result.
    expect(await readFile(GENERATED, 'utf8'), 'packages/console/src/assets.generated.ts is stale').toBe(built);
  });

  it('names each asset in the page by its hash, and bundles uPlot into the app', async () => {
    const assets = await buildAssets();
    expect(Object.keys(assets).sort()).toEqual(['app.css', 'app.js', 'index.html']);
    expect(assets['index.html'].body).toMatch(/src="\/console\/assets\/app\.js\?v=[0-9a-f]{8}"/);
    expect(assets['app.css'].body).toContain('.uplot');
    expect(assets['app.js'].body.length).toBeGreaterThan(40_000);
  });
});
