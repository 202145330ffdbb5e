// The browser bundle as the release build serves it: hashed names, the build's brotli copies,
// a year in the browser's cache, and nothing fetched again on the next page.
import { expect, test } from './fixtures';

// The main bundle (todo.*), and with code splitting the chunk loader and each page's chunk.
const hashed = /^\/pkg\/(todo|__wasm_split|split_\w+|chunk_\d+)\.[A-Za-z0-9_-]{8,}(_bg)?\.(js|wasm|css)$/;
const main = /^\/pkg\/todo\./;

test('the bundle has hashed names, comes as brotli and is cached for a year', async ({ page }) => {
  const bundle = new Map<string, { encoding?: string; cache?: string }>();
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith('/pkg/')) {
      const headers = response.headers();
      bundle.set(path, { encoding: headers['content-encoding'], cache: headers['cache-control'] });
    }
  });
  await page.goto('/login');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');

  const paths = [...bundle.keys()];
  expect(paths.filter((p) => p.endsWith('.js')).length).toBeGreaterThanOrEqual(1);
  expect(paths.filter((p) => main.test(p) && p.endsWith('.wasm')).length).toBe(1);
  expect(paths.filter((p) => p.endsWith('.css')).length).toBe(1);
  for (const [path, { encoding, cache }] of bundle) {
    expect(path).toMatch(hashed);
    expect(encoding, path).toBe('br');
    expect(cache, path).toBe('public, max-age=31536000, immutable');
  }

  // The next page takes every file from the browser's cache: none is asked of the server.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const cached = new Set<string>();
  const loaded: Array<{ id: string; path: string; disk: boolean }> = [];
  cdp.on('Network.requestServedFromCache', (event) => cached.add(event.requestId));
  cdp.on('Network.responseReceived', (event) => {
    const path = new URL(event.response.url).pathname;
    if (path.startsWith('/pkg/')) {
      loaded.push({ id: event.requestId, path, disk: Boolean(event.response.fromDiskCache) });
    }
  });
  await page.goto('/signup');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  expect(loaded.length).toBeGreaterThanOrEqual(3);
  // The bundle every page shares; sign-up's own chunk is new to the browser.
  const fromServer = loaded.filter((l) => main.test(l.path) && !l.disk && !cached.has(l.id)).map((l) => l.path);
  expect(fromServer).toEqual([]);
});

test('the favicon is revalidated, not kept for a year', async ({ request }) => {
  const icon = await request.get('/favicon.svg');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['cache-control']).toBe('no-cache');
  const again = await request.get('/favicon.svg', {
    headers: { 'if-modified-since': icon.headers()['last-modified'] },
  });
  expect(again.status()).toBe(304);
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('no page fetches the script bundle or its wasm', async ({ page }) => {
    const fetched: string[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.endsWith('.wasm') || path.endsWith('.js')) fetched.push(path);
    });
    for (const path of ['/', '/login', '/signup']) {
      await page.goto(path);
      await expect(page.getByRole('main')).toBeVisible();
    }
    expect(fetched).toEqual([]);
  });
});
