// A refused change never throws away what was typed, and says why where it happened: an
// inline edit stays open with its text and the reason beside it (with a way to save over a
// change made elsewhere, or to see it); a Done or a Delete that could not be sent is marked
// on its row, naming the task, with Retry, and is sent again once the browser is back online.
import { expect, refusedWith, test, type APIRequestContext } from './fixtures';
import { addTask, expectAccessible, hydrated, newAccount, row, signUp } from './helpers';

// Requests the tests cut or the server refuses on purpose; Chromium logs each.
test.use({ allowedConsoleErrors: new RegExp(`net::ERR_FAILED|${refusedWith(404, 412, 422).source}`) });

/** Signs up in the page, and returns a bearer token and id for the same account. */
async function signedUpWithToken(page: import('@playwright/test').Page, request: APIRequestContext) {
  const account = newAccount();
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  await hydrated(page);
  const login = await request.post('/api/auth/login', { data: { email: account.email, password: account.password } });
  const { access_token, user } = await login.json();
  return { token: access_token as string, userId: user.id as string };
}

/** The id of the task titled `title`, by the API. */
async function taskId(request: APIRequestContext, auth: { token: string; userId: string }, title: string) {
  const listed = await request.get(`/api/${auth.userId}/tasks`, { headers: { authorization: `Bearer ${auth.token}` } });
  const { tasks } = await listed.json();
  return tasks.find((t: { title: string }) => t.title === title).id as string;
}

test('an edit that could not be sent keeps its text and the reason, and Try again saves it', async ({ page, request }) => {
  await signedUpWithToken(page, request);
  await addTask(page, 'Write report');

  await page.getByRole('link', { name: 'Edit: Write report' }).click();
  const editor = page.getByRole('form', { name: 'Edit task Write report' });
  const title = editor.getByRole('textbox', { name: 'Title' });
  // The limit is in the field, and a counter shows near it.
  await expect(title).toHaveAttribute('maxlength', '200');
  await title.fill('w'.repeat(195));
  await expect(editor.getByText('195 of 200 characters')).toBeVisible();

  await page.route('**/rpc/tasks/edit', (route) => route.abort());
  await title.fill('Write the quarterly report');
  await title.press('Enter');
  const problem = editor.getByRole('alert');
  await expect(problem).toContainText('Not saved: The server could not be reached.');
  await expect(problem).not.toContainText('TypeError');
  // Still open, with what was typed.
  await expect(title).toHaveValue('Write the quarterly report');
  await expectAccessible(page);

  await page.unroute('**/rpc/tasks/edit');
  await problem.getByRole('button', { name: 'Try again' }).click();
  await expect(row(page, 'Write the quarterly report')).toBeVisible();
  await expect(page.getByRole('form', { name: /Edit task/ })).toHaveCount(0);
  await expect(page.getByText('Not saved')).toHaveCount(0);
});

test('an edit refused for its fields keeps its text, with the reason beside the field', async ({ page, request }) => {
  await signedUpWithToken(page, request);
  await addTask(page, 'Plan the trip');
  await page.getByRole('link', { name: 'Edit: Plan the trip' }).click();
  const editor = page.getByRole('form', { name: 'Edit task Plan the trip' });
  const tags = editor.getByRole('textbox', { name: 'Tags' });
  const eleven = Array.from({ length: 11 }, (_, i) => `t${i}`).join(', ');
  await tags.fill(eleven);
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(tags).toHaveAttribute('aria-invalid', 'true');
  await expect(tags).toHaveAccessibleDescription(/at most 10/i);
  await expect(tags).toHaveValue(eleven);
  await tags.fill('t1, t2');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(row(page, 'Plan the trip')).toContainText('#t2');
});

test('a save refused by a change made elsewhere offers to save over it, or to see it', async ({ page, request }) => {
  const auth = await signedUpWithToken(page, request);
  await addTask(page, 'Plan the trip');
  await addTask(page, 'Call mum');
  const headers = { authorization: `Bearer ${auth.token}` };

  for (const choice of ['Save mine over it', 'Discard mine and see theirs']) {
    const now = choice.startsWith('Save') ? 'Plan the trip' : 'Pack the bags';
    await page.getByRole('link', { name: `Edit: ${now}` }).click();
    const editor = page.getByRole('form', { name: `Edit task ${now}` });
    const title = editor.getByRole('textbox', { name: 'Title' });
    await expect(title).toBeFocused();
    const id = await taskId(request, auth, now);
    const theirs = choice.startsWith('Save') ? 'Book the flights' : 'Book a hotel';
    const put = await request.put(`/api/${auth.userId}/tasks/${id}`, { headers, data: { title: theirs } });
    expect(put.status()).toBe(200);

    await title.fill(choice.startsWith('Save') ? 'Pack the bags' : 'Unpack');
    await editor.getByRole('button', { name: 'Save' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Not saved: this task was changed elsewhere' });
    await expect(conflict).toBeVisible();
    await expect(conflict).toContainText(`It is now “${theirs}”`);
    await expect(page.getByRole('textbox', { name: 'Title' })).toHaveValue(choice.startsWith('Save') ? 'Pack the bags' : 'Unpack');
    await conflict.getByRole('button', { name: choice }).click();
    await expect(row(page, choice.startsWith('Save') ? 'Pack the bags' : 'Book a hotel')).toBeVisible();
    await expect(page.getByRole('form', { name: /Edit task/ })).toHaveCount(0);
  }
  await expect(row(page, 'Unpack')).toHaveCount(0);
});

test('a save of a task deleted elsewhere keeps the text and says so', async ({ page, request }) => {
  const auth = await signedUpWithToken(page, request);
  await addTask(page, 'Water plants');
  await page.getByRole('link', { name: 'Edit: Water plants' }).click();
  const editor = page.getByRole('form', { name: 'Edit task Water plants' });
  const id = await taskId(request, auth, 'Water plants');
  const deleted = await request.delete(`/api/${auth.userId}/tasks/${id}`, { headers: { authorization: `Bearer ${auth.token}` } });
  expect(deleted.status()).toBe(204);
  await editor.getByRole('textbox', { name: 'Title' }).fill('Water the ferns');
  await editor.getByRole('button', { name: 'Save' }).click();
  // The row goes, and the editor with it; what was typed is said. (For a moment the
  // editor's own refusal may still show in the row, with other words.)
  const gone = page.getByRole('alert').filter({ hasText: 'What you typed: “Water the ferns”' });
  await expect(gone).toContainText('Not saved: this task was deleted elsewhere.');
  await expect(row(page, 'Water plants')).toHaveCount(0);
  await gone.getByRole('button', { name: 'Dismiss' }).click();
  await expect(gone).toHaveCount(0);
});

test('a Done or Delete that could not be sent is marked on its row, and sent again once online', async ({ page, request }) => {
  await signedUpWithToken(page, request);
  await addTask(page, 'Buy milk');
  await addTask(page, 'Call mum');

  await page.route('**/rpc/tasks/complete', (route) => route.abort());
  await page.getByRole('checkbox', { name: 'Done: Buy milk' }).click();
  const problem = row(page, 'Buy milk').getByRole('alert');
  await expect(problem).toContainText('“Buy milk” was not marked done: the server could not be reached.');
  await expect(row(page, 'Call mum').getByRole('alert')).toHaveCount(0);
  await expect(row(page, 'Call mum')).toBeVisible();
  await expectAccessible(page);

  // Back online: sent again by itself.
  await page.unroute('**/rpc/tasks/complete');
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(page.getByRole('checkbox', { name: 'Done: Buy milk' })).toHaveAttribute('aria-checked', 'true');
  await expect(row(page, 'Buy milk').getByRole('alert')).toHaveCount(0);

  // A deletion, then Retry by hand.
  await page.route('**/rpc/tasks/delete', (route) => route.abort());
  await page.getByRole('button', { name: 'Delete: Call mum' }).click();
  const refused = row(page, 'Call mum').getByRole('alert');
  await expect(refused).toContainText('“Call mum” was not deleted');
  await page.unroute('**/rpc/tasks/delete');
  await refused.getByRole('button', { name: 'Retry' }).click();
  await expect(row(page, 'Call mum')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('a refused save comes back to the editor with what was typed and why', async ({ page }) => {
    await signUp(page, newAccount(), { js: false });
    await expect(page).toHaveURL('/tasks');
    await page.getByLabel('New task').fill('Plan the trip');
    await page.getByRole('button', { name: 'Add task' }).click();
    await page.getByRole('link', { name: 'Edit: Plan the trip' }).click();
    await expect(page).toHaveURL(/edit=/);
    const editor = page.getByRole('form', { name: 'Edit task Plan the trip' });
    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}`).join(', ');
    await editor.getByRole('textbox', { name: 'Title' }).fill('Plan the whole trip');
    await editor.getByRole('textbox', { name: 'Tags' }).fill(eleven);
    await editor.getByRole('button', { name: 'Save' }).click();

    await expect(page).toHaveURL(/edit=/);
    const again = page.getByRole('form', { name: 'Edit task Plan the trip' });
    await expect(again.getByRole('textbox', { name: 'Title' })).toHaveValue('Plan the whole trip');
    const tags = again.getByRole('textbox', { name: 'Tags' });
    await expect(tags).toHaveValue(eleven);
    await expect(tags).toHaveAttribute('aria-invalid', 'true');
    await expect(tags).toHaveAccessibleDescription(/at most 10/i);
    // Said once, in the editor.
    await expect(page.getByText(/at most 10 tags/i)).toHaveCount(1);

    await tags.fill('t1, t2');
    await again.getByRole('button', { name: 'Save' }).click();
    await expect(row(page, 'Plan the whole trip')).toContainText('#t2');
  });
});
