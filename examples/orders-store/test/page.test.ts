import getPort from 'get-port';
import type { Browser } from 'playwright-core';
import { type Program, runProgram } from 'test-broker';
import { tempDir, useTestVhost } from 'test-broker/vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSalesStandIn } from '../src/plumbing/sales-stand-in.js';
import { launchChromium } from './fixtures/chromium.js';

const broker = await useTestVhost('orders-page');

let browser: Browser;
// Fetching a browser on a fresh machine (apt, as in CI) takes minutes, not the hook's usual minute.
beforeAll(async () => {
  browser = await launchChromium();
}, 900_000);
afterAll(() => browser?.close());
// Programs and servers a test started, stopped even when it fails.
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const stopOnCleanup = (program: Program) => {
  cleanups.push(() => {
    program.child.kill('SIGINT');
    return program.exit();
  });
  return program;
};

describe('the page, in headless Chromium', () => {
  it('places an order and shows its departments turn green live, a retry included', async () => {
    const sales = await startSalesStandIn({ failFirst: 2 });
    cleanups.push(() => sales.close());
    const port = await getPort();
    const shop = stopOnCleanup(
      runProgram(new URL('../src/plumbing/start.ts', import.meta.url), [], {
        AMQP_URL: broker.amqpUrl,
        DATA_DIR: tempDir('orders-page-'),
        PORT: String(port),
        SALES_URL: sales.url,
      }),
    );
    await shop.line(`open http://127.0.0.1:${port}/`);
    const page = await browser.newPage();
    cleanups.push(() => page.close());
    await page.goto(`http://127.0.0.1:${port}/`);

    await page.fill('input[name=customer_name]', 'Katherine Johnson');
    await page.fill('input[name=product_ids]', '3, 14');
    await page.click('button[type=submit]');

    await page.waitForSelector('#status:has-text("placed")');
    expect(await page.textContent('#status')).toMatch(/^Order \d+ placed\.$/);
    // The sales system fails twice: retrying holds for 1 s, then 2 s.
    await page.waitForSelector('#sales[data-state="retrying"]');
    for (const department of ['sales', 'marketing', 'warehouse']) {
      await page.waitForSelector(`#${department}[data-state="done"]`);
      expect(await page.textContent(`#${department}`)).toBe(`${department}: done`);
    }
    expect(sales.requests).toBe(3);
  });

  it('shows why an order is refused, and places nothing', async () => {
    const port = await getPort();
    const shop = stopOnCleanup(
      runProgram(new URL('../src/plumbing/run-api.ts', import.meta.url), [], {
        AMQP_URL: broker.amqpUrl,
        DATA_DIR: tempDir('orders-page-'),
        PORT: String(port),
      }),
    );
    await shop.line('API listening');
    const page = await browser.newPage();
    cleanups.push(() => page.close());
    await page.goto(`http://127.0.0.1:${port}/`);

    await page.fill('input[name=product_ids]', 'one, two');
    await page.click('button[type=submit]');

    await page.waitForSelector('#status:has-text("Refused")');
    expect(await page.textContent('#status')).toBe('Refused: body/product_ids/0 must be integer');
    expect(shop.output.some((line) => line.includes('placed by'))).toBe(false);
  });
});
