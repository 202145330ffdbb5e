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
