// The account page's calendar apps section, with and without JavaScript: what an app is set
// up with, an app password made (shown once), used by a CalDAV request, listed with when it
// was last used, and revoked; an empty name is named beside its field; a hostile name is text.
import path from 'node:path';
import { expect, refusedWith, test, type Page } from './fixtures';
import { hydrated, newAccount, signUp } from './helpers';

// The empty name is refused on purpose (422).
test.use({ allowedConsoleErrors: refusedWith(422) });

const shots = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

const section = (page: Page) => page.getByRole('region', { name: 'Calendar apps' });

for (const js of [true, false]) {
  test.describe(js ? 'with JavaScript' : 'with JavaScript disabled', () => {
    test.use({ javaScriptEnabled: js });

    test('an app password is made, shown once, used by a calendar app and revoked', async ({ page, request }) => {
      const account = newAccount();
      await signUp(page, account, { js });
      await expect(page).toHaveURL('/tasks');
      await page.goto('/account');
      if (js) await hydrated(page);
      await expect(section(page).getByText('No app passwords yet')).toBeVisible();
      await expect(section(page).getByText(/^http:\/\/127\.0\.0\.1:\d+\/dav\/$/)).toBeVisible();
      await expect(section(page).getByText(account.email, { exact: true })).toBeVisible();

      // An empty name is named beside its field; nothing is made.
      await section(page).getByRole('button', { name: 'Make app password' }).click();
      await expect(section(page).getByLabel('For which app or device')).toHaveAccessibleDescription(/Name the app password/);
      await expect(section(page).getByText('No app passwords yet')).toBeVisible();

      const hostile = '<img src=x onerror=alert(1)> Phone';
      await section(page).getByLabel('For which app or device').fill(hostile);
      await section(page).getByRole('button', { name: 'Make app password' }).click();
      const shown = section(page).getByLabel('New app password');
      await expect(shown).toHaveValue(/^[a-z2-9]{4}(-[a-z2-9]{4}){5}$/);
      const password = await shown.inputValue();
      await expect(section(page).getByRole('status').filter({ hasText: 'The app password was made.' })).toBeVisible();
      const item = section(page).getByRole('listitem').filter({ hasText: hostile });
      await expect(item.getByText('never used')).toBeVisible();
      if (js) {
        // The section's pictures in docs/user-guide.md, at a laptop's and a phone's size.
        for (const [name, size] of [
          ['desktop', { width: 1280, height: 800 }],
          ['phone', { width: 390, height: 844 }],
        ] as const) {
          await page.setViewportSize(size);
          await section(page).screenshot({ path: path.join(shots, `app-passwords-${name}.png`) });
        }
      }

      // A calendar app signs in with it.
      const basic = 'Basic ' + Buffer.from(`${account.email}:${password}`).toString('base64');
      const propfind = () => request.fetch('/dav/', { method: 'PROPFIND', headers: { authorization: basic, depth: '0' } });
      expect((await propfind()).status()).toBe(207);

      // Shown once: a new view of the page does not show it, and says when it was used.
      await page.goto('/account');
      if (js) await hydrated(page);
      await expect(section(page).getByLabel('New app password')).toHaveCount(0);
      await expect(item.getByText(/last used/)).toBeVisible();

      await item.getByRole('button', { name: `Revoke the app password ${hostile}` }).click();
      await expect(section(page).getByText('The app password was revoked')).toBeVisible();
      await expect(section(page).getByText('No app passwords yet')).toBeVisible();
      expect((await propfind()).status()).toBe(401);
    });
  });
}
