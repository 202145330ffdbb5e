import { expect, refusedWith, test, type APIRequestContext, type Page } from './fixtures';
import { expectAccessible, hydrated, newAccount, row, signUp, taskList, watchProblems } from './helpers';

// The server refuses some input on purpose here; Chromium logs each refusal.
test.use({ allowedConsoleErrors: refusedWith(422) });

// Far ahead of UTC: "today" on the page must be the account's today, which the signup page
// takes from the browser.
const zone = 'Pacific/Kiritimati';
test.use({ timezoneId: zone });

/** After choosing a list option: with JavaScript it applies at once; without, Apply sends it. */
async function applyChoice(page: Page, js: boolean) {
  if (!js) await page.getByRole('button', { name: 'Apply' }).click();
}

/** A date `days` from today in the test's time zone, `YYYY-MM-DD`. */
function dayFromToday(days: number): string {
  const now = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(now);
}

async function token(request: APIRequestContext, email: string, password: string) {
  const login = await request.post('/api/auth/login', { data: { email, password } });
  expect(login.status()).toBe(200);
  const { access_token, user } = await login.json();
  return { auth: { authorization: `Bearer ${access_token}` }, userId: user.id as string };
}

/** Tasks created through the API, oldest first. */
async function seed(request: APIRequestContext, account: ReturnType<typeof newAccount>, tasks: object[]) {
  const { auth, userId } = await token(request, account.email, account.password);
  for (const task of tasks) {
    const created = await request.post(`/api/${userId}/tasks`, { data: task, headers: auth });
    expect(created.status()).toBe(201);
  }
}

/**
 * Signs up and, without JavaScript (when the signup page cannot read the browser's time
 * zone), sets the account's time zone on the account page, so "today" is the test's.
 */
async function signUpInZone(page: Page, account: ReturnType<typeof newAccount>, js: boolean) {
  await signUp(page, account, { js });
  await expect(page).toHaveURL('/tasks');
  if (js) return;
  await page.goto('/account');
  await page.getByLabel('Time zone').fill(zone);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByLabel('Time zone')).toHaveValue(zone);
  await page.goto('/tasks');
}

const titles = (page: Page) => taskList(page).locator('.title');

const variety = [
  { title: 'Renew passport', priority: 'high', due_date: dayFromToday(-2), tags: ['travel'] },
  { title: 'buy stamps', priority: 'low', tags: ['errands', 'post'] },
  { title: 'Água filter', description: 'kitchen tap', due_date: dayFromToday(3), tags: ['home'] },
  { title: 'Call the plumber', priority: 'medium', due_date: dayFromToday(0), tags: ['home'] },
];

for (const js of [true, false]) {
  test.describe(js ? 'with JavaScript' : 'with JavaScript disabled', () => {
    test.use({ javaScriptEnabled: js });

    test('quick add sets tags, priority and due date, and the row shows them', async ({ page }) => {
      const problems = await watchProblems(page);
      await signUpInZone(page, newAccount(), js);
      if (js) await hydrated(page);
      await page.getByLabel('New task').fill('Pay rent #Home !high ^tomorrow');
      if (js) {
        // The preview says what was understood before anything is added.
        const preview = page.getByRole('list', { name: 'Will be added with' });
        await expect(preview).toContainText('High priority');
        await expect(preview).toContainText('Due Tomorrow');
        await expect(preview).toContainText('#home');
        await expectAccessible(page);
      }
      await page.getByRole('button', { name: 'Add task' }).click();
      const added = row(page, 'Pay rent');
      await expect(added).toBeVisible();
      await expect(added.locator('.title')).toHaveText('Pay rent');
      await expect(added).toContainText('High priority');
      await expect(added.locator('time.due')).toContainText('Due Tomorrow');
      await expect(added.locator('time.due')).toHaveAttribute('datetime', dayFromToday(1));
      await expect(added.getByRole('link', { name: 'Show tasks tagged home' })).toBeVisible();

      // The fields behind the disclosure work too.
      await page.getByText('Details, due date, priority, tags').click();
      await page.getByLabel('New task').fill('File taxes');
      const adding = page.getByRole('form', { name: 'Add a task' });
      await adding.getByLabel('Due date').fill(dayFromToday(0));
      await adding.getByLabel('Priority', { exact: true }).selectOption('medium');
      await page.getByLabel('Tags', { exact: true }).fill('admin, money');
      await page.getByRole('button', { name: 'Add task' }).click();
      const taxes = row(page, 'File taxes');
      await expect(taxes.locator('time.due')).toContainText('Due Today');
      await expect(taxes).toContainText('Medium priority');
      await expect(taxes.getByRole('link', { name: 'Show tasks tagged money' })).toBeVisible();
      if (js) await expectAccessible(page);
      expect(problems.errors).toEqual([]);
    });

    test('search, tag, priority, due filters and sorts live in the URL', async ({ page, request }) => {
      const problems = await watchProblems(page);
      const account = newAccount();
      await signUpInZone(page, account, js);
      await seed(request, account, variety);
      await page.goto('/tasks');
      if (js) await hydrated(page);
      await expect(titles(page)).toHaveText(['Call the plumber', 'Água filter', 'buy stamps', 'Renew passport']);
      // Overdue in red words, today marked.
      await expect(row(page, 'Renew passport').locator('time.due')).toContainText('Overdue · ');
      await expect(row(page, 'Renew passport').locator('time.due')).toHaveClass(/overdue/);
      await expect(row(page, 'Call the plumber').locator('time.due')).toContainText('Due Today');

      // Search.
      await page.getByLabel('Search tasks').fill('kitch');
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect(page).toHaveURL('/tasks?q=kitch');
      await expect(titles(page)).toHaveText(['Água filter']);
      await expect(page.getByText('1 task matches')).toBeVisible();
      await page.getByRole('link', { name: 'Remove filter Search: kitch' }).click();
      await expect(page).toHaveURL('/tasks');
      await expect(titles(page)).toHaveCount(4);

      // A tag in a row filters by it; the tag list filters too and shows counts.
      await row(page, 'Call the plumber').getByRole('link', { name: 'Show tasks tagged home' }).click();
      await expect(page).toHaveURL('/tasks?tag=home');
      await expect(titles(page)).toHaveText(['Call the plumber', 'Água filter']);
      await expect(page.getByRole('link', { name: 'Tag home: 2 tasks' })).toHaveAttribute('aria-current', 'true');
      if (js) await expectAccessible(page);

      // Sort by title keeps the tag; reload, back and forward keep the list.
      await page.getByLabel('Sort by').selectOption('title');
      await applyChoice(page, js);
      await expect(page).toHaveURL('/tasks?tag=home&sort=title');
      await expect(titles(page)).toHaveText(['Água filter', 'Call the plumber']);
      await page.reload();
      await expect(titles(page)).toHaveText(['Água filter', 'Call the plumber']);
      await expect(page.getByLabel('Sort by')).toHaveValue('title');
      await page.goBack();
      await expect(page).toHaveURL('/tasks?tag=home');
      await expect(titles(page)).toHaveText(['Call the plumber', 'Água filter']);
      await page.goForward();
      await expect(page).toHaveURL('/tasks?tag=home&sort=title');
      await page.getByRole('link', { name: 'Clear filters' }).click();
      await expect(page).toHaveURL('/tasks?sort=title');
      await expect(titles(page)).toHaveText(['Água filter', 'buy stamps', 'Call the plumber', 'Renew passport']);

      // Priority and due date: most important first; due soonest first with undated last.
      await page.getByLabel('Sort by').selectOption('priority');
      await applyChoice(page, js);
      await expect(titles(page)).toHaveText(['Renew passport', 'Call the plumber', 'buy stamps', 'Água filter']);
      await page.getByLabel('Sort by').selectOption('due');
      await applyChoice(page, js);
      await expect(page).toHaveURL('/tasks?sort=due');
      await expect(titles(page)).toHaveText(['Renew passport', 'Call the plumber', 'Água filter', 'buy stamps']);

      await page.getByRole('search', { name: 'Search and sort tasks' }).getByLabel('Priority', { exact: true }).selectOption('high');
      await applyChoice(page, js);
      await expect(page).toHaveURL('/tasks?priority=high&sort=due');
      await expect(titles(page)).toHaveText(['Renew passport']);

      await page.goto('/tasks');
      if (js) await hydrated(page);
      await page.getByText('Due dates').click();
      await page.getByLabel('Overdue only').check();
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect(page).toHaveURL('/tasks?overdue=true');
      await expect(titles(page)).toHaveText(['Renew passport']);
      await page.goto(`/tasks?due_after=${dayFromToday(0)}&due_before=${dayFromToday(3)}`);
      await expect(titles(page)).toHaveText(['Call the plumber', 'Água filter']);
      await expect(page.getByRole('link', { name: `Remove filter Due from ${dayFromToday(0)}` })).toBeVisible();
      // A hand-edited address with nonsense in it shows the list rather than an error.
      await page.goto('/tasks?sort=size&priority=urgent&due_before=soon');
      await expect(page).toHaveURL('/tasks');
      await expect(titles(page)).toHaveCount(4);
      expect(problems.errors).toEqual([]);
    });

    test('the inline editor changes every field', async ({ page, request }) => {
      const problems = await watchProblems(page);
      const account = newAccount();
      await signUpInZone(page, account, js);
      await seed(request, account, [{ title: 'Water plants', priority: 'low', tags: ['home'] }]);
      await page.goto('/tasks');
      if (js) await hydrated(page);
      await page.getByRole('link', { name: 'Edit: Water plants' }).click();
      const editor = page.getByRole('form', { name: 'Edit task Water plants' });
      if (js) await expectAccessible(page);
      await editor.getByLabel('Due date').fill(dayFromToday(2));
      await editor.getByLabel('Priority').selectOption('high');
      await editor.getByLabel('Tags').fill('garden, weekly');
      await editor.getByRole('button', { name: 'Save' }).click();
      const edited = row(page, 'Water plants');
      await expect(edited).toContainText('High priority');
      await expect(edited.getByRole('link', { name: 'Show tasks tagged weekly' })).toBeVisible();
      await expect(edited.getByRole('link', { name: 'Show tasks tagged home' })).toHaveCount(0);
      await expect(edited.locator('time.due')).toHaveAttribute('datetime', dayFromToday(2));

      // A bad tag is refused with the reason, and nothing changes.
      await page.getByRole('link', { name: 'Edit: Water plants' }).click();
      await page.getByRole('form', { name: 'Edit task Water plants' }).getByLabel('Tags').fill('no.dots');
      await page.getByRole('form', { name: 'Edit task Water plants' }).getByRole('button', { name: 'Save' }).click();
      await expect(page.getByText('"no.dots" is not one')).toBeVisible();
      await page.goto('/tasks');
      await expect(row(page, 'Water plants').getByRole('link', { name: 'Show tasks tagged garden' })).toBeVisible();
      // The browser logs the refused save's 422 itself; nothing else may be logged.
      expect(problems.errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
    });
  });
}

test('a hostile search is shown as text and never runs', async ({ page }) => {
  let dialogs = 0;
  page.on('dialog', async (dialog) => {
    dialogs += 1;
    await dialog.dismiss();
  });
  await signUp(page, newAccount());
  await expect(page).toHaveURL('/tasks');
  const hostile = '"><img src=x onerror=alert(1)><script>alert(2)</script>';
  await page.goto(`/tasks?q=${encodeURIComponent(hostile)}`);
  await hydrated(page);
  await expect(page.getByLabel('Search tasks')).toHaveValue(hostile);
  await expect(page.getByRole('link', { name: `Remove filter Search: ${hostile}` })).toBeVisible();
  await expect(page.locator('main img')).toHaveCount(0);
  expect(dialogs).toBe(0);
});
