// Adding does not wait on the server: the task shows at once, marked as being added, and goes
// again with a message if the server refuses it. The page's own change coming back as a live
// event does not load the list a second time.
import { expect, refusedWith, test } from './fixtures';
import { addTask, hydrated, newAccount, row, signUp } from './helpers';

test.use({ allowedConsoleErrors: new RegExp(`net::ERR_FAILED|${refusedWith(503).source}`) });

test('a task being added shows at once, marked pending, and takes its place once stored', async ({ page }) => {
  await signUp(page, newAccount());
  await expect(page).toHaveURL('/tasks');
  await hydrated(page);
  await addTask(page, 'Buy milk');

  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/rpc/tasks/add', async (route) => {
    await held;
    await route.continue();
  });
  await page.getByLabel('New task').fill('Call mum #family !high');
  await page.getByRole('button', { name: 'Add task' }).click();
  const adding = page.getByRole('list', { name: 'Being added' });
  // Shown before the server has answered, as the quick-add line reads.
  await expect(adding.getByRole('listitem')).toHaveText(/Call mum · Adding…/);
  await expect(adding.getByRole('listitem')).toHaveAttribute('aria-busy', 'true');
  release();
  await expect(row(page, 'Call mum')).toBeVisible();
  await expect(adding).toHaveCount(0);
  await expect(page.getByRole('listitem').filter({ hasText: 'Call mum' })).toHaveCount(1);
});

test('a task the server refuses goes from the list again, with the reason and the text kept', async ({ page }) => {
  await signUp(page, newAccount());
  await expect(page).toHaveURL('/tasks');
  await hydrated(page);
  await page.route('**/rpc/tasks/add', (route) =>
    route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ Unavailable: 'The database is busy; try again in a moment.' }) }),
  );
  await page.getByLabel('New task').fill('Water plants');
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByRole('list', { name: 'Being added' })).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Add a task' }).getByRole('alert')).toBeVisible();
  await expect(page.getByLabel('New task')).toHaveValue('Water plants');
  await expect(page.getByText('Nothing to do yet. Add your first task above.')).toBeVisible();
});

test.describe('own live events', () => {
  // Two looks at the list once overlapped here (one waiting for the toggle to answer, one
  // for its event), and the second loaded the list again: see `tasks/views/live.rs`.
  test("the page's own change, back as a live event, does not load the list again", async ({ page }) => {
    await signUp(page, newAccount());
    await expect(page).toHaveURL('/tasks');
    await hydrated(page);
    await addTask(page, 'Buy milk');
    // Let the first task's own event come and go.
    await page.waitForTimeout(1000);

    let loads = 0;
    // A stream that reconnects (the browser's EventSource does so on its own) is rightly
    // followed by one look at the list: counted, so that only looks for own events fail this.
    let reconnects = 0;
    page.on('request', (request) => {
      if (request.url().includes('/rpc/tasks/board')) loads += 1;
      if (request.url().includes('/tasks/events')) reconnects += 1;
    });
    await addTask(page, 'Call mum');
    await page.getByRole('checkbox', { name: 'Done: Call mum' }).click();
    await expect(page.getByRole('checkbox', { name: 'Done: Call mum' })).toHaveAttribute('aria-checked', 'true');
    // The events of both changes have had time to come in (they come within a second).
    await page.waitForTimeout(1500);
    // One load after each action, none for their events.
    expect(loads).toBe(2 + reconnects);
  });
});
