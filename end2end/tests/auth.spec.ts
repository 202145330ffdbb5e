import { expect, refusedWith, test } from './fixtures';
import { hydrated, logIn, newAccount, signUp } from './helpers';

// The server refuses some input on purpose here; Chromium logs each refusal.
test.use({ allowedConsoleErrors: refusedWith(401, 422) });

for (const js of [true, false]) {
  const mode = js ? 'with JavaScript' : 'with JavaScript disabled';

  test.describe(mode, () => {
    test.use({ javaScriptEnabled: js });

    test('sign up, log out, log in and see your name', async ({ page }) => {
      const account = newAccount();
      await signUp(page, account, { js });

      await expect(page).toHaveURL('/tasks');
      await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link', { name: account.name })).toBeVisible();

      await nav.getByRole('button', { name: 'Log out' }).click();
      await expect(page).toHaveURL('/');
      await expect(nav.getByRole('link', { name: 'Log in' })).toBeVisible();
      await expect(nav.getByRole('link', { name: account.name })).toHaveCount(0);

      await nav.getByRole('link', { name: 'Log in' }).click();
      await expect(page).toHaveURL('/login');
      await logIn(page, account.email, account.password, { js });
      await expect(page).toHaveURL('/tasks');
      await expect(nav.getByRole('link', { name: account.name })).toBeVisible();
      await nav.getByRole('link', { name: account.name }).click();
      // The account page names the address (the calendar apps section shows it again).
      await expect(page.getByRole('strong').filter({ hasText: account.email })).toBeVisible();
    });

    test('bad sign-up input shows messages beside the fields and keeps what was typed', async ({ page }) => {
      await page.goto('/signup');
      if (js) await hydrated(page);
      await page.getByLabel('Name').fill('Grace');
      await page.getByLabel('Email').fill('not-an-address');
      await page.getByLabel('Password').fill('short');
      await page.getByRole('button', { name: 'Sign up' }).click();

      await expect(page.getByLabel('Email')).toHaveAccessibleDescription(/such as name@example.com/);
      await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/at least 8 characters/);
      await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByLabel('Name')).toHaveValue('Grace');
      await expect(page.getByLabel('Email')).toHaveValue('not-an-address');
      await expect(page.getByLabel('Password')).toHaveValue(js ? 'short' : '');
    });

    test('a wrong password is refused with one message and the email kept', async ({ page }) => {
      const account = newAccount();
      await signUp(page, account, { js });
      await expect(page).toHaveURL('/tasks');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log out' }).click();
      await expect(page).toHaveURL('/');

      await page.goto('/login');
      await logIn(page, account.email, 'not my password', { js });
      await expect(page.getByRole('alert').filter({ hasText: 'Wrong email or password.' })).toBeVisible();
      await expect(page.getByLabel('Email')).toHaveValue(account.email);
    });

    test('a page that needs a user sends a visitor to log in and back', async ({ page }) => {
      const account = newAccount();
      await signUp(page, account, { js });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log out' }).click();
      await expect(page).toHaveURL('/');

      await page.goto('/account');
      await expect(page).toHaveURL('/login?next=/account');
      await logIn(page, account.email, account.password, { js });
      await expect(page).toHaveURL('/account');
      await expect(page.getByRole('heading', { name: 'Your account', exact: true })).toBeVisible();
    });
  });
}

test('after hydration, logging in changes the page without a full reload', async ({ page }) => {
  const account = newAccount();
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL('/');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' }).click();
  await hydrated(page);
  // A marker on the window survives client-side navigation, not a document load.
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'still here'));
  await logIn(page, account.email, account.password);
  await expect(page).toHaveURL('/tasks');
  await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('still here');
});

test('the shared validators answer in the browser as soon as a field is left', async ({ page }) => {
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Email').fill('nope');
  await page.getByLabel('Password').focus();
  await expect(page.getByLabel('Email')).toHaveAccessibleDescription(/such as name@example.com/);
  await page.getByLabel('Email').fill('grace@example.com');
  await expect(page.getByLabel('Email')).not.toHaveAttribute('aria-invalid', 'true');
});
