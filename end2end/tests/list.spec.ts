// The task page as a list app: where focus goes after each action, what the live region
// says, undo after deleting, a confirmation step without JavaScript, one task per click,
// the "Added to Active" note, the skip link, the focus ring, and row actions on a phone.
import { expect, test, type APIRequestContext, type Page } from './fixtures';
import { expectAccessible, hydrated, newAccount, row, signUp, taskList } from './helpers';

async function seed(request: APIRequestContext, account: ReturnType<typeof newAccount>, tasks: object[]) {
  const login = await request.post('/api/auth/login', { data: { email: account.email, password: account.password } });
  expect(login.status()).toBe(200);
  const { access_token, user } = await login.json();
  const headers = { authorization: `Bearer ${access_token}` };
  const created = [];
  for (const task of tasks) {
    const response = await request.post(`/api/${user.id}/tasks`, { data: task, headers });
    expect(response.status()).toBe(201);
    created.push(await response.json());
  }
  const list = async () => {
    const response = await request.get(`/api/${user.id}/tasks?limit=100`, { headers });
    return (await response.json()).tasks as Array<Record<string, unknown>>;
  };
  const complete = async (id: string) => {
    const response = await request.patch(`/api/${user.id}/tasks/${id}/complete`, {
      data: { is_completed: true },
      headers,
    });
    expect(response.status()).toBe(200);
  };
  return { created, list, complete };
}

const notice = (page: Page) => page.locator('.notice-bar');
const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');
const checkboxId = async (page: Page, title: string) =>
  (await page.getByRole('checkbox', { name: `Done: ${title}` }).getAttribute('id')) ?? 'none';

test.describe('with JavaScript', () => {
  test('focus lands somewhere sensible after every action, and each is announced', async ({ page, request }) => {
    const account = newAccount();
    await signUp(page, account);
    await expect(page).toHaveURL('/tasks');
    await seed(request, account, [{ title: 'Third' }, { title: 'Second' }, { title: 'First' }]);
    await page.reload();
    await hydrated(page);
    // The add box has focus from the start.
    await expect(page.getByLabel('New task')).toBeFocused();

    // Adding is said, and focus comes back to the emptied add box after a click on Add.
    await page.getByLabel('New task').fill('Zeroth');
    await page.getByRole('button', { name: 'Add task' }).click();
    await expect(row(page, 'Zeroth')).toBeVisible();
    await expect(notice(page)).toHaveAttribute('role', 'status');
    await expect(notice(page)).toContainText('Added “Zeroth”.');
    await expect(page.getByLabel('New task')).toBeFocused();
    await expect(page.getByLabel('New task')).toHaveValue('');

    // Completing keeps focus on the same row's checkbox (a new element once the list reloads).
    await page.getByRole('checkbox', { name: 'Done: Second' }).click();
    await expect(notice(page)).toContainText('Marked “Second” done.');
    await expect(page.getByRole('checkbox', { name: 'Done: Second' })).toBeFocused();

    // Under "Active" a completed task leaves: focus goes to the next row.
    await page.getByRole('link', { name: 'Active', exact: true }).click();
    await expect(page).toHaveURL('/tasks?status=active');
    await expect(row(page, 'Second')).toHaveCount(0);
    await page.getByRole('checkbox', { name: 'Done: Zeroth' }).click();
    await expect(row(page, 'Zeroth')).toHaveCount(0);
    await expect(page.getByRole('checkbox', { name: 'Done: First' })).toBeFocused();
    await page.getByRole('link', { name: 'All', exact: true }).click();
    await expect(row(page, 'Second')).toBeVisible();

    // Saving or cancelling the editor returns focus to the row's Edit button.
    await page.getByRole('link', { name: 'Edit: Third' }).click();
    await expect(page.getByRole('textbox', { name: 'Title' })).toBeFocused();
    await page.getByRole('textbox', { name: 'Title' }).fill('Third, renamed');
    await page.getByRole('textbox', { name: 'Title' }).press('Enter');
    await expect(notice(page)).toContainText('Saved “Third, renamed”.');
    await expect(page.getByRole('link', { name: 'Edit: Third, renamed' })).toBeFocused();
    await page.getByRole('link', { name: 'Edit: First' }).click();
    await page.getByRole('textbox', { name: 'Title' }).press('Escape');
    await expect(page.getByRole('link', { name: 'Edit: First' })).toBeFocused();
    await page.getByRole('link', { name: 'Edit: First' }).click();
    await page.getByRole('link', { name: 'Cancel' }).click();
    await expect(page.getByRole('link', { name: 'Edit: First' })).toBeFocused();

    // Deleting moves focus to the next row and offers Undo.
    const next = await checkboxId(page, 'Second');
    await page.getByRole('button', { name: 'Delete: First' }).click();
    await expect(row(page, 'First')).toHaveCount(0);
    await expect(notice(page)).toContainText('Deleted “First”.');
    expect(await focusedId(page)).toBe(next);

    // Clearing completed tasks sends focus to the add box.
    await page.getByRole('button', { name: /Clear completed/ }).click();
    await expect(notice(page)).toContainText('Deleted 2 tasks.');
    await expect(page.getByLabel('New task')).toBeFocused();
    await expectAccessible(page);
  });

  test('undo puts deleted tasks back exactly as they were', async ({ page, request }) => {
    const account = newAccount();
    await signUp(page, account);
    await expect(page).toHaveURL('/tasks');
    const api = await seed(request, account, [
      { title: 'Old one', description: 'with details', priority: 'high', due_date: '2031-01-02', tags: ['home'] },
      { title: 'Done A' },
      { title: 'Done B' },
      { title: 'Newest' },
    ]);
    await api.complete(api.created[1].id);
    await api.complete(api.created[2].id);
    const before = await api.list();
    await page.reload();
    await hydrated(page);

    await page.getByRole('button', { name: 'Delete: Old one' }).click();
    await expect(row(page, 'Old one')).toHaveCount(0);
    await expect(notice(page)).toContainText('Deleted “Old one”.');
    await expectAccessible(page);
    await notice(page).getByRole('button', { name: 'Undo' }).click();
    await expect(notice(page)).toContainText('Restored the task.');
    await expect(row(page, 'Old one')).toContainText('#home');
    // Back in its place (oldest, so last), with focus on it.
    await expect(taskList(page).getByRole('listitem').last()).toContainText('Old one');
    await expect(page.getByRole('checkbox', { name: 'Done: Old one' })).toBeFocused();
    expect(await api.list()).toEqual(before);

    await page.getByRole('button', { name: 'Clear completed (2)' }).click();
    await expect(row(page, 'Done A')).toHaveCount(0);
    await expect(row(page, 'Done B')).toHaveCount(0);
    await expect(notice(page)).toContainText('Deleted 2 tasks.');
    await notice(page).getByRole('button', { name: 'Undo' }).click();
    await expect(notice(page)).toContainText('Restored 2 tasks.');
    await expect(row(page, 'Done A')).toBeVisible();
    await expect(page.getByText('2 items left')).toBeVisible();
    expect(await api.list()).toEqual(before);

    // The notice goes by itself after a few seconds.
    await expect(notice(page)).toBeEmpty({ timeout: 15_000 });
  });

  test('what is typed while a task is being saved is kept, and Add stays focusable', async ({ page, request }) => {
    const account = newAccount();
    await signUp(page, account);
    await expect(page).toHaveURL('/tasks');
    const api = await seed(request, account, []);
    await hydrated(page);
    // Hold the save for a moment, as a slow network would.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/rpc/tasks/add', async (route) => {
      await held;
      await route.continue();
    });

    const field = page.getByLabel('New task');
    const add = page.getByRole('button', { name: 'Add task' });
    await field.fill('Slow one');
    await add.click();
    await expect(page.getByRole('status').filter({ hasText: 'Adding “Slow one”…' })).toBeVisible();
    // Busy, said to assistive technology, yet still focused: not thrown to <body>.
    await expect(add).toHaveAttribute('aria-disabled', 'true');
    await expect(add).toBeFocused();
    // Another click and Enter while busy send nothing more (forced: the button says it is
    // busy, which Playwright would otherwise wait out).
    await add.click({ force: true });
    await field.fill('Next one');
    await field.press('Enter');
    release();

    await expect(row(page, 'Slow one')).toBeVisible();
    await expect(field).toHaveValue('Next one');
    await expect(field).toBeFocused();
    await expect(add).not.toHaveAttribute('aria-disabled', 'true');
    expect((await api.list()).map((t) => t.title)).toEqual(['Slow one']);
    await page.unroute('**/rpc/tasks/add');
    await field.press('Enter');
    await expect(row(page, 'Next one')).toBeVisible();
    await expect(field).toHaveValue('');
    expect((await api.list()).map((t) => t.title).sort()).toEqual(['Next one', 'Slow one']);
  });

  test('one task per click, and a task added under a filter that hides it says where it went', async ({ page, request }) => {
    const account = newAccount();
    await signUp(page, account);
    await expect(page).toHaveURL('/tasks');
    const api = await seed(request, account, [{ title: 'Finished' }]);
    await api.complete(api.created[0].id);
    await page.goto('/tasks?status=completed');
    await hydrated(page);

    await page.getByLabel('New task').fill('Only once');
    await page.getByRole('button', { name: 'Add task' }).dblclick();
    const added = notice(page);
    await expect(added).toContainText('Added “Only once” to Active. It is not in the list shown.');
    await expect(row(page, 'Only once')).toHaveCount(0);
    await added.getByRole('link', { name: 'Show Active tasks' }).click();
    await expect(page).toHaveURL('/tasks?status=active');
    await expect(row(page, 'Only once')).toBeVisible();
    expect((await api.list()).filter((t) => t.title === 'Only once')).toHaveLength(1);
  });

  test('the skip link moves focus into the page once hydrated, and the focus ring stands out', async ({ page }) => {
    await page.goto('/');
    await hydrated(page);
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(page.locator('main')).toBeFocused();
    await page.keyboard.press('Tab');
    // The next stop is inside the page, not back in the header.
    expect(await page.evaluate(() => !!document.activeElement?.closest('main'))).toBe(true);

    // The ring on the white card: at least 3:1.
    await page.goto('/login');
    await hydrated(page);
    await page.getByLabel('Email').focus();
    await page.keyboard.press('Tab');
    const ratio = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      const rgb = style.outlineColor.match(/\d+/g)!.slice(0, 3).map(Number);
      const lum = (c: number[]) =>
        c
          .map((v) => v / 255)
          .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
          .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
      return { width: style.outlineWidth, ratio: (1.05) / (lum(rgb) + 0.05) };
    });
    expect(ratio.width).toBe('3px');
    expect(ratio.ratio).toBeGreaterThanOrEqual(3);
  });

  test('on a phone, row actions are icons with names and leave the row to the task', async ({ page, request }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const account = newAccount();
    await signUp(page, account);
    await expect(page).toHaveURL('/tasks');
    await seed(request, account, [{ title: 'A task with a fairly long title to read on a phone', tags: ['phone'] }]);
    await page.reload();
    await hydrated(page);
    const task = row(page, 'A task with a fairly long title');
    const edit = task.getByRole('link', { name: 'Edit: A task with a fairly long title to read on a phone' });
    const remove = task.getByRole('button', { name: 'Delete: A task with a fairly long title to read on a phone' });
    const rowBox = (await task.boundingBox())!;
    let actions = 0;
    for (const action of [edit, remove]) {
      const box = (await action.boundingBox())!;
      expect(box.width).toBeLessThanOrEqual(48);
      expect(box.height).toBeGreaterThanOrEqual(40);
      actions += box.width;
    }
    // They took 40% of the row as words; as icons, under 30%.
    expect(actions / rowBox.width).toBeLessThan(0.3);
    // Nothing sticks out of the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAccessible(page);
  });

  test('on a phone the notice bar never covers the end of the list', async ({ page, request }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const account = newAccount();
    await signUp(page, account);
    await expect(page).toHaveURL('/tasks');
    await seed(request, account, Array.from({ length: 14 }, (_, i) => ({ title: `Task number ${i + 1}` })));
    await page.reload();
    await hydrated(page);
    await row(page, 'Task number 14').getByRole('button', { name: 'Delete: Task number 14' }).click();
    await expect(notice(page)).toContainText('Deleted “Task number 14”.');
    // The list redrawn without it first: a scroll made before would be measured against an
    // older, longer page.
    await expect(row(page, 'Task number 14')).toHaveCount(0);
    await expect(row(page, 'Task number 13')).toBeVisible();
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const bar = (await notice(page).locator('.notice-body').boundingBox())!;
    const card = (await page.locator('.card.tasks').boundingBox())!;
    expect(card.y + card.height).toBeLessThanOrEqual(bar.y);
  });

  test('on a phone the list comes right after the add box and search; sorting and filters fold away', async ({ page, request }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const account = newAccount();
    await signUp(page, account);
    await expect(page).toHaveURL('/tasks');
    await seed(request, account, [{ title: 'Low one', priority: 'low' }, { title: 'High one', priority: 'high' }]);
    await page.reload();
    await hydrated(page);
    const sortBy = page.getByLabel('Sort by');
    await expect(page.getByLabel('Search tasks')).toBeVisible();
    await expect(sortBy).toBeHidden();
    // The first task starts in the top half of the screen.
    expect((await row(page, 'High one').boundingBox())!.y).toBeLessThan(844 / 2);
    await page.getByText('Sort and filter').click();
    await sortBy.selectOption('priority');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL('/tasks?sort=priority');
    // Sorted by something other than the usual: the options stay open to show it.
    await expect(sortBy).toBeVisible();
    await expect(sortBy).toHaveValue('priority');
    await expect(taskList(page).getByRole('listitem').first()).toContainText('High one');
    await expectAccessible(page);

    // On a wide screen everything is shown and there is nothing to unfold.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/tasks');
    await expect(page.getByLabel('Sort by')).toBeVisible();
    await expect(page.getByText('Sort and filter')).toBeHidden();
  });
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('deleting and clearing completed tasks ask first; Cancel keeps everything', async ({ page, request }) => {
    const account = newAccount();
    await signUp(page, account, { js: false });
    await expect(page).toHaveURL('/tasks');
    const api = await seed(request, account, [{ title: 'Keep me' }, { title: '<b>Bold</b> & done' }, { title: 'Done too' }]);
    await api.complete(api.created[1].id);
    await api.complete(api.created[2].id);
    await page.goto('/tasks?status=active');
    await expect(page.getByLabel('New task')).toBeFocused();

    await page.getByRole('button', { name: 'Delete: Keep me' }).click();
    await expect(page).toHaveURL(/\/tasks\?status=active&delete=/);
    const question = page.getByRole('alertdialog');
    await expect(question).toContainText('Delete “Keep me”? This cannot be undone.');
    await expect(question.getByRole('button', { name: 'Delete task' })).toBeFocused();
    await expectAccessible(page, { js: false });
    await question.getByRole('link', { name: 'Cancel' }).click();
    await expect(page).toHaveURL('/tasks?status=active');
    await expect(row(page, 'Keep me')).toBeVisible();

    await page.getByRole('button', { name: 'Delete: Keep me' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete task' }).click();
    await expect(page).toHaveURL('/tasks?status=active');
    await expect(row(page, 'Keep me')).toHaveCount(0);

    await page.goto('/tasks?status=completed');
    await expect(row(page, '<b>Bold</b> & done')).toBeVisible();
    await page.getByRole('button', { name: 'Clear completed (2)' }).click();
    await expect(page).toHaveURL('/tasks?status=completed&clear=completed');
    await expect(page.getByRole('alertdialog')).toContainText('Delete all 2 completed tasks? This cannot be undone.');
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete completed tasks' }).click();
    await expect(page).toHaveURL('/tasks?status=completed');
    await expect(page.getByText('No completed tasks yet.')).toBeVisible();
    expect(await api.list()).toEqual([]);
  });

  test('on a phone, sorting and filters unfold without JavaScript', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const account = newAccount();
    await signUp(page, account, { js: false });
    await expect(page).toHaveURL('/tasks');
    const sortBy = page.getByLabel('Sort by');
    await expect(sortBy).toBeHidden();
    await page.getByText('Sort and filter').click();
    await sortBy.selectOption('title');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL('/tasks?sort=title');
    await expect(page.getByLabel('Sort by')).toBeVisible();
  });
});

test('Swagger UI fits a phone: it has a viewport and no sideways scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/docs/');
  await expect(page.locator('meta[name="viewport"]')).toHaveAttribute('content', /width=device-width/);
  await expect(page.getByRole('heading', { name: /Todo API/ })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
});
