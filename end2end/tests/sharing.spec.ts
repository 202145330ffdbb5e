// A list's own page: renaming, sharing by e-mail as editor or viewer, the members with their
// roles, removing one, leaving, deleting; what a viewer and an editor see on the task page
// ("added by", no controls for a viewer); and a member removed while their page is open.
import { expect, refusedWith, test, type APIRequestContext, type Browser, type Page } from './fixtures';
import { hydrated, newAccount, row, signUp } from './helpers';

// A member removed while the page is open (its next load of the list), a share to an
// address nobody has, and a list page no longer theirs are 404s on purpose.
test.use({ allowedConsoleErrors: refusedWith(404) });

type Account = ReturnType<typeof newAccount>;
const nav = (page: Page) => page.getByRole('navigation', { name: 'Lists' });
const listLink = (page: Page, name: string) => nav(page).getByRole('link', { name: new RegExp(`^${name}`) });

/** An account made through the API, with a bearer token for it. */
async function apiAccount(request: APIRequestContext, account: Account) {
  expect((await request.post('/api/auth/signup', { data: account })).status()).toBe(201);
  const login = await (await request.post('/api/auth/login', { data: { email: account.email, password: account.password } })).json();
  return { id: login.user.id as string, headers: { authorization: `Bearer ${login.access_token}` } };
}

/** A second browser, signed in as `account` (made through the API), on `/tasks`. */
async function secondBrowser(browser: Browser, account: Account, js = true) {
  const context = await browser.newContext({ javaScriptEnabled: js });
  const page = await context.newPage();
  await page.goto('/login');
  if (js) await hydrated(page);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL('/tasks');
  return page;
}

async function makeList(page: Page, name: string, js: boolean) {
  await page.goto('/lists/new');
  if (js) await hydrated(page);
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Make list' }).click();
  await expect(page).toHaveURL(/\/tasks\?list=[0-9a-f-]{36}$/);
  if (js) await hydrated(page);
  return new URL(page.url()).searchParams.get('list')!;
}

async function share(page: Page, email: string, role: 'Editor' | 'Viewer') {
  const form = page.getByRole('form', { name: 'Share' });
  await form.getByLabel('Their e-mail address').fill(email);
  await form.getByLabel('Role').selectOption({ label: role === 'Editor' ? 'Editor: can change tasks' : 'Viewer: can only look' });
  await form.getByRole('button', { name: 'Share' }).click();
}

for (const js of [true, false]) {
  test.describe(js ? 'with JavaScript' : 'with JavaScript disabled', () => {
    test.use({ javaScriptEnabled: js });

    test('the owner renames and shares a list; a viewer sees it read-only, an editor adds to it', async ({ page, browser, request }) => {
      const owner = newAccount();
      const viewer = newAccount();
      const editor = newAccount();
      await apiAccount(request, viewer);
      await apiAccount(request, editor);
      await signUp(page, owner, { js });
      await expect(page).toHaveURL('/tasks');
      const list = await makeList(page, 'Groceries', js);
      await page.getByLabel('New task').fill('Milk');
      await page.getByRole('button', { name: 'Add task' }).click();
      await expect(row(page, 'Milk')).toBeVisible();

      await nav(page).getByRole('link', { name: 'Share or rename this list' }).click();
      await expect(page).toHaveURL(`/lists/${list}`);
      if (js) await hydrated(page);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Groceries');
      await expect(page.getByText('You own this list.')).toBeVisible();

      const rename = page.getByRole('form', { name: 'Name' });
      await rename.getByLabel('List name').fill('Food');
      await rename.getByRole('button', { name: 'Rename' }).click();
      await expect(page.getByRole('status')).toHaveText('The list was renamed.');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Food');

      // Nobody has this address: said, and the address kept to correct it.
      await share(page, 'nobody-here@example.com', 'Viewer');
      await expect(page.getByRole('form', { name: 'Share' }).locator('.form-message')).toContainText('No account has this e-mail address.');
      await expect(page.getByLabel('Their e-mail address')).toHaveValue('nobody-here@example.com');
      await share(page, viewer.email, 'Viewer');
      await expect(page.getByRole('status')).toHaveText('Shared: the member can open the list now.');
      // Shared: the form is empty again for the next person.
      await expect(page.getByLabel('Their e-mail address')).toHaveValue('');
      await share(page, editor.email, 'Editor');
      const members = page.getByRole('list').filter({ has: page.locator('.member') });
      await expect(members.getByRole('listitem')).toHaveCount(3);
      await expect(members.getByRole('listitem').first()).toContainText(`${owner.name} (you)`);
      await expect(members.getByRole('listitem').filter({ hasText: viewer.email })).toContainText('viewer');
      await expect(members.getByRole('listitem').filter({ hasText: editor.email })).toContainText('editor');

      // The viewer: the list is marked shared; no add box, no controls, and why.
      const viewing = await secondBrowser(browser, viewer, js);
      await expect(listLink(viewing, 'Food')).toContainText('shared');
      await listLink(viewing, 'Food').click();
      await expect(viewing.getByRole('note')).toContainText('You can see this list, not change it');
      await expect(viewing.getByLabel('New task')).toBeHidden();
      await expect(row(viewing, 'Milk')).toBeVisible();
      await expect(row(viewing, 'Milk')).toContainText(`Added by ${owner.name}`);
      await expect(row(viewing, 'Milk').getByRole('button')).toHaveCount(0);
      await expect(row(viewing, 'Milk').getByRole('link', { name: /Edit/ })).toHaveCount(0);
      await expect(viewing.getByRole('button', { name: /Mark all/ })).toHaveCount(0);

      // The editor adds; the owner sees who added it.
      const editing = await secondBrowser(browser, editor, js);
      await listLink(editing, 'Food').click();
      await editing.getByLabel('New task').fill('Bread');
      await editing.getByRole('button', { name: 'Add task' }).click();
      await expect(row(editing, 'Bread')).toBeVisible();
      await page.goto(`/tasks?list=${list}`);
      await expect(row(page, 'Bread')).toContainText(`Added by ${editor.name}`);
      await expect(row(page, 'Milk')).not.toContainText('Added by');

      // The editor leaves; the owner removes the viewer.
      await editing.goto(`/lists/${list}`);
      if (js) await hydrated(editing);
      await expect(editing.getByText(`You can add, change and delete this list's tasks; ${owner.name} owns it.`)).toBeVisible();
      await editing.getByRole('button', { name: 'Leave the list' }).click();
      await expect(editing).toHaveURL('/tasks');
      await expect(listLink(editing, 'Food')).toHaveCount(0);
      await page.goto(`/lists/${list}`);
      if (js) await hydrated(page);
      await page.getByRole('button', { name: `Remove ${viewer.name} from the list` }).click();
      await expect(page.getByRole('status')).toHaveText('The member was removed from the list.');
      await expect(members.getByRole('listitem')).toHaveCount(1);
      await viewing.goto(`/lists/${list}`);
      await expect(viewing.getByRole('heading', { name: 'This list is not there' })).toBeVisible();

      // Deleting asks for the box to be ticked.
      await page.getByRole('checkbox', { name: /Delete “Food” and its 2 tasks/ }).check();
      await page.getByRole('button', { name: 'Delete list' }).click();
      await expect(page).toHaveURL('/tasks');
      await expect(listLink(page, 'Food')).toHaveCount(0);
      await viewing.context().close();
      await editing.context().close();
    });
  });
}

test('a member removed while their page is open loses the list there at once', async ({ page, browser, request }) => {
  const owner = newAccount();
  const member = newAccount();
  const api = await apiAccount(request, owner);
  await apiAccount(request, member);
  const list = await (await request.post(`/api/${api.id}/lists`, { data: { name: 'Release' }, headers: api.headers })).json();
  await request.put(`/api/${api.id}/lists/${list.id}/members`, { data: { email: member.email, role: 'editor' }, headers: api.headers });
  await request.post(`/api/${api.id}/tasks`, { data: { title: 'Tag the release', list_id: list.id }, headers: api.headers });

  await signUp(page, newAccount());
  const open = await secondBrowser(browser, member);
  await open.goto(`/tasks?list=${list.id}`);
  await hydrated(open);
  await expect(row(open, 'Tag the release')).toBeVisible();
  // A rename by the owner reaches the open page's switcher.
  await request.patch(`/api/${api.id}/lists/${list.id}`, { data: { name: 'Release 2' }, headers: api.headers });
  await expect(listLink(open, 'Release 2')).toBeVisible();
  await request.delete(`/api/${api.id}/lists/${list.id}/members/${(await memberId(request, api, list.id, member.email))}`, { headers: api.headers });
  await expect(open.getByRole('alert')).toContainText('This list is not there');
  await expect(row(open, 'Tag the release')).toHaveCount(0);
  await expect(listLink(open, 'Release 2')).toHaveCount(0);
  await open.context().close();
});

test('hostile names are shown as text on the list page', async ({ page, request }) => {
  const hostile = '<img src=x onerror=alert(1)>';
  const member = { ...newAccount(), name: hostile };
  await apiAccount(request, member);
  const owner = newAccount();
  await signUp(page, owner);
  await expect(page).toHaveURL('/tasks');
  const list = await makeList(page, hostile, true);
  await page.goto(`/lists/${list}`);
  await hydrated(page);
  await share(page, member.email, 'Viewer');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(hostile);
  await expect(page.locator('.member-name').filter({ hasText: hostile })).toBeVisible();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
});

async function memberId(request: APIRequestContext, api: { id: string; headers: Record<string, string> }, list: string, email: string) {
  const { members } = await (await request.get(`/api/${api.id}/lists/${list}/members`, { headers: api.headers })).json();
  return members.find((m: { email: string }) => m.email === email).user_id as string;
}
