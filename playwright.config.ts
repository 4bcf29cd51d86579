import { defineConfig } from '@playwright/test';

/** Browser tests run against the production build (vite preview) in Debian's Chromium; one smoke test in dev mode. */
export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 60_000,
  retries: 0,
  workers: 1,
  outputDir: 'test-results',
  use: {
    launchOptions: { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] },
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'build', use: { baseURL: 'http://127.0.0.1:4173' }, testIgnore: /dev-mode/ },
    { name: 'dev', use: { baseURL: 'http://127.0.0.1:5173' }, testMatch: /dev-mode/ },
  ],
  webServer: [
    { command: 'npx vite build && npx vite preview', url: 'http://127.0.0.1:4173', reuseExistingServer: !process.env.CI, timeout: 120_000 },
    { command: 'npx vite', url: 'http://127.0.0.1:5173', reuseExistingServer: !process.env.CI, timeout: 120_000 },
  ],
});
