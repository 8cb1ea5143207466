import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoRunStore } from '@flywheel/aws';
import type { Run } from '@flywheel/core';
import { seedDemo } from '@flywheel/local';
import { localConsumers } from '../packages/local/src/consumers.ts';
import { raiseDemoAlert } from '@flywheel/testing/demo-alert';
import { putEndpoint, registered, scaledModel, singleVariant } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

const CHROMIUM = '/usr/bin/chromium';
/** Where a failing test leaves what the browser showed (gitignored). */
const FAILURES = join(import.meta.dirname, '../.screenshots');
/** Set to refresh the README's screenshots of each page: FLYWHEEL_SCREENSHOTS=packages/console/screenshots. */
const SCREENSHOTS = process.env.FLYWHEEL_SCREENSHOTS;

interface EndpointBody {
  configVersion: number;
  etag: string;
  config: { variants: Array<{ name: string; weight: number }> };
}

// Generous per test: a page, its requests and Chromium share 2 cores with the rest of the suite in CI.
describe('the console in a real browser, against the local system', { timeout: 90_000 }, () => {
  let system: TestSystem;
  let browser: Browser;
  let page: Page;

  const endpoint = async () => (await (await system.api('/v1/endpoints/demo')).json()) as EndpointBody;
  const weights = (body: EndpointBody) => body.config.variants.map((v) => `${v.name}:${v.weight}`);
  const snap = async (name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const signIn = async (key: string) => {
    await page.goto(`${system.url}/console`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    [system, browser] = await Promise.all([
      // The monitor consumer runs, so predictions reach the overview as they would under npm start;
      // the batch consumer scores batch jobs as it does there.
      startTestSystem({ consumers: { monitor: localConsumers.monitor, batch: localConsumers.batch } }),
      chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      }),
    ]);
    await seedDemo({ url: system.url, key: system.adminKey });
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });
  beforeEach(async (context) => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    context.onTestFinished(async () => {
      if (context.task.result?.state === 'fail') {
        await mkdir(FAILURES, { recursive: true });
        const file = join(FAILURES, `${context.task.name.replace(/[^\w]+/g, '-').slice(0, 80)}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.error(`screenshot of the failure: ${file}${errors.length ? `\npage errors: ${errors.join('\n')}` : ''}`);
      }
      await page.close();
      expect(errors, 'errors thrown in the page').toEqual([]);
    });
  });

  it('is served by the API: the page and its assets revalidated by ETag, a problem for what is not there, the session behind a key', async () => {
    const pageResponse = await fetch(`${system.url}/console`);
    expect(pageResponse.status).toBe(200);
    expect(pageResponse.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await pageResponse.text();
    const script = /src="(\/console\/assets\/app\.js\?v=[0-9a-f]+)"/.exec(html)![1];
    const app = await fetch(`${system.url}${script}`);
    expect(app.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(app.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${system.url}${script}`, { headers: { 'if-none-match': app.headers.get('etag')! } })).status).toBe(304);
    const missing = await fetch(`${system.url}/console/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect((await fetch(`${system.url}/console/session`)).status).toBe(401);
    expect(await (await system.api('/console/session')).json()).toMatchObject({ name: 'local admin', scopes: ['admin'] });
  });

  it('refuses a wrong key, signs in with the admin key and lists the demo endpoint with its split', async () => {
    await signIn('fw_not_a_key_of_this_system_000000');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('That key is not valid or has been revoked.');
    await snap('sign-in');
    await page.getByLabel('API key').fill(system.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.getByRole('table', { name: 'Endpoints' }).getByRole('row', { name: /demo/ });
    await row.waitFor();
    expect(await row.getByRole('img').getAttribute('aria-label')).toBe('Split: control demo@1 100%');
    expect(await page.locator('#identity').textContent()).toContain('local admin · admin');
    await snap('overview');
  });

  it('refreshes the overview live as predictions are logged', async () => {
    await signIn(system.adminKey);
    const requests = page.getByRole('table', { name: 'Endpoints' }).getByRole('row', { name: /demo/ }).getByRole('cell').nth(3);
    await requests.waitFor();
    const before = Number((await requests.textContent())!.replace(/,/g, ''));
    const record = { tenure_months: 3, monthly_spend: 80, support_calls: 4, usage_hours: 2, plan: 'basic', region: 'north' };
    const predicted = await system.api('/v1/endpoints/demo/predict', { method: 'POST', json: { records: Array.from({ length: 5 }, () => record) } });
    expect(predicted.status).toBe(200);
    // No reload: the page polls every 5 s, and the monitor counts the request once its batch arrives.
    await expect.poll(async () => Number((await requests.textContent())!.replace(/,/g, '')), { timeout: 25_000, interval: 500 }).toBe(before + 1);
  });

  it('changes a split to a new config version, resolves a stale ETag as a conflict, and rolls back from the history', async () => {
    const before = await endpoint();
    expect(
      (
        await putEndpoint(system, 'demo', {
          ...before.config,
          variants: [
            { ...before.config.variants[0], weight: 90 },
            { name: 'candidate', model: 'demo', version: 1, weight: 10 },
          ],
        })
      ).status,
    ).toBe(200);
    const canaryVersion = before.configVersion + 1;
    await signIn(system.adminKey);
    await page.getByRole('link', { name: 'demo' }).click();
    await page.getByRole('heading', { name: 'Endpoint demo' }).waitFor();
    const intervals = page.locator('figure[data-chart="Rate with 95% CI"]');
    await intervals.locator('canvas').waitFor();
    expect(await intervals.getByRole('img').getAttribute('aria-label')).toMatch(/: control .+ \(.+ – .+\); candidate .+ \(.+ – .+\)$/);

    await page.getByLabel('Weight of control (%)').fill('70');
    await page.getByLabel('Weight of candidate (%)').fill('30');
    await page.getByRole('button', { name: 'Save split' }).click();
    await page.getByText(`Split changed: saved as config version ${canaryVersion + 1}.`).waitFor();
    expect(await page.getByText(`Config version ${canaryVersion + 1} ·`).count()).toBe(1);
    expect(weights(await endpoint())).toEqual(['control:70', 'candidate:30']);

    // Someone else changes the endpoint while the page shows the version just saved.
    const theirs = await endpoint();
    expect(
      (
        await putEndpoint(system, 'demo', {
          ...theirs.config,
          variants: [
            { ...theirs.config.variants[0], weight: 60 },
            { ...theirs.config.variants[1], weight: 40 },
          ],
        })
      ).status,
    ).toBe(200);
    await page.getByLabel('Weight of control (%)').fill('50');
    await page.getByLabel('Weight of candidate (%)').fill('50');
    await page.getByRole('button', { name: 'Save split' }).click();
    const conflict = page.getByRole('alert');
    await conflict.getByText('Conflict: the endpoint changed while you were editing').waitFor();
    expect(weights(await endpoint()), 'nothing overwritten').toEqual(['control:60', 'candidate:40']);
    await snap('endpoint-conflict');
    await conflict.getByRole('button', { name: 'Apply my weights to the current config' }).click();
    await page.getByText(`Applied your weights to the current config: saved as config version ${canaryVersion + 3}.`).waitFor();
    expect(weights(await endpoint())).toEqual(['control:50', 'candidate:50']);

    await page.getByRole('button', { name: `Roll back to v${canaryVersion}` }).click();
    await page.getByText(`Restored config version ${canaryVersion} as config version ${canaryVersion + 4}.`).waitFor();
    expect(await endpoint()).toMatchObject({
      configVersion: canaryVersion + 4,
      config: {
        variants: [
          { name: 'control', weight: 90 },
          { name: 'candidate', weight: 10 },
        ],
      },
    });
  });

  it('opens the drift chart of a feature, and acknowledges and resolves an alert', async () => {
    const alerts = await raiseDemoAlert(system);
    await signIn(system.adminKey);
    await page.getByRole('link', { name: 'demo' }).click();
    await page.getByLabel('Time range').selectOption({ label: 'Last 7 days' });
    await page
      .getByRole('table', { name: 'Drift by column' })
      .getByRole('row', { name: /monthly_spend/ })
      .getByText('yes')
      .waitFor();
    await page.getByRole('button', { name: 'Show drift over time' }).click();
    const chart = page.locator('figure[data-chart="monthly_spend"]');
    await chart.locator('canvas').waitFor();
    await snap('endpoint-drift');
    expect(await chart.getByRole('img').getAttribute('aria-label')).toMatch(
      /^monthly_spend: drift statistic \(ks\+wasserstein\) of monthly_spend per bucket, against its threshold 0\.1$/,
    );

    await page.getByRole('link', { name: 'Alerts' }).click();
    const table = page.getByRole('table', { name: 'Alerts' });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(alerts.length + 1);
    await snap('alerts');
    const first = alerts[0];
    const named = `${first.kind} alert${first.feature ? ` on ${first.feature}` : ''}`;
    await table.getByRole('button', { name: `Acknowledge ${named}` }).click();
    await page.getByText(`is acknowledged.`).waitFor();
    expect(await (await system.api(`/v1/alerts/${first.id}`)).json()).toMatchObject({ status: 'acknowledged' });
    await page.getByLabel('Status').selectOption('acknowledged');
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    await table.getByRole('button', { name: `Resolve ${named}` }).click();
    await page.getByText('is resolved.').waitFor();
    expect(await (await system.api(`/v1/alerts/${first.id}`)).json()).toMatchObject({ status: 'resolved' });
  });

  it("charts realized vs estimated accuracy per window once predictions are labelled (and says so where there is none), and a column's reference vs current distribution", async () => {
    await registered(system, 'unserved', scaledModel(3));
    expect((await putEndpoint(system, 'unserved', singleVariant('unserved', 1))).status).toBe(201);
    const record = { tenure_months: 30, monthly_spend: 40, support_calls: 0, usage_hours: 20, plan: 'pro', region: 'south' };
    const predicted = await system.api('/v1/endpoints/demo/predict', { method: 'POST', json: { id: 'labelled', records: Array.from({ length: 20 }, () => record) } });
    expect(predicted.status).toBe(200);
    // Labels that arrive before their predictions wait for them, and join when they do.
    const labelled = await system.api('/v1/endpoints/demo/feedback', {
      method: 'POST',
      json: { feedback: Array.from({ length: 20 }, (_, i) => ({ id: `labelled/${i}`, label: i % 4 === 0 ? 1 : 0 })) },
    });
    expect(labelled.status, await labelled.clone().text()).toBe(202);
    await expect
      .poll(
        async () => {
          const { series } = (await (await system.api('/v1/endpoints/demo/performance')).json()) as { series: Array<{ realized: { rows: number } | null }> };
          return series.reduce((rows, s) => rows + (s.realized?.rows ?? 0), 0);
        },
        { timeout: 25_000, interval: 500 },
      )
      .toBeGreaterThanOrEqual(20);

    await signIn(system.adminKey);
    await page.getByRole('table', { name: 'Endpoints' }).waitFor();
    await page.goto(`${system.url}/console#/endpoints/unserved`);
    await page.getByText('No performance in this range yet').waitFor();
    await page.goto(`${system.url}/console#/endpoints/demo`);
    const chart = page.locator('figure[data-chart^="Accuracy of"]').first();
    await chart.locator('canvas').waitFor();
    expect(await chart.getByRole('img').getAttribute('aria-label')).toMatch(
      /^Accuracy of \w+ \(demo@1\): realized vs estimated vs reference accuracy per window, reference 0\.\d+$/,
    );
    expect(await page.getByText(/realized accuracy [\d.]+ on \d+ labelled rows · estimated accuracy [\d.]+ on [\d,]+ rows/).count()).toBeGreaterThan(0);

    // A column's reference and current shares, side by side.
    await page.getByLabel('Distribution of', { exact: true }).selectOption('monthly_spend');
    const distribution = page.locator('figure[data-chart="Distribution of monthly_spend"]');
    await distribution.locator('canvas').waitFor();
    expect(await distribution.getByRole('img').getAttribute('aria-label')).toMatch(
      /^Distribution of monthly_spend: share of rows per bin, reference \([\d,]+ rows\) vs current \([\d,]+ rows\)$/,
    );
    await page.getByLabel('Distribution of', { exact: true }).selectOption('plan');
    await page
      .locator('figure[data-chart="Distribution of plan"]')
      .getByRole('img', { name: /share of rows per category/ })
      .locator('canvas')
      .waitFor();
    await snap('endpoint-performance');
  });

  it('shows what a read-only key may not do as disabled, and the models with their versions, on a phone', async () => {
    const created = await system.api('/v1/keys', { method: 'POST', json: { name: 'viewer', scopes: ['read'] } });
    const { key } = (await created.json()) as { key: string };
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(key);
    await page.getByRole('link', { name: 'demo' }).click();
    const save = page.getByRole('button', { name: 'Save split' });
    await save.waitFor();
    expect(await save.isDisabled()).toBe(true);
    expect(await save.getAttribute('title')).toBe('Needs an API key with the deploy scope');
    expect(await page.getByLabel('Weight of control (%)').isDisabled()).toBe(true);
    // The page fits the phone: wide tables scroll inside their card, not the page.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await snap('endpoint-phone-read-only');

    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('link', { name: 'demo' }).click();
    const versions = page.getByRole('table', { name: 'Versions' });
    await versions.waitFor();
    expect(await versions.getByRole('row', { name: /v1/ }).textContent()).toContain('features FP32[-1, 6]');
    expect(await page.getByRole('table', { name: 'Features' }).getByRole('row').count()).toBe(7);
    await snap('model-phone');
  });

  it('draws the lineage of a model (dataset → run → version → rollouts) and compares its runs side by side', async () => {
    const runs = new DynamoRunStore(system.clients.dynamodb, system.names.tables.operations);
    const dataset = 'ab'.repeat(32);
    const run = (runId: string, rounds: number, accuracy: number, version?: number): Run => ({
      runId,
      model: 'lineaged',
      endpoint: 'lineaged',
      status: 'succeeded',
      trigger: { kind: 'manual' },
      trainer: 'builtin',
      attempts: 1,
      createdAt: `2026-01-0${rounds / 10}T00:00:00.000Z`,
      params: { rounds },
      metrics: { primary: 'accuracy', challenger: { accuracy }, champion: { accuracy: 0.8 }, improvement: accuracy - 0.8 },
      dataset: {
        sha256: dataset,
        rows: 1200,
        trainRows: 1000,
        holdoutRows: 200,
        timeRange: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' },
        features: ['a'],
        labels: { kind: 'classes', counts: { '0': 600, '1': 600 } },
      },
      parentVersion: 1,
      ...(version ? { version } : {}),
      logs: [],
    });
    const winner = 'run-' + 'a'.repeat(24);
    await runs.create(run('run-' + 'b'.repeat(24), 10, 0.79));
    await runs.create(run(winner, 20, 0.86, 2));
    await registered(system, 'lineaged', scaledModel(7));
    await registered(system, 'lineaged', scaledModel(8), { lineage: { runId: winner, manifestSha256: dataset, rows: 1200, parentVersion: 1 } });
    expect((await putEndpoint(system, 'lineaged', singleVariant('lineaged', 1))).status).toBe(201);
    expect(
      (
        await putEndpoint(system, 'lineaged', {
          variants: [
            { name: 'main', model: 'lineaged', version: 1, weight: 90 },
            { name: 'canary', model: 'lineaged', version: 2, weight: 10 },
          ],
        })
      ).status,
    ).toBe(200);

    await signIn(system.adminKey);
    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('link', { name: 'lineaged' }).click();
    const graph = page.getByRole('img', { name: /^Lineage of lineaged:/ });
    await graph.locator('canvas').first().waitFor();
    expect(await graph.getAttribute('aria-label')).toBe('Lineage of lineaged: 1 datasets, 2 runs, 2 versions, 2 rollouts');
    await page.getByText('As a list').click();
    const edges = await page.getByRole('list', { name: 'Lineage edges' }).getByRole('listitem').allTextContents();
    expect(edges).toEqual(
      expect.arrayContaining([
        `dataset abababab 1,200 rows → trained on → ${winner.slice(0, 12)}… succeeded`,
        `${winner.slice(0, 12)}… succeeded → registered → v2`,
        `v1 → champion → ${winner.slice(0, 12)}… succeeded`,
        'v1 → served by → lineaged config v1–v2, up to 100%',
        'v2 → served by → lineaged config v2, up to 10%',
      ]),
    );

    const compare = page.getByRole('button', { name: 'Compare selected runs' });
    expect(await compare.isDisabled()).toBe(true);
    await page.getByLabel(`Compare ${winner}`).check();
    await page.getByLabel(`Compare run-${'b'.repeat(24)}`).check();
    await compare.click();
    const table = page.getByRole('table', { name: 'Run comparison' });
    expect(await table.getByRole('row', { name: /param rounds/ }).textContent()).toMatch(/param rounds(20|10)(10|20)/);
    expect(await table.getByRole('row', { name: /challenger accuracy/ }).textContent()).toMatch(/0\.86/);
    await snap('model-lineage');
  });

  it('lists a submitted batch job, shows its progress until it has succeeded, and downloads its output', async () => {
    const record = { tenure_months: 3, monthly_spend: 80, support_calls: 4, usage_hours: 2, plan: 'basic', region: 'north' };
    const submitted = await system.api('/v1/endpoints/demo/batch', {
      method: 'POST',
      json: { input: { records: Array.from({ length: 2_000 }, (_, i) => ({ ...record, tenure_months: i % 60 })) }, rowsPerChunk: 250 },
    });
    expect(submitted.status).toBe(202);
    const { jobId } = (await submitted.json()) as { jobId: string };
    await signIn(system.adminKey);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Batch jobs' }).click();
    const row = page.getByRole('table', { name: 'Batch jobs' }).getByRole('row', { name: new RegExp(jobId) });
    await row.waitFor();
    expect(await row.getByRole('link', { name: 'demo' }).getAttribute('href')).toBe('#/endpoints/demo');
    // No reload: the page polls while the job is unfinished.
    await expect.poll(async () => row.locator('.badge').textContent(), { timeout: 30_000, interval: 250 }).toBe('succeeded');
    const bar = row.getByRole('progressbar');
    expect(await bar.getAttribute('aria-label')).toBe(`Progress of ${jobId}: 2,000 / 2,000 rows`);
    expect(await bar.evaluate((el) => [(el as HTMLProgressElement).value, (el as HTMLProgressElement).max])).toEqual([2_000, 2_000]);
    expect(await row.getByRole('button', { name: `Cancel ${jobId}` }).count()).toBe(0);
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: `Download the output of ${jobId}` }).click()]);
    expect(download.suggestedFilename()).toBe(`${jobId}.ndjson`);
    const lines = (await readFile(await download.path(), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { row: number; outputs?: unknown });
    expect(lines.map((line) => line.row)).toEqual([...Array(2_000).keys()]);
    expect(lines.every((line) => line.outputs !== undefined)).toBe(true);
    await snap('batch-jobs');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No batch jobs match.').waitFor();
  });
});
