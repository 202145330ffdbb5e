// Repeating tasks and reminders on the task page: the editor's repeat picker and reminder
// field (with and without JavaScript), Done moving a repeating task to its next date (and its
// Undo), quick add's *… and @HH:MM with the preview, and a reminder shown as a browser
// notification when allowed, as a notice on the page otherwise.
import { expect, refusedWith, test, type APIRequestContext, type Page } from './fixtures';
import { hydrated, newAccount, row, signUp, taskList } from './helpers';

// A repeat without a due date is refused on purpose (422).
test.use({ allowedConsoleErrors: refusedWith(422), timezoneId: 'UTC' });

/** Today in UTC (the account's zone here), `YYYY-MM-DD`, `days` on. */
function day(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function api(request: APIRequestContext, account: ReturnType<typeof newAccount>) {
  const login = await (await request.post('/api/auth/login', { data: { email: account.email, password: account.password } })).json();
  const headers = { authorization: `Bearer ${login.access_token}` };
  return {
    create: async (task: object) => {
      const made = await request.post(`/api/${login.user.id}/tasks`, { data: task, headers });
      expect(made.status()).toBe(201);
      return made.json();
    },
  };
}

const editor = (page: Page, title: string) => page.getByRole('form', { name: `Edit task ${title}` });

for (const js of [true, false]) {
  test.describe(js ? 'with JavaScript' : 'with JavaScript disabled', () => {
    test.use({ javaScriptEnabled: js });

    test('the editor sets how a task repeats and its reminder, and Done moves it on', async ({ page, request }) => {
      const account = newAccount();
      await signUp(page, account, { js });
      await expect(page).toHaveURL('/tasks');
      await (await api(request, account)).create({ title: 'Water plants', due_date: day(0) });
      await page.goto('/tasks');
      if (js) await hydrated(page);

      // Weekly without a due date is refused, beside the picker; nothing changes.
      await page.getByRole('link', { name: 'Edit: Water plants' }).click();
      await editor(page, 'Water plants').getByLabel('Due date').fill('');
      await editor(page, 'Water plants').getByLabel('How often').selectOption('WEEKLY');
      await editor(page, 'Water plants').getByRole('button', { name: 'Save' }).click();
      await expect(page.getByText('A repeating task needs a due_date')).toBeVisible();

      await page.goto('/tasks');
      if (js) await hydrated(page);
      await page.getByRole('link', { name: 'Edit: Water plants' }).click();
      const form = editor(page, 'Water plants');
      await form.getByLabel('How often').selectOption('WEEKLY');
      await form.getByRole('spinbutton').fill('2');
      const days = form.getByRole('group', { name: 'On these days, when weekly' });
      await days.getByLabel('Mon').check();
      await days.getByLabel('Thu').check();
      await form.getByLabel('Reminder').fill('2099-01-05T09:30');
      await form.getByRole('button', { name: 'Save' }).click();

      const shown = row(page, 'Water plants');
      await expect(shown.locator('.chip.repeat')).toContainText('Every 2 weeks on Mon, Thu');
      await expect(shown.locator('.chip.reminder')).toContainText('Jan 5, 2099 09:30');
      await expect(shown.locator('time.due')).toHaveAttribute('datetime', day(0));

      // The editor shows what was saved.
      await page.getByRole('link', { name: 'Edit: Water plants' }).click();
      await expect(editor(page, 'Water plants').getByLabel('How often')).toHaveValue('WEEKLY');
      await expect(editor(page, 'Water plants').getByLabel('Reminder')).toHaveValue('2099-01-05T09:30');
      await page.goto('/tasks');
      if (js) await hydrated(page);

      // Done moves it to its next date; it stays on the list, not done.
      await shown.getByRole('checkbox', { name: 'Done: Water plants' }).click();
      await expect(shown.locator('time.due')).not.toHaveAttribute('datetime', day(0));
      const moved = await shown.locator('time.due').getAttribute('datetime');
      expect(moved! > day(0)).toBe(true);
      await expect(shown.getByRole('checkbox', { name: 'Done: Water plants' })).toHaveAttribute('aria-checked', 'false');
      if (js) {
        const notice = page.getByRole('status').filter({ hasText: 'Done “Water plants”. Next:' });
        await expect(notice).toBeVisible();
        await notice.getByRole('button', { name: 'Undo' }).click();
        await expect(shown.locator('time.due')).toHaveAttribute('datetime', day(0));
        await expect(page.getByText('Put “Water plants” back as it was.')).toBeVisible();
      }

      // "Does not repeat" takes the repeat away.
      await page.getByRole('link', { name: 'Edit: Water plants' }).click();
      await editor(page, 'Water plants').getByLabel('How often').selectOption('');
      await editor(page, 'Water plants').getByLabel('Reminder').fill('');
      await editor(page, 'Water plants').getByRole('button', { name: 'Save' }).click();
      await expect(shown.locator('.chip.repeat')).toHaveCount(0);
      await expect(shown.locator('.chip.reminder')).toHaveCount(0);
    });
  });
}

for (const js of [true, false]) {
  test(`the list keeps repeating tasks, or the others, ${js ? 'with' : 'without'} JavaScript`, async ({ browser, request }) => {
    const context = await browser.newContext({ javaScriptEnabled: js, timezoneId: 'UTC' });
    const page = await context.newPage();
    const account = newAccount();
    await signUp(page, account, { js });
    await expect(page).toHaveURL('/tasks');
    const tasks = await api(request, account);
    await tasks.create({ title: 'Water plants', due_date: day(0), repeat: 'FREQ=WEEKLY' });
    await tasks.create({ title: 'Post the letter' });
    await page.goto('/tasks');
    if (js) await hydrated(page);
    const controls = page.getByRole('search', { name: 'Search and sort tasks' });
    await controls.getByLabel('Repeats').selectOption('true');
    if (!js) await controls.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL('/tasks?repeating=true');
    await expect(row(page, 'Water plants')).toBeVisible();
    await expect(row(page, 'Post the letter')).toHaveCount(0);
    await controls.getByLabel('Repeats').selectOption('false');
    if (!js) await controls.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL('/tasks?repeating=false');
    await expect(row(page, 'Post the letter')).toBeVisible();
    await expect(row(page, 'Water plants')).toHaveCount(0);
    // Its chip takes it away.
    await page.getByRole('link', { name: /Not repeating/ }).click();
    await expect(page).toHaveURL('/tasks');
    await expect(row(page, 'Water plants')).toBeVisible();
    await context.close();
  });
}

test('quick add reads a repeat and a reminder time, and shows them before adding', async ({ page }) => {
  const account = newAccount();
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  await hydrated(page);
  await page.getByLabel('New task').fill('Stretch *every 3 days @07:15 #health');
  const preview = page.getByRole('list', { name: 'Will be added with' });
  await expect(preview).toContainText('↻ Every 3 days');
  await expect(preview).toContainText('Reminder 07:15');
  await page.getByRole('button', { name: 'Add task' }).click();
  const added = row(page, 'Stretch');
  await expect(added.locator('.title')).toHaveText('Stretch');
  await expect(added.locator('.chip.repeat')).toContainText('Every 3 days');
  await expect(added.locator('.chip.reminder')).toContainText('07:15');
  await expect(added.locator('time.due')).toHaveAttribute('datetime', day(0));
});

test('a reminder is a browser notification once allowed, and a notice on the page otherwise', async ({ browser, request }) => {
  const account = newAccount();
  const hostile = '<img src=x onerror="window.__pwned=1">Stretch';

  // Not allowed: the page says it, and offers to show reminders as notifications.
  const plain = await browser.newContext({ timezoneId: 'UTC' });
  const page = await plain.newPage();
  await signUp(page, account);
  await expect(page).toHaveURL('/tasks');
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Show reminders as notifications' })).toBeVisible();
  const tasks = await api(request, account);
  await tasks.create({ title: hostile, remind_at: new Date(Date.now() + 2_000).toISOString() });
  await expect(page.getByText(`Reminder: “${hostile}”.`)).toBeVisible({ timeout: 10_000 });
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  await expect(taskList(page).locator('img')).toHaveCount(0);

  // Allowed: a notification, with the task's title as its text.
  const allowed = await browser.newContext({ timezoneId: 'UTC', permissions: ['notifications'] });
  const notified = await allowed.newPage();
  await notified.addInitScript(() => {
    const Original = window.Notification;
    const shown: { title: string; body?: string }[] = [];
    (window as any).__notifications = shown;
    class Recording extends Original {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body });
      }
    }
    Object.defineProperty(window, 'Notification', { value: Recording, configurable: true });
  });
  await notified.goto('/login');
  await notified.getByLabel('Email').fill(account.email);
  await hydrated(notified);
  await notified.getByLabel('Password').fill(account.password);
  await notified.getByRole('button', { name: 'Log in' }).click();
  await expect(notified).toHaveURL('/tasks');
  await hydrated(notified);
  await expect(notified.getByRole('button', { name: 'Show reminders as notifications' })).toHaveCount(0);
  await tasks.create({ title: 'Drink water', remind_at: new Date(Date.now() + 2_000).toISOString() });
  await expect.poll(() => notified.evaluate(() => (window as any).__notifications), { timeout: 10_000 })
    .toEqual([{ title: 'Reminder', body: 'Drink water' }]);
  await expect(notified.getByText('Reminder: “Drink water”.')).toHaveCount(0);
  await plain.close();
  await allowed.close();
});
