/**
 * The report in a real browser: Debian's headless Chromium (installed by .ci/run) loads the file
 * from file://, draws every chart, logs no error, fetches nothing, shows the autoscaler's
 * reasoning on hover, and leaves a screenshot in test-output/report/ (gitignored) for a person
 * to look at. Skipped, saying so, where /usr/bin/chromium is not installed.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportOfLogFile } from '../../src/report/index.js';
import { reportFixture } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SHOTS = resolve('test-output/report');

if (!HAVE_CHROMIUM) {
  console.warn(`test/report/browser.test.ts: skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

describe.skipIf(!HAVE_CHROMIUM)('the report in headless Chromium', () => {
  let context: BrowserContext;
  let file: string;

  beforeAll(async () => {
    const { dir, log } = await reportFixture();
    file = join(dir, 'report.html');
    writeFileSync(file, reportOfLogFile(log).html);
    // A fresh profile, nothing in the background that would reach the network by itself.
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'knsim-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 120_000,
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
  });

  it('draws every chart, logs no error and fetches nothing but the file itself', async () => {
    const requests: string[] = [];
    const errors: string[] = [];
    // Anything but the report file itself is refused and remembered.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url === pathToFileURL(file).href) return route.continue();
      requests.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (r.url() !== pathToFileURL(file).href) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 60_000 });
    // Page code is given as text: this project's TypeScript has no DOM types.
    await page.waitForFunction('document.body.dataset.charts !== undefined', undefined, { timeout: 60_000 });

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const charts = Number(await page.evaluate('document.body.dataset.charts'));
    expect(charts).toBe(4); // pods, load, strips, latency for the one revision
    // Each chart's canvas has something drawn on it: count the pixels that are not blank.
    const inked = (await page.evaluate(`[...document.querySelectorAll('canvas')].map((c) => {
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) return 0;
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
      return n;
    })`)) as number[];
    expect(inked).toHaveLength(charts);
    for (const n of inked) expect(n).toBeGreaterThan(500);
    // The cold start's phases are drawn as a bar of coloured parts.
    expect(await page.locator('#cold-starts .bar span').count()).toBeGreaterThanOrEqual(4);

    // Hovering over the pods chart shows the autoscaler's reasoning at that moment.
    const over = page.locator('.revision .u-over').first();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2);
    await expect.poll(() => page.locator('.why').first().textContent()).toMatch(/autoscaler, since \d+:\d\d/);

    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'cold-burst.png'), fullPage: true });
    expect(existsSync(join(SHOTS, 'cold-burst.png'))).toBe(true);
    await page.close();
  }, 120_000);
});
