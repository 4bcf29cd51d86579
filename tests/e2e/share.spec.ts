/**
 * Share links: "Share" puts the workspace in the URL's fragment; the link opened in a fresh browser (a new context:
 * nothing in storage) replays to the very same state — tuple headers, current step, view, session — and a lesson to
 * the same step. A tampered link is refused with a clear message and the visitor's own workspace stays as it was;
 * a workspace too long for a link offers the file instead.
 */
import { test, expect, type Page, type Browser } from '@playwright/test';
import { watch, fresh, run } from './helpers';

const ready = (page: Page) => expect(page.getByTestId('phase')).toHaveText('engine ready', { timeout: 20_000 });
/** what the recipient must see the same: every tuple card's text, the current step, the view, the session */
async function snapshot(page: Page) {
  await ready(page);
  return {
    tuples: await page.locator('.view-body .tuple').allInnerTexts(),
    current: await page.locator('nav.timeline button.current').innerText(),
    steps: await page.locator('nav.timeline h3').innerText(),
    view: await page.locator('[role="tab"][aria-selected="true"]').innerText(),
    session: await page.getByLabel('session for visibility').inputValue(),
    results: await page.locator('[data-testid^="session-"] [data-testid="result"]').allInnerTexts(),
  };
}
async function shareLink(page: Page) {
  await page.getByTestId('share').click();
  await expect(page.getByTestId('share-url')).toBeVisible();
  return page.getByTestId('share-url').inputValue();
}
async function newBrowser(browser: Browser, baseURL: string) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  return { context, page: await context.newPage() };
}

test('a shared link opened in a fresh browser reproduces the workspace: tuple headers, current step, view, session', async ({ page, browser, baseURL }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
  await run(page, 's1', 'INSERT INTO t VALUES (1, 10), (2, 20)');
  await run(page, 's1', 'BEGIN');
  await run(page, 's1', 'UPDATE t SET v = 11 WHERE id = 1');
  await run(page, 's2', 'UPDATE t SET v = 12 WHERE id = 1'); // waits for s1
  await run(page, 's1', 'COMMIT');
  await run(page, 's2', 'SELECT * FROM t ORDER BY id');
  // the current step is in the middle: s2 waiting; the view and the session are chosen
  await page.getByTestId('step-5').click();
  await expect(page.getByTestId('status-s2')).toContainText('WAITING');
  await page.getByLabel('session for visibility').selectOption('s2');
  await page.getByRole('tab', { name: 'Heap' }).click();
  const mine = await snapshot(page);
  expect(mine.tuples.length).toBe(3);
  expect(mine.current).toContain('5. s2: UPDATE t SET v = 12');
  const url = await shareLink(page);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#\/share\/[A-Za-z0-9+\-$]+$/);
  await page.screenshot({ path: 'test-results/screens/share-panel.png' });

  const b = await newBrowser(browser, baseURL!);
  const bw = watch(b.page);
  await b.page.goto(url);
  await expect(b.page.getByTestId('notice')).toContainText('Opened a shared workspace: 5 steps replayed to the shared one.');
  await expect(b.page).toHaveURL(/#\/shared$/); // the link's data left the address bar; a reload resumes the shared slot
  const theirs = await snapshot(b.page);
  expect(theirs).toEqual(mine);
  await expect(b.page.getByTestId('status-s2')).toContainText('WAITING');
  await expect(b.page.getByTestId('nav-shared')).toBeVisible();
  // the steps after the current one came along: one more step forward is the same COMMIT
  await b.page.getByRole('button', { name: 'next statement' }).click();
  await expect(b.page.locator('nav.timeline button.current')).toContainText('6. s1: COMMIT');
  await expect(b.page.getByTestId('status-s2')).not.toContainText('WAITING');
  // and it survives a reload (its own slot), while the recipient's free workspace is a new one
  await b.page.reload();
  await expect(b.page.locator('nav.timeline button.current')).toContainText('6. s1: COMMIT', { timeout: 20_000 });
  await b.page.getByTestId('nav-workspace').click();
  await ready(b.page);
  await expect(b.page.locator('nav.timeline h3')).toContainText('0 steps');
  expect(bw.errors).toEqual([]);
  await b.context.close();
  expect(w.errors).toEqual([]);
});

test('a shared lesson opens at the same step with the same answers, apart from the recipient\'s own progress', async ({ page, browser, baseURL }) => {
  await page.goto('/#/lesson/row-versions');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await ready(page);
  const next = page.getByTestId('lesson-next');
  await next.click(); // step 1
  await next.click(); // step 2 asks
  await page.getByTestId('choice-0').click();
  await expect(page.getByTestId('feedback')).toBeVisible();
  await next.click(); // step 3
  await expect(page.getByTestId('step-count')).toHaveText('Step 3 of 10');
  const title = await page.getByTestId('step-title').innerText();
  const tuples = await page.locator('.view-body .tuple').allInnerTexts();
  const url = await shareLink(page);

  const b = await newBrowser(browser, baseURL!);
  // the recipient already played this lesson to its second step
  await b.page.goto('/#/lesson/row-versions');
  await ready(b.page);
  await b.page.getByTestId('lesson-next').click();
  await expect(b.page.getByTestId('step-count')).toHaveText('Step 1 of 10');
  await b.page.goto(url);
  await expect(b.page.getByTestId('step-count')).toHaveText('Step 3 of 10', { timeout: 20_000 });
  await expect(b.page).toHaveURL(/#\/shared-lesson\/row-versions$/);
  await expect(b.page.getByTestId('step-title')).toHaveText(title);
  await ready(b.page);
  expect(await b.page.locator('.view-body .tuple').allInnerTexts()).toEqual(tuples);
  await b.page.getByTestId('lesson-back').click();
  await expect(b.page.getByTestId('feedback')).toBeVisible(); // the answer came along
  // the recipient's own play of the lesson is where they left it
  await b.page.goto('/#/lesson/row-versions');
  await expect(b.page.getByTestId('step-count')).toHaveText('Step 1 of 10', { timeout: 20_000 });
  await b.context.close();
});

test('a tampered or cut link is refused with a clear message, and the visitor\'s own workspace is untouched', async ({ page, browser, baseURL }) => {
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
  await run(page, 's1', 'INSERT INTO t VALUES (1, 10)');
  const url = await shareLink(page);
  const data = url.split('#/share/')[1]!;
  const i = Math.floor(data.length / 2);
  const tampered = url.replace(data, data.slice(0, i) + (data[i] === 'A' ? 'B' : 'A') + data.slice(i + 1));
  const cut = url.slice(0, url.length - 12);

  const b = await newBrowser(browser, baseURL!);
  const bw = watch(b.page);
  await b.page.goto('/#/workspace');
  await ready(b.page);
  await run(b.page, 's1', 'CREATE TABLE mine(x int)');
  const own = await b.page.evaluate(() => Object.fromEntries(Object.keys(localStorage).filter((k) => k.startsWith('heapscope.workspace')).map((k) => [k, localStorage.getItem(k)])));
  for (const bad of [tampered, cut]) {
    await b.page.goto('about:blank');
    await b.page.goto(bad); // a fresh start with the link
    const notice = b.page.getByTestId('notice');
    await expect(notice).toContainText('This shared link cannot be opened: ');
    await expect(notice).toContainText('Nothing was loaded; your own workspace is as you left it.');
    await expect(notice).toHaveAttribute('role', 'alert');
    await expect(b.page).toHaveURL(/#\/workspace$/);
    await ready(b.page);
    await expect(b.page.locator('nav.timeline button.current')).toContainText('1. s1: CREATE TABLE mine(x int)');
    expect(await b.page.evaluate(() => Object.fromEntries(Object.keys(localStorage).filter((k) => k.startsWith('heapscope.workspace')).map((k) => [k, localStorage.getItem(k)])))).toEqual(own);
    expect(await b.page.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith('heapscope.shared')))).toBe(false);
  }
  await b.page.screenshot({ path: 'test-results/screens/share-refused.png' });
  // pasted into the address bar of the open page (a hash change): the same refusal
  await b.page.evaluate((h) => { location.hash = h; }, tampered.slice(tampered.indexOf('#')));
  await expect(b.page.getByTestId('notice')).toContainText('This shared link cannot be opened');
  await expect(b.page.locator('nav.timeline button.current')).toContainText('1. s1: CREATE TABLE mine(x int)');
  expect(bw.errors).toEqual([]);
  await b.context.close();
});

test('a workspace too long for a link offers the file instead', async ({ page }) => {
  await fresh(page);
  const text = Array.from({ length: 3000 }, (_, i) => `SELECT ${(i * 7919) % 100003} AS n${i}, '${(i * 104729).toString(36)}';`).join('\n');
  await page.evaluate((t) => (window as unknown as { heapscope: { actions: { setText(n: string, t: string): void } } }).heapscope.actions.setText('s1', t), text);
  await page.getByTestId('share').click();
  const panel = page.getByTestId('share-panel');
  await expect(panel).toContainText(/This workspace is too long for a link \([\d,]+ characters; a link carries at most 16,000\)\. Save it as a file \(Save \.json\)/);
  await expect(page.getByTestId('share-url')).toHaveCount(0);
  const download = page.waitForEvent('download');
  await page.getByTestId('share-save-file').click();
  expect((await download).suggestedFilename()).toBe('workspace.json');
});
