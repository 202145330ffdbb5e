import { expect, test, type APIRequestContext, type Page } from './fixtures';
import { addTask, hydrated, newAccount, row, signUp, taskList } from './helpers';

/** Creates tasks through the JSON API for the account, oldest first. */
async function seedTasks(request: APIRequestContext, email: string, password: string, titles: string[]) {
  const login = await request.post('/api/auth/login', { data: { email, password } });
  expect(login.status()).toBe(200);
  const { access_token, user } = await login.json();
  for (const title of titles) {
    const created = await request.post(`/api/${user.id}/tasks`, {
      data: { title },
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(created.status()).toBe(201);
  }
}

test('the whole TodoMVC flow after hydration', async ({ page }) => {
  await signUp(page, newAccount());
  await expect(page).toHaveURL('/tasks');
  await hydrated(page);
  await expect(page.getByText('Nothing to do yet. Add your first task above.')).toBeVisible();

  await addTask(page, 'Buy milk');
  await expect(page.getByLabel('New task')).toHaveValue('');
  await addTask(page, 'Write report');
  await addTask(page, 'Call mum');
  await expect(page.getByText('3 items left')).toBeVisible();
  // Newest first.
  await expect(taskList(page).getByRole('listitem').first()).toContainText('Call mum');

  await page.getByRole('checkbox', { name: 'Done: Buy milk' }).click();
  await expect(page.getByRole('checkbox', { name: 'Done: Buy milk' })).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByText('2 items left')).toBeVisible();

  await page.getByRole('link', { name: 'Active', exact: true }).click();
  await expect(page).toHaveURL('/tasks?status=active');
  await expect(row(page, 'Buy milk')).toHaveCount(0);
  await expect(row(page, 'Write report')).toBeVisible();
  await page.getByRole('link', { name: 'Completed', exact: true }).click();
  await expect(page).toHaveURL('/tasks?status=completed');
  await expect(row(page, 'Buy milk')).toBeVisible();
  await expect(row(page, 'Call mum')).toHaveCount(0);
  await page.goBack();
  await expect(page).toHaveURL('/tasks?status=active');
  await expect(row(page, 'Write report')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('link', { name: 'Active', exact: true })).toHaveAttribute('aria-current', 'page');
  await hydrated(page);
  await page.getByRole('link', { name: 'All', exact: true }).click();
  // Wait for the full list (the completed task is only in it) before editing a row.
  await expect(row(page, 'Buy milk')).toBeVisible();

  // Inline edit: double-click, type, Enter saves.
  await row(page, 'Write report').getByText('Write report').dblclick();
  const title = page.getByRole('textbox', { name: 'Title' });
  await expect(title).toBeFocused();
  await title.fill('Write the quarterly report');
  await title.press('Enter');
  await expect(row(page, 'Write the quarterly report')).toBeVisible();

  // Escape cancels.
  await page.getByRole('link', { name: 'Edit: Call mum' }).click();
  await page.getByRole('textbox', { name: 'Title' }).fill('Something else');
  await page.getByRole('textbox', { name: 'Title' }).press('Escape');
  await expect(row(page, 'Call mum')).toBeVisible();
  await expect(row(page, 'Something else')).toHaveCount(0);

  // An emptied title offers to delete.
  await page.getByRole('link', { name: 'Edit: Call mum' }).click();
  await page.getByRole('textbox', { name: 'Title' }).fill('');
  await page.getByRole('textbox', { name: 'Title' }).press('Enter');
  await page.getByRole('button', { name: 'Delete task' }).click();
  await expect(row(page, 'Call mum')).toHaveCount(0);

  await page.getByRole('button', { name: 'Mark all as done' }).click();
  await expect(page.getByText('0 items left')).toBeVisible();
  await page.getByRole('button', { name: 'Mark all as not done' }).click();
  await expect(page.getByText('2 items left')).toBeVisible();

  await page.getByRole('checkbox', { name: 'Done: Buy milk' }).click();
  await expect(page.getByText('1 item left')).toBeVisible();
  await page.getByRole('button', { name: 'Clear completed (1)' }).click();
  await expect(row(page, 'Buy milk')).toHaveCount(0);
  await page.getByRole('button', { name: 'Delete: Write the quarterly report' }).click();
  await expect(page.getByText('Nothing to do yet. Add your first task above.')).toBeVisible();
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('add, complete, edit, delete and paginate through plain forms and links', async ({ page, request }) => {
    const account = newAccount();
    await signUp(page, account, { js: false });
    await expect(page).toHaveURL('/tasks');

    await page.getByLabel('New task').fill('Water plants');
    await page.getByRole('button', { name: 'Add task' }).click();
    await expect(row(page, 'Water plants')).toBeVisible();
    await expect(page.getByText('1 item left')).toBeVisible();

    await page.getByRole('checkbox', { name: 'Done: Water plants' }).click();
    await expect(page.getByRole('checkbox', { name: 'Done: Water plants' })).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByText('0 items left')).toBeVisible();

    await page.getByRole('link', { name: 'Edit: Water plants' }).click();
    await expect(page).toHaveURL(/edit=/);
    await page.getByRole('textbox', { name: 'Title' }).fill('Water the plants');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL('/tasks');
    await expect(row(page, 'Water the plants')).toBeVisible();

    // Without undo, deleting asks first.
    await page.getByRole('button', { name: 'Delete: Water the plants' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete task' }).click();
    await expect(page.getByText('Nothing to do yet. Add your first task above.')).toBeVisible();

    const titles = Array.from({ length: 25 }, (_, i) => `Task ${String(i + 1).padStart(2, '0')}`);
    await seedTasks(request, account.email, account.password, titles);
    await page.goto('/tasks');
    await expect(page.getByText('Page 1 of 2')).toBeVisible();
    await expect(taskList(page).getByRole('listitem')).toHaveCount(20);
    await expect(taskList(page).getByRole('listitem').first()).toContainText('Task 25');
    await page.getByRole('link', { name: 'Next page' }).click();
    await expect(page).toHaveURL('/tasks?page=2');
    await expect(taskList(page).getByRole('listitem')).toHaveCount(5);
    await expect(taskList(page).getByRole('listitem').last()).toContainText('Task 01');
    // Completing a task on page 2 keeps you on page 2.
    await page.getByRole('checkbox', { name: 'Done: Task 03' }).click();
    await expect(page).toHaveURL('/tasks?page=2');
    await expect(page.getByText('24 items left')).toBeVisible();
  });

  test('a refused task keeps what was typed, and markup in it stays text', async ({ page }) => {
    await signUp(page, newAccount(), { js: false });
    await expect(page).toHaveURL('/tasks');
    const details = '</textarea><script>window.__pwned = 1</script> keep me';
    await page.getByLabel('New task').fill('x'.repeat(201));
    await page.getByText('Details, due date, priority, tags').click();
    await page.getByLabel('Details', { exact: true }).fill(details);
    await page.getByRole('button', { name: 'Add task' }).click();

    // Back on the page (the error lives in the session, not the address), with the message
    // and exactly what was typed.
    await expect(page).toHaveURL('/tasks');
    await expect(page.getByText('A title has at most 200 characters.')).toBeVisible();
    await expect(page.getByLabel('New task')).toHaveValue('x'.repeat(201));
    // The disclosure opens by itself to show what was kept.
    await expect(page.getByLabel('Details', { exact: true })).toHaveValue(details);
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();

    // Shown once: a reload is a fresh form.
    await page.reload();
    await expect(page.getByText('A title has at most 200 characters.')).toHaveCount(0);
    await expect(page.getByLabel('New task')).toHaveValue('');
  });
});

test('two people never see each other’s tasks', async ({ browser }) => {
  const alice = await browser.newContext();
  const bob = await browser.newContext();
  const alicePage = await alice.newPage();
  const bobPage = await bob.newPage();
  await signUp(alicePage, newAccount());
  await signUp(bobPage, newAccount());
  await hydrated(alicePage);
  await hydrated(bobPage);

  await addTask(alicePage, 'Alice’s surprise party plan');
  await addTask(bobPage, 'Bob’s gift list');
  await bobPage.reload();
  await alicePage.reload();
  await expect(row(bobPage, 'Bob’s gift list')).toBeVisible();
  await expect(bobPage.getByText('Alice’s surprise party plan')).toHaveCount(0);
  await expect(alicePage.getByText('Bob’s gift list')).toHaveCount(0);
  await alice.close();
  await bob.close();
});

test('HTML in a title is shown as text and never runs', async ({ page }) => {
  let dialogs = 0;
  page.on('dialog', async (dialog) => {
    dialogs += 1;
    await dialog.dismiss();
  });
  await signUp(page, newAccount());
  await hydrated(page);
  const hostile = '<img src=x onerror="alert(1)"><b>bold</b>';
  await addTask(page, hostile);
  await page.reload();
  await expect(taskList(page).getByText(hostile)).toBeVisible();
  await expect(taskList(page).locator('img')).toHaveCount(0);
  expect(dialogs).toBe(0);
});

test('visitors are sent to log in before they see the task page', async ({ page }) => {
  await page.goto('/tasks');
  await expect(page).toHaveURL('/login?next=/tasks');
});
