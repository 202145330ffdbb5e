// The account page's webhooks section, with and without JavaScript: add one (its secret
// shown once), see a test delivery arrive at a local receiver and in the section's last
// deliveries, pause and resume it, delete it; a bad address is named beside its field.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, refusedWith, test, type Page } from './fixtures';
import { hydrated, newAccount, signUp } from './helpers';

// The bad address is refused on purpose (422).
test.use({ allowedConsoleErrors: refusedWith(422) });

/** A receiver on 127.0.0.1 that answers 200 and keeps the event types it got. */
async function receiver() {
  const got: string[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      got.push(JSON.parse(body).type);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, got, close: () => server.close() };
}

const shots = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

const webhooks = (page: Page) => page.getByRole('region', { name: 'Webhooks' });

for (const js of [true, false]) {
  test.describe(js ? 'with JavaScript' : 'with JavaScript disabled', () => {
    test.use({ javaScriptEnabled: js });

    test('a webhook is added with its secret shown once, tested, paused, resumed and deleted', async ({ page }) => {
      const hook = await receiver();
      try {
        await signUp(page, newAccount(), { js });
        await expect(page).toHaveURL('/tasks');
        await page.goto('/account');
        if (js) await hydrated(page);
        const section = webhooks(page);
        await expect(section.getByText('No webhooks yet')).toBeVisible();

        // A bad address is named beside its field; nothing is added.
        await section.getByLabel('Address (URL)').fill('ftp://example.com/hook');
        await section.getByRole('button', { name: 'Add webhook' }).click();
        await expect(webhooks(page).getByLabel('Address (URL)')).toHaveAccessibleDescription(/must be an https \(or http\) URL/);
        await expect(webhooks(page).getByText('No webhooks yet')).toBeVisible();

        await webhooks(page).getByLabel('Address (URL)').fill(hook.url);
        await webhooks(page).getByLabel('Events').fill('task.created, task.reminder');
        await webhooks(page).getByRole('button', { name: 'Add webhook' }).click();
        const secret = webhooks(page).getByLabel('Signing secret');
        await expect(secret).toHaveValue(/^whsec_/);
        await expect(webhooks(page).getByRole('status').filter({ hasText: 'The webhook was added.' })).toBeVisible();
        const item = webhooks(page).getByRole('listitem').filter({ hasText: hook.url });
        await expect(item.getByText('Active')).toBeVisible();
        await expect(item.getByText('Sends task.created, task.reminder')).toBeVisible();

        // Shown once: a new view of the page does not show it.
        await page.goto('/account');
        if (js) await hydrated(page);
        await expect(webhooks(page).getByLabel('Signing secret')).toHaveCount(0);

        await item.getByRole('button', { name: `Send a test to the webhook to ${hook.url}` }).click();
        await expect(webhooks(page).getByText('A test event (ping) was queued.')).toBeVisible();
        await expect.poll(() => hook.got).toEqual(['ping']);
        await page.goto('/account');
        if (js) await hydrated(page);
        await item.getByText('Last deliveries (1)').click();
        const row = item.getByRole('row').filter({ hasText: 'ping' });
        await expect(row.getByRole('cell', { name: '200', exact: true })).toBeVisible();
        if (js) {
          // The section's pictures in docs/user-guide.md, at a laptop's and a phone's size.
          for (const [name, size] of [
            ['desktop', { width: 1280, height: 800 }],
            ['phone', { width: 390, height: 844 }],
          ] as const) {
            await page.setViewportSize(size);
            await webhooks(page).screenshot({ path: path.join(shots, `webhooks-${name}.png`) });
          }
        }

        await item.getByRole('button', { name: `Pause the webhook to ${hook.url}` }).click();
        await expect(item.getByText('Paused', { exact: true })).toBeVisible();
        await expect(webhooks(page).getByText('The webhook was paused')).toBeVisible();
        await item.getByRole('button', { name: `Resume the webhook to ${hook.url}` }).click();
        await expect(item.getByText('Active', { exact: true })).toBeVisible();
        await expect(webhooks(page).getByText('The webhook was resumed')).toBeVisible();

        await item.getByRole('button', { name: `Delete the webhook to ${hook.url}` }).click();
        await expect(webhooks(page).getByText('The webhook was deleted.')).toBeVisible();
        await expect(webhooks(page).getByText('No webhooks yet')).toBeVisible();
      } finally {
        hook.close();
      }
    });
  });
}
