import { expect, test } from './fixtures';
import { watchProblems } from './helpers';

// Everything must come from this server: any other host is refused, as with no internet.
test.beforeEach(async ({ context, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  await context.route('**/*', (route) =>
    route.request().url().startsWith(origin) ? route.continue() : route.abort(),
  );
});

test('Swagger UI renders offline and lists the task routes', async ({ page }) => {
  const problems = await watchProblems(page);
  await page.goto('/docs/');
  await expect(page.getByRole('heading', { name: /Todo API/ })).toBeVisible();
  await expect(page.getByText('/api/{user_id}/tasks/{task_id}/complete', { exact: true }).first()).toBeVisible();
  await expect(page.getByText('/api/auth/login', { exact: true }).first()).toBeVisible();
  // Under the Content-Security-Policy every header sets, nothing is refused.
  expect(problems.csp).toEqual([]);
});

test('ReDoc renders offline and lists the task routes', async ({ page, baseURL }) => {
  test.setTimeout(60_000);
  const problems = await watchProblems(page);
  // Not even an attempt at another host (ReDoc's logo came from its CDN).
  const origin = new URL(baseURL!).origin;
  const elsewhere: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:')) elsewhere.push(url);
  });
  await page.goto('/redoc');
  // ReDoc lays the whole document out in the page's one thread before it shows anything:
  // with the webhooks' routes that took over 10 s on a loaded 2-core machine.
  await expect(page.getByRole('heading', { name: /Todo API/ })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('heading', { name: 'Create a task' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Mark a task done or not done' })).toBeVisible();
  expect(problems.csp).toEqual([]);
  expect(elsewhere).toEqual([]);
});
