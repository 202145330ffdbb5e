// Playwright drives Debian's Chromium (never a downloaded browser) against the server `make`
// names (the release build; in CI the debug one, with the release browser bundle),
// served on its own port with a throwaway database, so it never touches `make run`'s data.
import { defineConfig } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const port = process.env.E2E_PORT ?? '3100';
const baseURL = `http://127.0.0.1:${port}`;
// Set once in the main process; workers inherit it through the environment.
process.env.E2E_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'todo-e2e-'));
const repoRoot = path.resolve(__dirname, '..');

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  // One retry on CI, so a one-off hiccup of the machine is told apart from a real failure
  // (the report still lists a test that needed it as flaky).
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    // `make` says which build (TODO_BIN: the release server, or in CI the debug one).
    command: `./${process.env.TODO_BIN ?? 'target/release/todo'}`,
    cwd: repoRoot,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      DATABASE_URL: `sqlite://${process.env.E2E_DATA_DIR}/e2e.db`,
      DATA_DIR: process.env.E2E_DATA_DIR,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: 'target/site',
      RUST_LOG: 'warn',
      // Every test signs up its own users, all from 127.0.0.1; the limit has its own tests.
      SIGNUPS_PER_HOUR: '1000000',
      // The webhooks spec's receiver listens on 127.0.0.1.
      WEBHOOKS_ALLOW_PRIVATE: 'true',
    },
  },
});
