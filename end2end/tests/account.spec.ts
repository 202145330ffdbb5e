import { expect, refusedWith, test, type Browser, type Page } from './fixtures';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hydrated, logIn, newAccount, signUp, watchProblems } from './helpers';

// The server refuses some input on purpose here; Chromium logs each refusal.
test.use({ allowedConsoleErrors: refusedWith(401, 422) });

/** A second browser (its own cookies) signed in as `account`. */
async function secondBrowser(browser: Browser, account: ReturnType<typeof newAccount>, js: boolean) {
  const context = await browser.newContext({ javaScriptEnabled: js });
  const page = await context.newPage();
  await page.goto('/login');
  await logIn(page, account.email, account.password, { js });
  await expect(page).toHaveURL('/tasks');
  return page;
}

/** Whether this browser is still signed in: /tasks shows the list, or sends it to log in. */
async function expectSignedOut(page: Page) {
  await page.goto('/tasks');
  await expect(page).toHaveURL(/\/login\?next=/);
}

/** An operator's `todo reset-password EMAIL` against the suite's database: the one-time password.
 * It runs the binary the suite serves (`TODO_BIN`, set by `make`; the release build otherwise). */
function resetPassword(email: string) {
  const dataDir = process.env.E2E_DATA_DIR!;
  const binary = path.resolve(__dirname, '../..', process.env.TODO_BIN ?? 'target/release/todo');
  return execFileSync(binary, ['reset-password', email], {
    env: { ...process.env, DATABASE_URL: `sqlite://${dataDir}/e2e.db`, DATA_DIR: dataDir, RUST_LOG: 'warn' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

function section(page: Page, name: string) {
  return page.getByRole('region', { name });
}

for (const js of [true, false]) {
  const mode = js ? 'with JavaScript' : 'with JavaScript disabled';

  test.describe(mode, () => {
    test.use({ javaScriptEnabled: js, timezoneId: 'Europe/Paris' });

    test('profile, email and password change on the account page; the password signs other browsers out', async ({ page, browser }) => {
      const problems = await watchProblems(page);
      const account = newAccount();
      await signUp(page, account, { js });
      await expect(page).toHaveURL('/tasks');
      const other = await secondBrowser(browser, account, js);

      await page.goto('/account');
      if (js) await hydrated(page);
      const profile = section(page, 'Profile');
      // Signup took the browser's time zone when it could run script; UTC otherwise.
      await expect(profile.getByLabel('Time zone')).toHaveValue(js ? 'Europe/Paris' : 'UTC');
      // The signed-in browsers' times read in the account's zone.
      const zone = js ? /CES?T · last seen .* CES?T/ : /UTC · last seen .* UTC/;
      await expect(section(page, 'Signed-in browsers').getByText(zone).first()).toBeVisible();

      await profile.getByLabel('Name').fill('Grace <b>Hopper</b>');
      await profile.getByLabel('Time zone').fill('Mars/Base');
      await profile.getByRole('button', { name: 'Save profile' }).click();
      await expect(profile.getByLabel('Time zone')).toHaveAccessibleDescription(/Unknown time zone/);
      await profile.getByLabel('Time zone').fill('America/New_York');
      await profile.getByRole('button', { name: 'Save profile' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Your profile was saved.' })).toBeVisible();
      await expect(page).toHaveURL('/account?done=profile');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link', { name: 'Grace <b>Hopper</b>' })).toBeVisible();
      await expect(section(page, 'Profile').getByLabel('Time zone')).toHaveValue('America/New_York');

      const email = section(page, 'Email address');
      const newEmail = `moved-${account.email}`;
      await email.getByLabel('New email address').fill(newEmail);
      await email.getByLabel('Current password').fill('not my password');
      await email.getByRole('button', { name: 'Change email' }).click();
      await expect(section(page, 'Email address').getByLabel('Current password')).toHaveAccessibleDescription(
        'The current password is wrong.',
      );
      await section(page, 'Email address').getByLabel('New email address').fill(newEmail);
      await section(page, 'Email address').getByLabel('Current password').fill(account.password);
      await section(page, 'Email address').getByRole('button', { name: 'Change email' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Your email address was changed.' })).toBeVisible();
      await expect(section(page, 'Email address').getByText(newEmail)).toBeVisible();

      const password = section(page, 'Password');
      await password.getByLabel('Current password').fill(account.password);
      await password.getByLabel('New password').fill('a brand new password');
      await password.getByRole('button', { name: 'Change password' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'every other browser and token was signed out' })).toBeVisible();

      // This browser stays in; the other one is out.
      await page.goto('/tasks');
      await expect(page).toHaveURL('/tasks');
      await expectSignedOut(other);
      await other.context().close();

      // Chromium logs each refused request (the 401 and 422 answers above) as a resource
      // error; anything else (a panic, an exception) fails the test.
      if (js) expect(problems.errors.filter((e) => !/status of (401|422)/.test(e))).toEqual([]);
    });

    test('the list of signed-in browsers signs another out, and "Sign out everywhere" signs out all', async ({ page, browser }) => {
      const account = newAccount();
      await signUp(page, account, { js });
      await expect(page).toHaveURL('/tasks');
      const other = await secondBrowser(browser, account, js);

      await page.goto('/account');
      if (js) await hydrated(page);
      const sessions = section(page, 'Signed-in browsers');
      await expect(sessions.getByRole('listitem')).toHaveCount(2);
      await expect(sessions.getByText('This browser')).toHaveCount(1);
      await sessions.getByRole('button', { name: /^Sign out Chrom/ }).click();
      await expect(page.getByRole('status').filter({ hasText: 'That browser was signed out.' })).toBeVisible();
      await expect(section(page, 'Signed-in browsers').getByRole('listitem')).toHaveCount(1);
      await expectSignedOut(other);

      // Sign in there again, then end everything from here.
      await other.goto('/login');
      await logIn(other, account.email, account.password, { js });
      await expect(other).toHaveURL('/tasks');
      await page.goto('/account');
      if (js) await hydrated(page);
      await section(page, 'Signed-in browsers').getByRole('button', { name: 'Sign out everywhere' }).click();
      await expect(page).toHaveURL('/login?signed_out=everywhere');
      await expect(page.getByRole('status').filter({ hasText: 'You are signed out everywhere' })).toBeVisible();
      await expectSignedOut(page);
      await expectSignedOut(other);
      await other.context().close();
    });

    test('export downloads every task; importing that file adds them again', async ({ page }) => {
      const account = newAccount();
      await signUp(page, account, { js });
      await expect(page).toHaveURL('/tasks');
      if (js) await hydrated(page);
      await page.getByLabel('New task').fill('Water the plants');
      await page.getByRole('button', { name: 'Add task' }).click();
      await expect(page.getByText('Water the plants')).toHaveCount(1);

      await page.goto('/account');
      if (js) await hydrated(page);
      const transfer = section(page, 'Export and import');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        transfer.getByRole('link', { name: 'Download export' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^todo-export-\d{4}-\d{2}-\d{2}\.json$/);
      const file = await download.path();
      const exported = JSON.parse(await readFile(file, 'utf8'));
      expect(exported.format).toBe('todo-export');
      expect(exported.version).toBe(2);
      expect(exported.lists.map((l: { name: string }) => l.name)).toEqual(['Inbox']);
      expect(exported.lists[0].tasks.map((t: { title: string }) => t.title)).toEqual(['Water the plants']);

      await transfer.getByLabel('Export file (JSON)').setInputFiles(file);
      await transfer.getByRole('button', { name: 'Import' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Imported 1 task.' })).toBeVisible();

      // A file that is not an export: nothing imported, and the page says why.
      await section(page, 'Export and import').getByLabel('Export file (JSON)').setInputFiles({
        name: 'broken.json',
        mimeType: 'application/json',
        buffer: Buffer.from('{"format": "todo-export", "version": 1, "tasks": [{"title": ""}]}'),
      });
      await section(page, 'Export and import').getByRole('button', { name: 'Import' }).click();
      await expect(page.getByRole('alert').filter({ hasText: 'Nothing was imported.' })).toBeVisible();

      await page.goto('/tasks');
      await expect(page.getByText('Water the plants')).toHaveCount(2);
    });

    test('deleting the account asks for the password and a confirmation, then nothing is left', async ({ page }) => {
      const account = newAccount();
      await signUp(page, account, { js });
      await expect(page).toHaveURL('/tasks');
      await page.goto('/account');
      if (js) await hydrated(page);
      await page.getByRole('link', { name: 'Delete account…' }).click();
      await expect(page).toHaveURL('/account/delete');
      if (js) await hydrated(page);

      await page.getByLabel('Password').fill(account.password);
      await page.getByRole('button', { name: 'Delete my account' }).click();
      await expect(page.getByText('Tick the box to confirm')).toBeVisible();

      await page.getByLabel('Password').fill('not my password');
      await page.getByLabel('Yes, delete my account and all my tasks').check();
      await page.getByRole('button', { name: 'Delete my account' }).click();
      await expect(page.getByLabel('Password')).toHaveAccessibleDescription('The current password is wrong.');

      await page.getByLabel('Password').fill(account.password);
      await page.getByLabel('Yes, delete my account and all my tasks').check();
      await page.getByRole('button', { name: 'Delete my account' }).click();
      await expect(page).toHaveURL('/?deleted=1');
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' })).toBeVisible();

      await page.goto('/login');
      await logIn(page, account.email, account.password, { js });
      await expect(page.getByRole('alert').filter({ hasText: 'Wrong email or password.' })).toBeVisible();
    });

    test('after an operator reset the password, the next login leads to choosing a new one', async ({ page }) => {
      const account = newAccount();
      await signUp(page, account, { js });
      await expect(page).toHaveURL('/tasks');
      const oneTime = resetPassword(account.email);
      expect(oneTime).toMatch(/^[A-Za-z0-9]{20}$/);

      // The reset ended this browser's session.
      await expectSignedOut(page);
      await logIn(page, account.email, oneTime, { js });
      await expect(page).toHaveURL('/account');
      await expect(page.getByRole('alert').filter({ hasText: 'An administrator reset your password' })).toBeVisible();
      // Nothing else of the account is offered until then, and other pages lead back here.
      await expect(section(page, 'Profile')).toHaveCount(0);
      await page.goto('/tasks');
      await expect(page).toHaveURL('/account');
      if (js) await hydrated(page);

      const password = section(page, 'Password');
      await password.getByLabel('Current password').fill(oneTime);
      await password.getByLabel('New password').fill('my own password again');
      await password.getByRole('button', { name: 'Change password' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Your password was changed' })).toBeVisible();
      await expect(section(page, 'Profile')).toBeVisible();
      await page.goto('/tasks');
      await expect(page).toHaveURL('/tasks');
    });
  });
}
