import { expect, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';

/** A fresh account's details; nothing is created until a test signs up with them. */
export function newAccount() {
  const id = randomUUID().slice(0, 8);
  return { name: `Ada ${id}`, email: `ada-${id}@example.com`, password: 'correct horse battery' };
}

/** Waits until the app has hydrated, when JavaScript runs at all. */
export async function hydrated(page: Page) {
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
}

/** The task list, and one row of it by (part of) its title. */
export const taskList = (page: Page) => page.getByRole('list', { name: 'Tasks' });
export const row = (page: Page, title: string) => taskList(page).getByRole('listitem').filter({ hasText: title });

/** Adds a task with the form at the top of the list, and waits until it is listed. */
export async function addTask(page: Page, title: string) {
  await page.getByLabel('New task').fill(title);
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(row(page, title)).toBeVisible();
}

export async function signUp(page: Page, account: ReturnType<typeof newAccount>, { js = true } = {}) {
  await page.goto('/signup');
  if (js) await hydrated(page);
  await page.getByLabel('Name').fill(account.name);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
}

export async function logIn(page: Page, email: string, password: string, { js = true } = {}) {
  if (js) await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/**
 * Collects what the browser refused under the Content-Security-Policy (the DOM's
 * securitypolicyviolation events and Chromium's console reports) and every console error
 * and uncaught exception. Call before the first navigation.
 */
export async function watchProblems(page: Page) {
  const problems = { csp: [] as string[], errors: [] as string[] };
  await page.exposeFunction('__reportCspViolation', (text: string) => problems.csp.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __reportCspViolation: (t: string) => void }).__reportCspViolation(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} on ${location.pathname}`,
      );
    });
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (/Content.Security.Policy/i.test(message.text())) problems.csp.push(message.text());
    else problems.errors.push(message.text());
  });
  page.on('pageerror', (error) => problems.errors.push(error.message));
  return problems;
}

/**
 * Runs axe-core (WCAG 2 A and AA rules, and best practices) on the page as it is now and
 * fails with every violation named, where it is.
 */
export async function expectAccessible(page: Page, { js = true } = {}) {
  if (!js) return expectAccessibleWithoutScripts(page);
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const violations = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(violations).toEqual([]);
}

/**
 * axe needs scripts, which a page with JavaScript disabled does not run: the same address is
 * opened, with the same cookies, in a page that runs scripts but never gets the app's own
 * (its bundle is refused), which is what a browser without JavaScript shows.
 */
async function expectAccessibleWithoutScripts(page: Page) {
  const browser = page.context().browser()!;
  const context = await browser.newContext({
    javaScriptEnabled: true,
    storageState: await page.context().storageState(),
    viewport: page.viewportSize(),
  });
  await context.route('**/pkg/**', (route) => route.abort());
  const twin = await context.newPage();
  await twin.goto(page.url());
  await expectAccessible(twin);
  await context.close();
}
