import { expect, refusedWith, test } from './fixtures';
import { hydrated, logIn, newAccount, signUp, watchProblems } from './helpers';

// The server refuses some input on purpose here; Chromium logs each refusal.
test.use({ allowedConsoleErrors: refusedWith(401) });

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
  await expect(page.getByRole('list', { name: 'Tasks' }).getByText('Under a strict policy')).toBeVisible();
  // A reload renders the signed-in page on the server (streamed scripts included).
  const reloaded = await page.reload();
  expect(reloaded!.headers()['cache-control']).toBe('no-store');
  await hydrated(page);
  await expect(page.getByRole('list', { name: 'Tasks' }).getByText('Under a strict policy')).toBeVisible();

  expect(problems.csp).toEqual([]);
  expect(problems.errors).toEqual([]);
});

test.describe('framing', () => {
  // Chromium logs the refusal itself.
  test.use({ allowedConsoleErrors: /frame-ancestors|Refused to (display|frame)|status of 401/ });
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
});


test('when the session ends in another tab, the page says so and keeps the typed task', async ({ page, context }) => {
  const account = newAccount();
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  await hydrated(page);

  // Log out in a second tab of the same browser.
  const other = await context.newPage();
  await other.goto('/tasks');
  await other.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log out' }).click();
  await expect(other).toHaveURL('/');

  const problems = await watchProblems(page);
  await page.getByLabel('New task').fill('Typed after the session ended');
  await page.getByRole('button', { name: 'Add task' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Your session has ended' });
  await expect(alert).toBeVisible();
  await expect(page.getByLabel('New task')).toHaveValue('Typed after the session ended');
  const signIn = alert.getByRole('link', { name: 'Sign in again' });
  await expect(signIn).toHaveAttribute('href', '/login?next=/tasks');
  await expect(signIn).toHaveAttribute('target', '_blank');

  // Sign in again in the new tab; this tab retries and the task is saved.
  const [popup] = await Promise.all([context.waitForEvent('page'), signIn.click()]);
  await logIn(popup, account.email, account.password);
  await expect(popup).toHaveURL('/tasks');
  await popup.close();
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByRole('list', { name: 'Tasks' }).getByText('Typed after the session ended')).toBeVisible();
  await expect(alert).toHaveCount(0);
  // The 401 itself is the only thing the console may report.
  expect(problems.errors.filter((e) => !/401/.test(e))).toEqual([]);
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('a task posted after the session ended comes back after signing in again', async ({ page, context }) => {
    const account = newAccount();
    await signUp(page, account, { js: false });
    await expect(page).toHaveURL('/tasks');
    await page.goto('/tasks?status=active');
    // The session ends (expiry, a sign-out elsewhere): the browser's cookie goes.
    await context.clearCookies();

    await page.getByLabel('New task').fill('Not lost');
    await page.getByRole('button', { name: 'Add task' }).click();
    await expect(page).toHaveURL('/login?next=/tasks%3Fstatus%3Dactive');
    await logIn(page, account.email, account.password, { js: false });
    await expect(page).toHaveURL('/tasks?status=active');
    await expect(page.getByLabel('New task')).toHaveValue('Not lost');
    await expect(page.getByText('You were signed out before this was saved')).toBeVisible();
    await page.getByRole('button', { name: 'Add task' }).click();
    await expect(page.getByRole('list', { name: 'Tasks' }).getByText('Not lost')).toBeVisible();
  });
});

test('hostile titles, descriptions and names stay text in the browser, in every view', async ({ page, request }) => {
  const payloads = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(2)>',
    '</textarea><script>alert(3)</script>',
    "'><svg/onload=alert(4)>",
  ];
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  const account = { ...newAccount(), name: '<img src=x onerror=alert(9)>' };
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  const login = await request.post('/api/auth/login', { data: { email: account.email, password: account.password } });
  const { access_token, user } = await login.json();
  for (const [i, title] of payloads.entries()) {
    const created = await request.post(`/api/${user.id}/tasks`, {
      data: { title, description: payloads[(i + 1) % payloads.length] },
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(created.status()).toBe(201);
  }
  await page.goto('/tasks');
  await hydrated(page);
  const list = page.getByRole('list', { name: 'Tasks' });
  for (const payload of payloads) await expect(list.getByText(payload, { exact: true }).first()).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByText(account.name)).toBeVisible();

  // Edit mode, server-rendered (no-JS path) and opened in the hydrated app.
  const id = (await (await request.get(`/api/${user.id}/tasks`, { headers: { authorization: `Bearer ${access_token}` } })).json()).tasks[0].id;
  await page.goto(`/tasks?edit=${id}`);
  await hydrated(page);
  await expect(page.locator('textarea').last()).toHaveValue(/alert/);
  await page.goto('/account');
  await expect(page.getByText(account.name).first()).toBeVisible();
  expect(dialogs).toEqual([]);
  expect(await page.locator('img[src="x"], svg[onload]').count()).toBe(0);
});
