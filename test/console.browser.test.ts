import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDemo } from '@flywheel/local';
import { raiseDemoAlert } from './support/demo-alert.ts';
import { putEndpoint } from './support/models.ts';
import { startTestSystem, type TestSystem } from './support/system.ts';

const CHROMIUM = '/usr/bin/chromium';
/** Where a failing test leaves what the browser showed (gitignored). */
const FAILURES = join(import.meta.dirname, '../.screenshots');

interface EndpointBody {
  configVersion: number;
  etag: string;
  config: { variants: Array<{ name: string; weight: number }> };
}

describe('the console in a real browser, against the local system', () => {
  let system: TestSystem;
  let browser: Browser;
  let page: Page;

  const endpoint = async () => (await (await system.api('/v1/endpoints/demo')).json()) as EndpointBody;
  const weights = (body: EndpointBody) => body.config.variants.map((v) => `${v.name}:${v.weight}`);
  const signIn = async (key: string) => {
    await page.goto(`${system.url}/console`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    [system, browser] = await Promise.all([
      startTestSystem(),
      chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] }),
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

  it('refuses a wrong key, signs in with the admin key and lists the demo endpoint with its split', async () => {
    await signIn('fw_not_a_key_of_this_system_000000');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('That key is not valid or has been revoked.');
    await page.getByLabel('API key').fill(system.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.getByRole('table', { name: 'Endpoints' }).getByRole('row', { name: /demo/ });
    await row.waitFor();
    expect(await row.getByRole('img').getAttribute('aria-label')).toBe('Split: control demo@1 100%');
    expect(await page.locator('#identity').textContent()).toContain('local admin · admin');
  });

  it('changes a split to a new config version, resolves a stale ETag as a conflict, and rolls back from the history', async () => {
    const before = await endpoint();
    expect((await putEndpoint(system, 'demo', { ...before.config, variants: [{ ...before.config.variants[0], weight: 90 }, { name: 'candidate', model: 'demo', version: 1, weight: 10 }] })).status).toBe(200);
    const canaryVersion = before.configVersion + 1;
    await signIn(system.adminKey);
    await page.getByRole('link', { name: 'demo' }).click();
    await page.getByRole('heading', { name: 'Endpoint demo' }).waitFor();

    await page.getByLabel('Weight of control (%)').fill('70');
    await page.getByLabel('Weight of candidate (%)').fill('30');
    await page.getByRole('button', { name: 'Save split' }).click();
    await page.getByText(`Split changed: saved as config version ${canaryVersion + 1}.`).waitFor();
    expect(await page.getByText(`Config version ${canaryVersion + 1} ·`).count()).toBe(1);
    expect(weights(await endpoint())).toEqual(['control:70', 'candidate:30']);

    // Someone else changes the endpoint while the page shows the version just saved.
    const theirs = await endpoint();
    expect((await putEndpoint(system, 'demo', { ...theirs.config, variants: [{ ...theirs.config.variants[0], weight: 60 }, { ...theirs.config.variants[1], weight: 40 }] })).status).toBe(200);
    await page.getByLabel('Weight of control (%)').fill('50');
    await page.getByLabel('Weight of candidate (%)').fill('50');
    await page.getByRole('button', { name: 'Save split' }).click();
    const conflict = page.getByRole('alert');
    await conflict.getByText('Conflict: the endpoint changed while you were editing').waitFor();
    expect(weights(await endpoint()), 'nothing overwritten').toEqual(['control:60', 'candidate:40']);
    await conflict.getByRole('button', { name: 'Apply my weights to the current config' }).click();
    await page.getByText(`Applied your weights to the current config: saved as config version ${canaryVersion + 3}.`).waitFor();
    expect(weights(await endpoint())).toEqual(['control:50', 'candidate:50']);

    await page.getByRole('button', { name: `Roll back to v${canaryVersion}` }).click();
    await page.getByText(`Restored config version ${canaryVersion} as config version ${canaryVersion + 4}.`).waitFor();
    expect(await endpoint()).toMatchObject({ configVersion: canaryVersion + 4, config: { variants: [{ name: 'control', weight: 90 }, { name: 'candidate', weight: 10 }] } });
  });

  it('opens the drift chart of a feature, and acknowledges and resolves an alert', async () => {
    const alerts = await raiseDemoAlert(system);
    await signIn(system.adminKey);
    await page.getByRole('link', { name: 'demo' }).click();
    await page.getByLabel('Time range').selectOption({ label: 'Last 7 days' });
    await page.getByRole('table', { name: 'Drift by column' }).getByRole('row', { name: /monthly_spend/ }).getByText('yes').waitFor();
    await page.getByRole('button', { name: 'Show drift over time' }).click();
    const chart = page.locator('figure[data-chart="monthly_spend"]');
    await chart.locator('canvas').waitFor();
    expect(await chart.getByRole('img').getAttribute('aria-label')).toMatch(/^monthly_spend: drift statistic \(ks\+wasserstein\) of monthly_spend per bucket, against its threshold 0\.1$/);

    await page.getByRole('link', { name: 'Alerts' }).click();
    const table = page.getByRole('table', { name: 'Alerts' });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(alerts.length + 1);
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

    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('link', { name: 'demo' }).click();
    const versions = page.getByRole('table', { name: 'Versions' });
    await versions.waitFor();
    expect(await versions.getByRole('row', { name: /v1/ }).textContent()).toContain('features FP32[-1, 6]');
    expect(await page.getByRole('table', { name: 'Features' }).getByRole('row').count()).toBe(7);
  });
});
