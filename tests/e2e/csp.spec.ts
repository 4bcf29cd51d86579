/**
 * The Content-Security-Policy holds everywhere: the app, a lesson, the embed page and the demo page carry it (a meta
 * tag in the build, a header from the preview server) and nothing on them breaks it — no inline script, no eval (a
 * caught `new Function` is still a violation), the parser's WebAssembly and the workers allowed.
 */
import { test, expect, type Page } from '@playwright/test';
import { embedFrame, DEMO } from './embed-helpers';

/** every CSP violation in the page and its frames */
async function watchCsp(page: Page) {
  await page.addInitScript(() => {
    (window as unknown as { violations: string[] }).violations = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { violations: string[] }).violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  return async () => {
    const all: string[] = [];
    for (const f of page.frames()) all.push(...await f.evaluate(() => (window as unknown as { violations?: string[] }).violations ?? []).catch(() => []));
    return all;
  };
}

test('no page of the build breaks its Content-Security-Policy', async ({ page, request }) => {
  const violations = await watchCsp(page);
  for (const path of ['/', '/embed.html']) {
    const r = await request.get(path);
    expect(r.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(await r.text()).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src \'self\' \'wasm-unsafe-eval\';');
  }
  expect((await request.get('/embed.html')).headers()['content-security-policy']).toContain('frame-ancestors *');
  expect((await request.get('/')).headers()['content-security-policy']).toContain("frame-ancestors 'self'");

  await page.goto('/#/workspace');
  await expect(page.getByTestId('phase')).toHaveText('engine ready', { timeout: 20_000 });
  await page.evaluate(() => (window as unknown as { heapscope: { actions: { run(s: string, q: string): Promise<unknown> } } }).heapscope.actions.run('s1', 'SELECT 1'));
  await expect(page.getByTestId('session-s1').locator('.monaco-editor').first()).toBeVisible({ timeout: 20_000 });
  await page.getByRole('tab', { name: 'Waits' }).click(); // a view drawn with d3
  await expect(page.locator('.waits')).toBeVisible();
  await page.getByTestId('share').click();
  await expect(page.getByTestId('share-url')).toBeVisible();
  expect(await violations()).toEqual([]);

  await page.goto('/#/lesson/row-versions');
  await page.getByTestId('lesson-next').click();
  await expect(page.getByTestId('step-count')).toHaveText('Step 1 of 10', { timeout: 20_000 });
  expect(await violations()).toEqual([]);

  await page.goto(DEMO);
  await embedFrame(page, 'row-versions-demo');
  await embedFrame(page, 'write-skew-demo');
  expect(await violations()).toEqual([]);
});
