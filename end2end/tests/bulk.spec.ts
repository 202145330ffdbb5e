// "Mark all as done / not done" and "Clear completed" act on exactly the tasks the list
// selects (every page of it), never on tasks the filter hides; they say how many, and can be
// undone with JavaScript (without it, clearing asks first).
import { expect, test, type APIRequestContext, type Page } from './fixtures';
import { hydrated, newAccount, row, signUp } from './helpers';

const notice = (page: Page) => page.locator('.notice-bar');

type Account = ReturnType<typeof newAccount>;

async function api(request: APIRequestContext, account: Account) {
  const login = await request.post('/api/auth/login', { data: { email: account.email, password: account.password } });
  expect(login.status()).toBe(200);
  const { access_token, user } = await login.json();
  return { headers: { authorization: `Bearer ${access_token}` }, base: `/api/${user.id}` };
}

/** Errands "bank", "post office" (done) and "stamps"; home "plants" (done) and "dishes". */
async function seed(request: APIRequestContext, account: Account) {
  const { headers, base } = await api(request, account);
  for (const [title, tag, done] of [
    ['bank', 'errands', false],
    ['post office', 'errands', true],
    ['stamps', 'errands', false],
    ['plants', 'home', true],
    ['dishes', 'home', false],
  ] as const) {
    const created = await request.post(`${base}/tasks`, { data: { title, tags: [tag] }, headers });
    expect(created.status()).toBe(201);
    if (done) {
      const { id } = await created.json();
      const completed = await request.patch(`${base}/tasks/${id}/complete`, { data: { is_completed: true }, headers });
      expect(completed.status()).toBe(200);
    }
  }
}

/** How many of the account's tasks the API lists for `query`. */
async function count(request: APIRequestContext, account: Account, query: string) {
  const { headers, base } = await api(request, account);
  const listed = await request.get(`${base}/tasks?${query}`, { headers });
  expect(listed.status()).toBe(200);
  return (await listed.json()).total as number;
}

test('under a tag, mark all and clear completed touch that tag only, say how many, and undo', async ({ page, request }) => {
  const account = newAccount();
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  await seed(request, account);
  await page.goto('/tasks?tag=errands');
  await hydrated(page);
  await expect(row(page, 'dishes')).toHaveCount(0);

  await page.getByRole('button', { name: 'Mark all as done' }).click();
  await expect(notice(page)).toContainText('Marked 2 tasks done.');
  await expect(page.getByRole('checkbox', { name: 'Done: bank' })).toHaveAttribute('aria-checked', 'true');
  expect(await count(request, account, 'tag=home&status=active')).toBe(1);

  await notice(page).getByRole('button', { name: 'Undo' }).click();
  await expect(notice(page)).toContainText('Put 2 tasks back as they were.');
  await expect(page.getByRole('checkbox', { name: 'Done: bank' })).toHaveAttribute('aria-checked', 'false');
  // The errand done before stays done.
  await expect(page.getByRole('checkbox', { name: 'Done: post office' })).toHaveAttribute('aria-checked', 'true');

  // One completed task under this tag, whatever the account holds elsewhere.
  await page.getByRole('button', { name: 'Clear completed (1)' }).click();
  await expect(notice(page)).toContainText('Deleted “post office”.');
  await expect(row(page, 'post office')).toHaveCount(0);
  expect(await count(request, account, 'status=completed')).toBe(1);
  await notice(page).getByRole('button', { name: 'Undo' }).click();
  await expect(row(page, 'post office')).toBeVisible();
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('under a tag, mark all and clear completed touch that tag only', async ({ page, request }) => {
    const account = newAccount();
    await signUp(page, account, { js: false });
    await expect(page).toHaveURL('/tasks');
    await seed(request, account);
    await page.goto('/tasks?tag=home');

    await page.getByRole('button', { name: 'Mark all as done' }).click();
    await expect(page).toHaveURL('/tasks?tag=home');
    expect(await count(request, account, 'tag=home&status=active')).toBe(0);
    expect(await count(request, account, 'tag=errands&status=active')).toBe(2);

    await page.getByRole('button', { name: 'Clear completed (2)' }).click();
    await expect(page.getByText('Delete all 2 completed tasks? This cannot be undone.')).toBeVisible();
    await page.getByRole('button', { name: 'Delete completed tasks' }).click();
    await expect(page).toHaveURL('/tasks?tag=home');
    expect(await count(request, account, '')).toBe(3);
    expect(await count(request, account, 'tag=errands&status=completed')).toBe(1);
  });
});

test('Ctrl+Z undoes the last deletion from the keyboard, and Escape dismisses the notice', async ({ page, request }) => {
  const account = newAccount();
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  await seed(request, account);
  await page.goto('/tasks');
  await hydrated(page);

  await page.getByRole('button', { name: 'Delete: bank' }).focus();
  await page.keyboard.press('Enter');
  await expect(notice(page)).toContainText('Deleted “bank”.');
  await expect(notice(page).getByText('Ctrl+Z')).toBeVisible();
  await expect(row(page, 'bank')).toHaveCount(0);
  // Focus is on the next row, not in a text box: the shortcut is the page's.
  await page.keyboard.press('Control+z');
  await expect(row(page, 'bank')).toBeVisible();
  await expect(notice(page)).toContainText('Restored the task.');
  // Once: a second Ctrl+Z has nothing left to undo.
  await page.keyboard.press('Control+z');
  expect(await count(request, account, '')).toBe(5);

  await page.keyboard.press('Escape');
  await expect(notice(page).locator('.notice-body')).toHaveCount(0);
});
