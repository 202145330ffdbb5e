// Every test runs under a guard: an error in the browser console or an uncaught exception
// (a wasm panic included) on any page of the test's context fails it. A test that makes the
// server refuse something on purpose names the console lines that refusal causes.
import { test as base, expect } from '@playwright/test';

export * from '@playwright/test';

export const test = base.extend<{ allowedConsoleErrors: RegExp | null; consoleGuard: void }>({
  allowedConsoleErrors: [null, { option: true }],
  consoleGuard: [
    async ({ context, allowedConsoleErrors }, use) => {
      const errors: string[] = [];
      const watch = (page: import('@playwright/test').Page) => {
        page.on('console', (message) => {
          if (message.type() !== 'error') return;
          const text = message.text();
          if (!allowedConsoleErrors?.test(text)) {
            errors.push(`${page.url()}: ${text}`);
          }
        });
        page.on('pageerror', (error) => errors.push(`${page.url()}: uncaught ${error.message}`));
      };
      context.pages().forEach(watch);
      context.on('page', watch);
      await use();
      expect(errors, 'errors in the browser console').toEqual([]);
    },
    { auto: true },
  ],
});

/** The console lines Chromium writes for responses the test asks the server to refuse. */
export const refusedWith = (...statuses: number[]) =>
  new RegExp(`Failed to load resource: the server responded with a status of (${statuses.join('|')})`);
