// Lists on the task page: the switcher with counts, adding into the list shown, +list in
// the add box, and a list shared by someone else, with and without JavaScript.
import { expect, refusedWith, test, type APIRequestContext, type Page } from './fixtures';
import { hydrated, newAccount, row, signUp, taskList } from './helpers';

// A list without a name (422) and a name taken (409) are refused on purpose.
test.use({ allowedConsoleErrors: refusedWith(409, 422) });

const nav = (page: Page) => page.getByRole('navigation', { name: 'Lists' });
const listLink = (page: Page, name: string) => nav(page).getByRole('link', { name: new RegExp(`^${name}`) });

/** Makes a list through the JSON API; its id. */
async function makeList(request: APIRequestContext, account: ReturnType<typeof newAccount>, name: string) {
  const login = await (await request.post('/api/auth/login', { data: { email: account.email, password: account.password } })).json();
  const made = await request.post(`/api/${login.user.id}/lists`, {
    data: { name },
    headers: { authorization: `Bearer ${login.access_token}` },
  });
  expect(made.status()).toBe(201);
  return (await made.json()).id as string;
}

async function add(page: Page, title: string, shown: string) {
  await page.getByLabel('New task').fill(title);
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(row(page, shown)).toBeVisible();
}

for (const js of [true, false]) {
  test.describe(js ? 'with JavaScript' : 'with JavaScript disabled', () => {
    test.use({ javaScriptEnabled: js });

    test('a list is made from the switcher, shown, filled from the add box and counted', async ({ page }) => {
      const account = newAccount();
      await signUp(page, account, { js });
      await expect(page).toHaveURL('/tasks');
      if (js) await hydrated(page);
      await expect(listLink(page, 'All lists')).toHaveAttribute('aria-current', 'page');
      await expect(listLink(page, 'Inbox')).toBeVisible();

      await nav(page).getByRole('link', { name: '+ New list' }).click();
      await expect(page).toHaveURL('/lists/new');
      // A name is needed, and said so beside the field; what was typed elsewhere stays.
      await page.getByRole('button', { name: 'Make list' }).click();
      await expect(page.getByText('A list needs a name.')).toBeVisible();
      await page.getByLabel('Name').fill('  Groceries ');
      await page.getByRole('button', { name: 'Make list' }).click();
      await expect(page).toHaveURL(/\/tasks\?list=[0-9a-f-]{36}$/);
      // Its name is taken now, compared without case.
      await page.goto('/lists/new');
      if (js) await hydrated(page);
      await page.getByLabel('Name').fill('GROCERIES');
      await page.getByRole('button', { name: 'Make list' }).click();
      await expect(page.locator('.form-message')).toContainText('You already have a list with this name');
      await expect(page.getByLabel('Name')).toHaveValue('GROCERIES');
      await page.goto('/tasks');
      await listLink(page, 'Groceries').click();
      await expect(page).toHaveURL(/\/tasks\?list=[0-9a-f-]{36}$/);
      await expect(listLink(page, 'Groceries')).toHaveAttribute('aria-current', 'page');
      // The heading names the list shown; every list's tasks are "Your tasks".
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Groceries');
      await add(page, 'Milk', 'Milk');
      await expect(listLink(page, 'Groceries')).toContainText('1');
      // Quick add files into another list by name, from wherever the box is.
      await listLink(page, 'Inbox').click();
      await expect(listLink(page, 'Inbox')).toHaveAttribute('aria-current', 'page');
      await expect(row(page, 'Milk')).toHaveCount(0);
      await page.getByLabel('New task').fill('Bread +groceries');
      await page.getByRole('button', { name: 'Add task' }).click();
      await expect(listLink(page, 'Groceries')).toContainText('2');
      await add(page, 'Call mum', 'Call mum');
      await expect(row(page, 'Bread')).toHaveCount(0);

      await listLink(page, 'All lists').click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your tasks');
      for (const title of ['Milk', 'Bread', 'Call mum']) await expect(row(page, title)).toBeVisible();
      await expect(taskList(page).getByRole('listitem')).toHaveCount(3);
    });
  });
}

test('a hostile list name is shown as text, and a list shared with you is marked and listed', async ({ page, request }) => {
  const owner = newAccount();
  const me = newAccount();
  await signUp(page, me);
  await expect(page).toHaveURL('/tasks');
  // The owner shares a list through the API.
  await request.post('/api/auth/signup', { data: owner });
  const login = await (await request.post('/api/auth/login', { data: { email: owner.email, password: owner.password } })).json();
  const auth = { authorization: `Bearer ${login.access_token}` };
  const hostile = '<img src=x onerror=alert(1)>';
  const list = await (await request.post(`/api/${login.user.id}/lists`, { data: { name: hostile }, headers: auth })).json();
  expect((await request.put(`/api/${login.user.id}/lists/${list.id}/members`, { data: { email: me.email, role: 'editor' }, headers: auth })).status()).toBe(200);
  await request.post(`/api/${login.user.id}/tasks`, { data: { title: 'Shared task', list_id: list.id }, headers: auth });

  await page.goto('/tasks');
  await hydrated(page);
  const link = listLink(page, '<img');
  await expect(link).toContainText(hostile);
  await expect(link).toContainText('shared');
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(row(page, 'Shared task')).toBeVisible();
  await link.click();
  // The heading names it, as text, in the browser and from the server.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(hostile);
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(hostile);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await add(page, 'Mine too', 'Mine too');
  const tasks = await (await request.get(`/api/${login.user.id}/tasks?list=${list.id}`, { headers: auth })).json();
  expect(tasks.tasks.map((t: { title: string }) => t.title)).toEqual(['Mine too', 'Shared task']);
});

/** Adds `count` plain tasks through the API. */
async function seedPlain(request: APIRequestContext, account: ReturnType<typeof newAccount>, count: number) {
  const login = await (await request.post('/api/auth/login', { data: { email: account.email, password: account.password } })).json();
  const headers = { authorization: `Bearer ${login.access_token}` };
  for (let i = 1; i <= count; i++) {
    expect((await request.post(`/api/${login.user.id}/tasks`, { data: { title: `Task number ${i}` }, headers })).status()).toBe(201);
  }
}

test('a laptop shows ten tasks above the fold, the lists, search and filters beside them', async ({ page, request }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const account = newAccount();
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  await seedPlain(request, account, 14);
  await page.reload();
  await hydrated(page);
  const rows = taskList(page).getByRole('listitem');
  await expect(rows).toHaveCount(14);
  let above = 0;
  for (const box of await Promise.all((await rows.all()).map((r) => r.boundingBox()))) {
    if (box && box.y + box.height <= 800) above += 1;
  }
  expect(above).toBeGreaterThanOrEqual(10);
  // Search and filters sit beside the list, under the lists, not above the tasks.
  const search = (await page.getByLabel('Search tasks').boundingBox())!;
  const card = (await page.locator('.card.tasks').boundingBox())!;
  expect(search.x + search.width).toBeLessThanOrEqual(card.x);
  await expect(page.getByLabel('Sort by')).toBeVisible();
  await expect(nav(page).getByText('Your lists')).toBeHidden();
});

for (const js of [true, false]) {
  test(`on a phone the lists fold into a menu above the list${js ? '' : ', without JavaScript'}`, async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: js, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const account = newAccount();
    await signUp(page, account, { js });
    await expect(page).toHaveURL('/tasks');
    if (js) await hydrated(page);
    await page.getByLabel('New task').fill('Call mum');
    await page.getByRole('button', { name: 'Add task' }).click();
    await expect(row(page, 'Call mum')).toBeVisible();
    // The first task starts in the top half of the screen; the lists wait behind the menu.
    expect((await row(page, 'Call mum').boundingBox())!.y).toBeLessThan(844 / 2);
    await expect(listLink(page, 'Inbox')).toBeHidden();
    await nav(page).getByText('Your lists').click();
    await expect(listLink(page, 'Inbox')).toBeVisible();
    await listLink(page, 'Inbox').click();
    await expect(page).toHaveURL(/\/tasks\?list=/);
    await expect(row(page, 'Call mum')).toBeVisible();
    await context.close();
  });
}
