// What a first visit costs: the task page loads its own code and no other page's (the
// account page, sign-up and log-in are chunks of their own), and it hydrates on a mid phone
// (Chromium throttled: CPU 4x slower, 1.6 Mbps down, 150 ms round trips). The figures (bytes
// on the wire, wasm, hydration time) are written to bench/results/footprint.{json,md} when
// FOOTPRINT_RESULTS is set (`make bench`), and printed otherwise; they are never asserted
// as times, which this machine's noise would make flaky.
import fs from 'node:fs';
import path from 'node:path';
import type { CDPSession, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { newAccount, signUp } from './helpers';

/** Records, from the start of each navigation, when `<html data-hydrated>` appears. */
async function timeHydration(page: Page) {
  await page.addInitScript(() => {
    const seen = () => {
      if (document.documentElement?.getAttribute('data-hydrated') === 'true') {
        (window as unknown as { __hydratedAt: number }).__hydratedAt = performance.now();
        return true;
      }
      return false;
    };
    new MutationObserver((_, observer) => seen() && observer.disconnect()).observe(document, {
      attributes: true,
      subtree: true,
      attributeFilter: ['data-hydrated'],
    });
  });
}

/** Every response of the page's load, by path, with its bytes on the wire. */
async function measureLoad(cdp: CDPSession) {
  const paths = new Map<string, string>();
  const bytes = new Map<string, number>();
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  cdp.on('Network.responseReceived', (e) => paths.set(e.requestId, new URL(e.response.url).pathname));
  cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
  return () =>
    [...paths].map(([id, p]) => ({ path: p, bytes: bytes.get(id) ?? 0 })).sort((a, b) => b.bytes - a.bytes);
}

async function visitTasks(page: Page, cdp: CDPSession, throttled: boolean) {
  if (throttled) {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    });
  }
  const loaded = await measureLoad(cdp);
  await page.goto('/tasks');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true', { timeout: 60_000 });
  await expect(page.getByText('1 item left')).toBeVisible();
  // The last responses (a chunk, if any) are in by now.
  await page.waitForLoadState('networkidle');
  const hydratedAt = await page.evaluate(() => (window as unknown as { __hydratedAt?: number }).__hydratedAt);
  return { files: loaded(), hydrationMs: Math.round(hydratedAt ?? NaN) };
}

test('the task page loads only its own code, and hydrates on a throttled phone', async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUp(page, newAccount());
  await expect(page).toHaveURL('/tasks');
  await page.getByLabel('New task').fill('Measure the first load');
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByText('1 item left')).toBeVisible();

  await timeHydration(page);
  const cdp = await context.newCDPSession(page);
  const fast = await visitTasks(page, cdp, false);
  const slow = await visitTasks(page, cdp, true);

  for (const visit of [fast, slow]) {
    const bundle = visit.files.filter((f) => f.path.startsWith('/pkg/'));
    // The main bundle's script and wasm, and no chunk of another page.
    expect(bundle.filter((f) => /^\/pkg\/todo\.[^/]+\.wasm$/.test(f.path))).toHaveLength(1);
    const others = bundle.filter((f) => /(account|login|signup|home|list)_view/i.test(f.path));
    expect(others.map((f) => f.path)).toEqual([]);
    expect(visit.hydrationMs).toBeGreaterThan(0);
  }

  const sum = (files: { bytes: number }[]) => files.reduce((n, f) => n + f.bytes, 0);
  const wasm = slow.files.filter((f) => f.path.endsWith('.wasm'));
  const figures = {
    requests: slow.files.length,
    first_load_bytes: sum(slow.files),
    wasm_bytes: sum(wasm),
    hydration_ms: fast.hydrationMs,
    hydration_throttled_ms: slow.hydrationMs,
    files: slow.files,
  };
  const kb = (n: number) => `${Math.round(n / 1000)} KB`;
  const table = [
    '# First load of `/tasks`',
    '',
    'Written by `end2end/tests/footprint.spec.ts` (`make bench`): a signed-in user with one task,',
    'the browser cache off; "throttled" is Chromium at CPU 4x, 1.6 Mbps down, 150 ms latency.',
    '',
    '| figure | value | goal |',
    '|---|---:|---:|',
    `| bytes on the wire, all ${figures.requests} requests | ${kb(figures.first_load_bytes)} | 300 KB |`,
    `| wasm on the wire (brotli) | ${kb(figures.wasm_bytes)} | 250 KB |`,
    `| hydrated after (no throttling) | ${figures.hydration_ms} ms | |`,
    `| hydrated after (throttled) | ${figures.hydration_throttled_ms} ms | 1,500 ms |`,
    '',
    '| file | bytes on the wire |',
    '|---|---:|',
    ...slow.files.map((f) => `| \`${f.path}\` | ${f.bytes} |`),
    '',
  ].join('\n');
  if (process.env.FOOTPRINT_RESULTS) {
    const out = path.resolve(__dirname, '..', '..', 'bench', 'results');
    fs.writeFileSync(path.join(out, 'footprint.json'), `${JSON.stringify(figures, null, 2)}\n`);
    fs.writeFileSync(path.join(out, 'footprint.md'), table);
  } else {
    console.log(table);
  }
  await context.close();
});
