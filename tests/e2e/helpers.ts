import { expect, type Page } from '@playwright/test';

/** Collect console errors and any request that leaves localhost. */
export function watch(page: Page) {
  const errors: string[] = [];
  const external: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!['127.0.0.1', 'localhost'].includes(u.hostname) && !['data:', 'blob:'].includes(u.protocol)) external.push(r.url());
  });
  return { errors, external };
}

/** A new visitor's free workspace (a new visitor lands on the course gallery; the workspace is #/workspace). */
export async function fresh(page: Page) {
  await page.goto('/#/workspace');
  await page.evaluate(() => localStorage.clear());
  await page.goto('/#/workspace');
  await page.reload();
  await expect(page.getByTestId('phase')).toHaveText('engine ready', { timeout: 20_000 });
}

type Hs = { actions: { run(s: string, sql: string): Promise<unknown>; waitFor(s: string): Promise<unknown>; advance(ms: number): Promise<unknown> } };

/** Run SQL in a session through the store (the same path as the Run button), and wait for it to settle. */
export async function run(page: Page, session: string, sql: string) {
  await page.evaluate(([s, q]) => (window as unknown as { heapscope: Hs }).heapscope.actions.run(s!, q!), [session, sql]);
}

/** Type a statement into a session's editor and run it with Ctrl+Enter, as a person would. */
export async function typeAndRun(page: Page, session: string, sql: string) {
  const col = page.getByTestId(`session-${session}`);
  const editor = col.locator('.monaco-editor').first();
  await expect(editor).toBeVisible({ timeout: 20_000 }); // Monaco arrives lazily; type only once it is there
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(sql);
  await page.keyboard.press('Control+Enter');
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: false });
}
