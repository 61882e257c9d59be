import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: Debian's Chromium drives the browser edition (`pipewright serve`) with the
 * real engine and store. Each test file gets its own server and data folder (see e2e/fixtures.ts).
 * The Chromium path can be overridden with PIPEWRIGHT_CHROMIUM.
 */
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  globalSetup: './e2e/global-setup.ts',
  // One worker: the tests share the machine with a real engine per file; parallel runs buy little here.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.PIPEWRIGHT_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
