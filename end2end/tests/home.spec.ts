import { expect, refusedWith, test } from './fixtures';

test('the home page HTML is complete before any script runs', async ({ request }) => {
  const response = await request.get('/');
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain('Your tasks, your server.');
  expect(html).toContain('<title>Todo</title>');
});

test('the page reads fully with JavaScript disabled', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Your tasks, your server.' })).toBeVisible();
  // Without wasm nothing can make the button work, so it is honestly disabled.
  await expect(page.getByRole('button', { name: 'Click me' })).toBeDisabled();
  await context.close();
});

test('the live control works once the page has hydrated', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));

  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  const button = page.getByRole('button', { name: 'Click me' });
  await expect(button).toBeEnabled();
  await button.click();
  await expect(page.getByRole('button', { name: 'Clicked once' })).toBeVisible();
  await page.getByRole('button', { name: 'Clicked once' }).click();
  await expect(page.getByRole('button', { name: 'Clicked 2 times' })).toBeVisible();
  expect(errors).toEqual([]);
});

test.describe('an unknown address', () => {
  test.use({ allowedConsoleErrors: refusedWith(404) });
  test('shows a not-found page with status 404', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the home page' }).click();
  await expect(page).toHaveURL('/');
});
});
