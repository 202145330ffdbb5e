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
