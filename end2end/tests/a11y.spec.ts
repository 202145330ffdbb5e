// axe-core on every page of the app and each state a user meets on it, with JavaScript and
// without: 0 violations of WCAG 2.1 A/AA and axe's best practices. (/docs and /redoc are
// Swagger UI's and ReDoc's own pages; they are checked for working offline in docs.spec.)
import { expect, test, refusedWith, type Page } from './fixtures';
import { expectAccessible, hydrated, newAccount, signUp } from './helpers';

const today = new Date().toISOString().slice(0, 10);

async function seedVariety(page: Page, account: ReturnType<typeof newAccount>) {
  const request = page.request;
  const login = await request.post('/api/auth/login', { data: { email: account.email, password: account.password } });
  const { access_token, user } = await login.json();
  const headers = { authorization: `Bearer ${access_token}` };
  const tasks = [
    { title: 'Renew passport', priority: 'high', due_date: '2020-01-01', tags: ['travel'] },
    { title: 'Water the plants', description: 'Ferns twice a week', tags: ['home'] },
    { title: 'Call the plumber', priority: 'medium', due_date: today, tags: ['home'] },
    { title: 'Buy stamps', priority: 'low' },
  ];
  for (const task of tasks) {
    expect((await request.post(`/api/${user.id}/tasks`, { data: task, headers })).status()).toBe(201);
  }
}

for (const js of [true, false]) {
  test.describe(js ? 'with JavaScript' : 'with JavaScript disabled', () => {
    test.use({ javaScriptEnabled: js, allowedConsoleErrors: refusedWith(401, 404, 422) });
    // Many pages and states, each a full axe run (twice over without JavaScript).
    test.setTimeout(120_000);
    const ready = async (page: Page) => {
      if (js) await hydrated(page);
      await expectAccessible(page, { js });
    };

    test('public pages: home, sign-up and login, empty and refused, and not found', async ({ page }) => {
      await page.goto('/');
      await ready(page);
      await page.goto('/signup');
      await ready(page);
      await page.getByLabel('Email').fill('not an email');
      await page.getByLabel('Password').fill('short');
      await page.getByRole('button', { name: 'Sign up' }).click();
      await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
      await expectAccessible(page, { js });
      await page.goto('/login');
      await ready(page);
      await page.getByLabel('Email').fill('nobody@example.com');
      await page.getByLabel('Password').fill('wrong password here');
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(page.getByRole('alert').filter({ hasText: /password/i })).toBeVisible();
      await expectAccessible(page, { js });
      await page.goto('/no/such/page');
      await ready(page);
    });

    test('the task page in each of its states, and the account pages', async ({ page }) => {
      const account = newAccount();
      await signUp(page, account, { js });
      await expect(page).toHaveURL('/tasks');
      await ready(page); // empty
      await seedVariety(page, account);
      await page.goto('/tasks');
      await ready(page); // a list with every kind of chip
      await page.getByText('Details, due date, priority, tags').click();
      await page.getByLabel('New task').fill('Pack #travel !high ^tomorrow');
      await expectAccessible(page, { js }); // details open (and, with JavaScript, the preview)
      await page.goto('/tasks?tag=home&priority=medium&q=plumber');
      await ready(page); // filters active
      await page.goto('/tasks?q=nothing-matches-this');
      await ready(page); // no match
      await page.goto('/tasks');
      if (js) await hydrated(page);
      await page.getByRole('link', { name: 'Edit: Buy stamps' }).click();
      await expect(page.getByRole('textbox', { name: 'Title' })).toBeVisible();
      await expectAccessible(page, { js }); // the editor open
      await page.goto('/tasks');
      if (js) await hydrated(page);
      await page.getByRole('button', { name: 'Delete: Buy stamps' }).click();
      // With JavaScript the notice with Undo, without it the confirmation step.
      await expect(page.locator('.notice-bar button, [role="alertdialog"]').first()).toBeVisible();
      await expectAccessible(page, { js });
      await page.goto('/account');
      await ready(page);
      await page.goto('/account/delete');
      await ready(page);
    });
  });
}
