import { expect, test } from '@playwright/test';
import { hydrated, newAccount, signUp, watchProblems } from './helpers';

test('the app hydrates and works under its Content-Security-Policy, with no violation', async ({ page }) => {
  const problems = await watchProblems(page);
  const home = await page.goto('/');
  const policy = home!.headers()['content-security-policy'];
  expect(policy).toContain("script-src 'self' 'nonce-");
  expect(policy).not.toContain("'unsafe-inline'");
  expect(home!.headers()['x-content-type-options']).toBe('nosniff');
  await hydrated(page);

  const account = newAccount();
  await signUp(page, account);
  await expect(page).toHaveURL(/\/tasks/);
  await hydrated(page);
  await page.getByLabel('New task').fill('Under a strict policy');
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByText('Under a strict policy')).toBeVisible();
  // A reload renders the signed-in page on the server (streamed scripts included).
  const reloaded = await page.reload();
  expect(reloaded!.headers()['cache-control']).toBe('no-store');
  await hydrated(page);
  await expect(page.getByText('Under a strict policy')).toBeVisible();

  expect(problems.csp).toEqual([]);
  expect(problems.errors).toEqual([]);
});

test('a page cannot be framed by another site', async ({ page, baseURL }) => {
  const problems = await watchProblems(page);
  await page.setContent(`<iframe src="${baseURL}/login"></iframe>`);
  const frame = page.frames()[1];
  // The browser refuses to show it: the frame never gets the login form.
  await expect
    .poll(async () => (frame ? await frame.locator('form').count().catch(() => 0) : 0))
    .toBe(0);
  expect(problems.csp.join('\n') + problems.errors.join('\n')).toMatch(/frame-ancestors|refused|denied/i);
});
