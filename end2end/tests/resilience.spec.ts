// What fails never takes the list off the screen: a reload that cannot reach the server
// leaves the list as it was, says why in words, and loads again when the browser is back
// online; a session that ended keeps the list visible with the way to sign in again.
import { expect, refusedWith, test } from './fixtures';
import { addTask, hydrated, newAccount, row, signUp } from './helpers';

// Requests the tests cut or the server refuses on purpose; Chromium logs each.
test.use({ allowedConsoleErrors: new RegExp(`net::ERR_FAILED|${refusedWith(401).source}`) });

test('a reload that fails keeps the list, says so plainly, and loads again once online', async ({ page }) => {
  await signUp(page, newAccount());
  await expect(page).toHaveURL('/tasks');
  await hydrated(page);
  await addTask(page, 'Buy milk');
  await addTask(page, 'Call mum');

  // The server cannot be reached for the list.
  await page.route('**/rpc/tasks/board', (route) => route.abort());
  await page.getByRole('checkbox', { name: 'Done: Buy milk' }).click();
  await expect(page.getByRole('alert')).toContainText('Your tasks could not be refreshed');
  await expect(page.getByRole('alert')).toContainText('The server could not be reached.');
  await expect(page.getByRole('alert')).not.toContainText('TypeError');
  await expect(row(page, 'Buy milk')).toBeVisible();
  await expect(row(page, 'Call mum')).toBeVisible();

  // A change that cannot be sent says so in words, and the list stays.
  await page.route('**/rpc/tasks/complete', (route) => route.abort());
  await page.getByRole('checkbox', { name: 'Done: Call mum' }).click();
  await expect(page.getByText('The server could not be reached. Check your connection and try again.').first()).toBeVisible();
  await expect(row(page, 'Call mum')).toBeVisible();

  // Back online: the list loads by itself, with the change that did reach the server.
  await page.unroute('**/rpc/tasks/board');
  await page.unroute('**/rpc/tasks/complete');
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(page.getByText('Your tasks could not be refreshed')).toHaveCount(0);
  await expect(page.getByRole('checkbox', { name: 'Done: Buy milk' })).toHaveAttribute('aria-checked', 'true');
});

test('a session that ended keeps the list on screen with a way to sign in again', async ({ page, request }) => {
  const account = newAccount();
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  await hydrated(page);
  await addTask(page, 'Water plants');

  const login = await request.post('/api/auth/login', { data: { email: account.email, password: account.password } });
  const { access_token } = await login.json();
  const everywhere = await request.post('/api/auth/logout-all', { headers: { authorization: `Bearer ${access_token}` } });
  expect(everywhere.status()).toBe(204);

  // The page's next look at the list finds the session gone.
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await page.getByRole('checkbox', { name: 'Done: Water plants' }).click();
  await expect(row(page, 'Water plants')).toBeVisible();
  await expect(page.getByText('You are signed out, so this list may be out of date')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Sign in again' }).first()).toBeVisible();
});

test('an action error goes with the next success, or with Dismiss, and never piles up', async ({ page }) => {
  await signUp(page, newAccount());
  await expect(page).toHaveURL('/tasks');
  await hydrated(page);
  await addTask(page, 'Buy milk');
  await addTask(page, 'Call mum');
  await page.getByRole('checkbox', { name: 'Done: Buy milk' }).click();
  await expect(page.getByRole('button', { name: 'Clear completed (1)' })).toBeVisible();
  const message = page.getByText('The server could not be reached. Check your connection and try again.');

  // Actions on the whole list (no row to say it on) fail: one message at the top.
  await page.route('**/rpc/tasks/complete-all', (route) => route.abort());
  await page.route('**/rpc/tasks/clear-completed', (route) => route.abort());
  await page.getByRole('button', { name: 'Mark all as done' }).click();
  await expect(message).toHaveCount(1);
  await page.getByRole('button', { name: 'Clear completed (1)' }).click();
  // Two failures, one message.
  await expect(message).toHaveCount(1);
  await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();
  await expect(message).toHaveCount(0);

  await page.getByRole('button', { name: 'Mark all as done' }).click();
  await expect(message).toHaveCount(1);
  await page.unroute('**/rpc/tasks/complete-all');
  await page.getByRole('button', { name: 'Mark all as done' }).click();
  await expect(page.getByRole('checkbox', { name: 'Done: Call mum' })).toHaveAttribute('aria-checked', 'true');
  await expect(message).toHaveCount(0);
});
