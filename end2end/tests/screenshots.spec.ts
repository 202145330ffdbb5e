// The pictures of the task page in the README and docs/user-guide.md, taken from the real page with seeded tasks, at a
// laptop's and a phone's size. Each run writes them to docs/screenshots/.
import path from 'node:path';
import { expect, test } from './fixtures';
import { hydrated, newAccount, signUp } from './helpers';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const shots = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

const tasks = [
  { title: 'Book the dentist', tags: ['health'], done: true },
  { title: 'Renew passport', priority: 'high', due_date: day(-2), tags: ['travel'] },
  {
    title: 'Water the plants',
    description: 'Ferns twice a week, the cactus once a month',
    tags: ['home'],
    due_date: day(1),
    repeat: 'FREQ=WEEKLY;BYDAY=MO,TH',
    remind_at: `${day(1)}T08:00:00Z`,
  },
  { title: 'Send the quarterly report', priority: 'high', due_date: day(0), tags: ['work'] },
  { title: 'Call the plumber about the kitchen tap', priority: 'medium', due_date: day(1), tags: ['home'] },
  { title: 'Buy stamps', priority: 'low', tags: ['errands'] },
  { title: 'Plan the weekend hike', due_date: day(4), tags: ['travel', 'fun'] },
];

for (const [name, size] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`the task page, seeded, on a ${name}`, async ({ page }) => {
    await page.setViewportSize(size);
    const account = { ...newAccount(), name: 'Ada Lovelace' };
    await signUp(page, account);
    await expect(page).toHaveURL('/tasks');
    const login = await page.request.post('/api/auth/login', {
      data: { email: account.email, password: account.password },
    });
    const { access_token, user } = await login.json();
    const headers = { authorization: `Bearer ${access_token}` };
    for (const { done, ...task } of tasks) {
      const created = await page.request.post(`/api/${user.id}/tasks`, { data: task, headers });
      expect(created.status()).toBe(201);
      if (done) {
        const { id } = await created.json();
        await page.request.patch(`/api/${user.id}/tasks/${id}/complete`, { data: { is_completed: true }, headers });
      }
    }
    await page.goto('/tasks');
    await hydrated(page);
    await expect(page.getByText('6 items left')).toBeVisible();
    await page.getByLabel('New task').blur();
    await page.screenshot({ path: path.join(shots, `tasks-${name}.png`) });
    // The details of a repeating task, with its reminder.
    await page.getByRole('link', { name: 'Edit: Water the plants' }).click();
    const editor = page.getByRole('form', { name: 'Edit task Water the plants' });
    await expect(editor.getByLabel('How often')).toHaveValue('WEEKLY');
    await editor.scrollIntoViewIfNeeded();
    await editor.screenshot({ path: path.join(shots, `editor-${name}.png`) });
  });
}
