// Small things a demanding user expects once the page has loaded: a list option applies as
// soon as it is chosen, and the add form's details fold away once their task is added.
import { expect, test } from './fixtures';
import { hydrated, newAccount, row, signUp } from './helpers';

test('a list option applies at once, and the details fold away after adding', async ({ page }) => {
  await signUp(page, newAccount());
  await expect(page).toHaveURL('/tasks');
  await hydrated(page);

  await page.getByText('Details, due date, priority, tags').click();
  await page.getByLabel('Details', { exact: true }).fill('two litres');
  await page.getByLabel('New task').fill('Buy milk');
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(row(page, 'Buy milk')).toBeVisible();
  await expect(page.getByLabel('Details', { exact: true })).toBeHidden();

  await page.getByLabel('Sort by').selectOption('title');
  await expect(page).toHaveURL('/tasks?sort=title');
  await page.getByRole('combobox', { name: 'Priority' }).selectOption('high');
  await expect(page).toHaveURL('/tasks?priority=high&sort=title');
  await expect(page.getByText('No tasks match these filters.')).toBeVisible();
});

test('a task that the order puts on another page says so, not that a filter hid it', async ({ page, request }) => {
  const account = newAccount();
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  const login = await request.post('/api/auth/login', { data: { email: account.email, password: account.password } });
  const { access_token, user } = await login.json();
  for (let n = 1; n <= 20; n++) {
    const created = await request.post(`/api/${user.id}/tasks`, {
      data: { title: `A ${String(n).padStart(2, '0')}` },
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(created.status()).toBe(201);
  }
  await page.goto('/tasks?sort=title');
  await hydrated(page);
  await page.getByLabel('New task').fill('Zebra');
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(page.locator('.notice-bar')).toContainText('Added “Zebra”. It is on another page of this list.');
  await expect(row(page, 'Zebra')).toHaveCount(0);
});

test('another page of the list takes focus to its tasks, not to the page start', async ({ page, request }) => {
  const account = newAccount();
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  const login = await request.post('/api/auth/login', { data: { email: account.email, password: account.password } });
  const { access_token, user } = await login.json();
  for (let n = 1; n <= 25; n++) {
    const created = await request.post(`/api/${user.id}/tasks`, {
      data: { title: `Task ${n}` },
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(created.status()).toBe(201);
  }
  await page.goto('/tasks');
  await hydrated(page);
  await page.getByRole('link', { name: 'Next page' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL('/tasks?page=2');
  // The address changes first: page 2 (the oldest five) is there once the list holds five.
  // Until then page 1's rows match 'Task 1' ten times (Task 10 to Task 19).
  await expect(page.getByRole('list', { name: 'Tasks' }).getByRole('listitem')).toHaveCount(5);
  await expect(row(page, 'Task 1')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Tasks' })).toBeFocused();
});

test('a long name keeps the header of a phone on one line', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const account = { ...newAccount(), name: 'Maximiliane Theodora Wilhelmina von Habsburg-Lothringen' };
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  const who = page.getByRole('link', { name: `Logged in as ${account.name}` });
  await expect(who).toBeVisible();
  const name = await who.boundingBox();
  const header = await page.getByRole('banner').boundingBox();
  // The name on one line, and the header two at most (the brand, then the menu).
  expect(name!.height).toBeLessThan(40);
  expect(header!.height).toBeLessThan(110);
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('an editor opened by its address has focus', async ({ page, request }) => {
    const account = newAccount();
    await signUp(page, account, { js: false });
    await expect(page).toHaveURL('/tasks');
    const login = await request.post('/api/auth/login', { data: { email: account.email, password: account.password } });
    const { access_token, user } = await login.json();
    const created = await request.post(`/api/${user.id}/tasks`, {
      data: { title: 'Water plants' },
      headers: { authorization: `Bearer ${access_token}` },
    });
    const { id } = await created.json();
    await page.goto(`/tasks?edit=${id}`);
    await expect(page.getByRole('textbox', { name: 'Title' })).toBeFocused();
  });
});
