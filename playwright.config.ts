import { defineConfig } from '@playwright/test';

// the ports of the preview (build) and dev servers: HEAPSCOPE_E2E_PORT / HEAPSCOPE_E2E_DEV_PORT move them, so two
// worktrees on one machine do not test each other's build (a server already listening there is reused)
const port = Number(process.env.HEAPSCOPE_E2E_PORT ?? 4173);
const devPort = Number(process.env.HEAPSCOPE_E2E_DEV_PORT ?? 5173);

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
    { name: 'build', use: { baseURL: `http://127.0.0.1:${port}` }, testIgnore: /dev-mode/ },
    { name: 'dev', use: { baseURL: `http://127.0.0.1:${devPort}` }, testMatch: /dev-mode/ },
  ],
  webServer: [
    { command: `npx vite build && npx vite preview --port ${port} --strictPort`, url: `http://127.0.0.1:${port}`, reuseExistingServer: !process.env.CI, timeout: 120_000 },
    { command: `npx vite --port ${devPort} --strictPort`, url: `http://127.0.0.1:${devPort}`, reuseExistingServer: !process.env.CI, timeout: 120_000 },
  ],
});
