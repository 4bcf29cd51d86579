/**
 * Issue 12 in the browser: the views show the state as of the played event (REDO record by record, VACUUM line
 * pointer by line pointer), each session's scrollback, and a timeline that keeps the steps ahead after a jump.
 */
import { test, expect, type Page } from '@playwright/test';
import { fresh, run, shot, watch } from './helpers';
import { embedFrame } from './embed-helpers';

type Hs = { actions: { server(a: string, arg?: string): Promise<unknown> } };
const server = (page: Page, action: string) => page.evaluate((a) => (window as unknown as { heapscope: Hs }).heapscope.actions.server(a), action);
const next = (page: Page) => page.getByRole('button', { name: 'next event' }).click();

test('stepping REDO shows a page LSN change in the buffers view at its record', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
  await run(page, 's1', 'INSERT INTO t VALUES (1, 10)');
  await run(page, 's1', 'UPDATE t SET v = 11 WHERE id = 1');
  await server(page, 'crash');
  await server(page, 'restart');
  await page.getByRole('tab', { name: 'Durability' }).click();
  const row = page.getByTestId('buffers').locator('tbody tr', { has: page.locator('td', { hasText: /^t$/ }) }).filter({ has: page.locator('td', { hasText: /^0$/ }) });
  const recovered = await row.locator('td').nth(2).innerText();
  const seen: { caption: string; lsn: string }[] = [];
  await next(page);
  for (let i = 0; i < 30; i++) {
    await expect(page.getByTestId('shown-as-of')).toContainText('as of event');
    const caption = await page.getByTestId('caption').innerText();
    const lsn = (await row.count()) ? await row.locator('td').nth(2).innerText() : '';
    seen.push({ caption, lsn });
    if (await page.getByRole('button', { name: 'next event' }).isDisabled()) break;
    await next(page);
  }
  // the page reaches its recovered LSN at one REDO event, and not before it
  const at = seen.findIndex((s) => s.lsn === recovered);
  expect(at).toBeGreaterThan(0);
  expect(seen[at - 1]!.lsn).not.toBe(recovered);
  expect(seen[at]!.caption).toMatch(/REDO/);
  await page.getByRole('button', { name: 'after the statement' }).click();
  await expect(page.getByTestId('shown-as-of')).toContainText('after the statement');
  expect(w.errors).toEqual([]);
});

test('stepping VACUUM shows the redirect appear at its event', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
  await run(page, 's1', 'INSERT INTO t VALUES (1, 10)');
  await run(page, 's1', 'UPDATE t SET v = 11 WHERE id = 1'); // HOT: (0,1) → (0,2)
  // no snapshot older than the update: the old version is dead to everyone, not merely invisible to s1
  await expect(page.getByTestId('tuple-t-0-1')).toContainText('dead to everyone');
  await run(page, 's2', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
  await run(page, 's2', 'SELECT 1');
  await run(page, 's1', 'UPDATE t SET v = 12 WHERE id = 1'); // (0,2) → (0,3): s2's snapshot may still see (0,2)
  await expect(page.getByTestId('tuple-t-0-2')).not.toContainText('dead to everyone');
  await expect(page.getByTestId('tuple-t-0-2')).toHaveClass(/invisible/);
  // hovering an xid highlights every field carrying it
  // hovering an xid highlights every field carrying it: (0,3)'s xmin is the xid in (0,2)'s xmax
  const xmin3 = await page.getByTestId('tuple-t-0-3').locator('.xid').first().innerText();
  await page.getByTestId('tuple-t-0-3').locator('.xid').first().hover();
  await expect.poll(() => page.getByTestId('tuple-t-0-2').locator(`[data-xid="${xmin3}"]`).evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
  await expect(page.getByTestId('tuple-t-0-3').locator('.xid').first()).toHaveAttribute('title', /xid \d+: s1's transaction/);
  await run(page, 's2', 'COMMIT');
  await run(page, 's1', 'VACUUM t');
  await page.getByRole('tab', { name: 'Heap' }).click();
  const lp1 = page.getByTestId('tuple-t-0-1');
  await expect(lp1).toContainText('LP_REDIRECT'); // after the statement
  // PostgreSQL prunes a page at once (one Heap2/PRUNE record, one critical section): the redirect appears at the
  // page's first prune event, and each changed line pointer gets its own event after it
  await page.getByRole('button', { name: 'next event' }).click();
  await expect(page.getByTestId('shown-as-of')).toContainText('as of event 2');
  let found = false;
  for (let i = 0; i < 12 && !found; i++) {
    const caption = await page.getByTestId('caption').innerText();
    if (/VACUUM prunes t \(0,\d\)/.test(caption)) { found = true; break; }
    await expect(lp1).not.toContainText('LP_REDIRECT'); // not before its event
    await next(page);
  }
  expect(found).toBe(true);
  await expect(lp1).toContainText('LP_REDIRECT');
  await shot(page, 'vacuum-redirect-event');
  // back one event: the redirect is gone again; forward: back
  await page.keyboard.press('ArrowLeft');
  await expect(lp1).not.toContainText('LP_REDIRECT');
  await page.keyboard.press('ArrowRight');
  await expect(lp1).toContainText('LP_REDIRECT');
  // the event that narrates (0,1) names the redirect
  let named = false;
  for (let i = 0; i < 6 && !named; i++) { named = /\(0,1\).*LP_REDIRECT/.test(await page.getByTestId('caption').innerText()); if (!named) await next(page); }
  expect(named).toBe(true);
  expect(w.errors).toEqual([]);
});

test('a session\'s history holds its last three results', async ({ page }) => {
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
  await run(page, 's1', 'INSERT INTO t VALUES (1, 10), (2, 20)');
  await run(page, 's1', 'SELECT v FROM t WHERE id = 1');
  await run(page, 's1', 'SELECT nosuch FROM t');
  await run(page, 's1', 'SELECT count(*) AS n FROM t');
  const items = page.getByTestId('history-s1').getByTestId('history-item');
  await expect(items).toHaveCount(4);
  await expect(items.nth(1)).toContainText('INSERT 0 2');
  await expect(items.nth(2)).toContainText('SELECT v FROM t WHERE id = 1');
  await expect(items.nth(2).locator('table')).toContainText('10');
  await expect(items.nth(3)).toContainText('column "nosuch" does not exist');
  await expect(page.getByTestId('session-s1').getByTestId('result')).toContainText('2');
  await shot(page, 'session-history');
});

test('after a jump the timeline still lists the later steps; a new branch is announced and drawn', async ({ page }) => {
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
  await run(page, 's1', 'INSERT INTO t VALUES (1, 10)');
  await run(page, 's1', 'UPDATE t SET v = 11 WHERE id = 1');
  await page.getByTestId('step-1').click();
  await expect(page.getByTestId('ahead-2')).toContainText('INSERT INTO t VALUES (1, 10)');
  await expect(page.getByTestId('ahead-3')).toContainText('UPDATE t SET v = 11');
  await expect(page.getByTestId('player-keys')).toContainText('←');
  // Shift+→ goes on to the next statement: the steps ahead shrink by one
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Shift+ArrowRight');
  await expect(page.getByTestId('step-2')).toHaveClass(/current/);
  await expect(page.getByTestId('ahead-3')).toBeVisible();
  await expect(page.getByTestId('branch-tree')).toHaveCount(0); // no branch yet: no tree
  await run(page, 's1', 'DELETE FROM t');
  await expect(page.getByTestId('notice')).toContainText('New branch');
  await expect(page.getByTestId('notice')).toContainText('leaves step 2');
  await expect(page.getByTestId('branch-row')).toContainText('UPDATE t SET v = 11');
  // the tree: the current line and one branch, leaving it at step 2 (where DELETE and the old UPDATE part)
  const tree = page.getByTestId('branch-tree');
  await expect(tree).toBeVisible();
  await expect(tree.getByTestId('branch-lane')).toHaveCount(2);
  await expect(tree.locator('[data-testid="branch-lane"][data-fork-step="2"]')).toHaveCount(1);
  await expect(tree.locator('[data-testid="branch-lane"][data-fork-step="2"]')).toContainText('UPDATE t SET v = 11');
  await shot(page, 'timeline-branch');
  // a branch's end goes to its last step: the old UPDATE is current again, and DELETE is now the branch
  await tree.getByTestId('branch-tree-tip').click();
  await expect(page.getByTestId('step-3')).toHaveClass(/current/);
  await expect(page.getByTestId('step-3')).toContainText('UPDATE t SET v = 11');
  await expect(tree.locator('[data-testid="branch-lane"][data-fork-step="2"]')).toContainText('DELETE FROM t');
  // a branch off a branch: three lanes, the new one leaving at step 1
  await page.getByTestId('step-1').click();
  await run(page, 's1', 'INSERT INTO t VALUES (2, 20)');
  await expect(tree.getByTestId('branch-lane')).toHaveCount(3);
  await expect(tree.locator('[data-testid="branch-lane"][data-fork-step="1"]')).toHaveCount(1);
  await shot(page, 'timeline-branch-tree');
  await tree.screenshot({ path: 'test-results/screens/branch-tree.png' });
  // the WAL view's tape: its flush and insert pointers sit at the positions the text gives
  await page.getByRole('tab', { name: 'WAL' }).click();
  const tape = page.getByTestId('wal-tape');
  await expect(tape).toBeVisible();
  await expect(page.getByTestId('wal-insert-pointer')).toHaveAttribute('data-lsn', /^[0-9A-F]+\/[0-9A-F]+$/);
  await expect(page.getByTestId('wal-pointers')).toContainText(await page.getByTestId('wal-flush-pointer').getAttribute('data-lsn') ?? 'missing');
  await tape.screenshot({ path: 'test-results/screens/wal-tape.png' });
});

test('stepping the deadlock check: cycle found, victim chosen, its locks released, the waiter granted', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
  await run(page, 's1', 'INSERT INTO t VALUES (1, 0), (2, 0)');
  await run(page, 's1', 'BEGIN');
  await run(page, 's2', 'BEGIN');
  await run(page, 's1', 'UPDATE t SET v = 1 WHERE id = 1');
  await run(page, 's2', 'UPDATE t SET v = 2 WHERE id = 2');
  await run(page, 's1', 'UPDATE t SET v = 1 WHERE id = 2'); // waits for s2
  await run(page, 's2', 'UPDATE t SET v = 2 WHERE id = 1'); // waits for s1: the cycle
  await page.evaluate(() => (window as unknown as { heapscope: { actions: { advance(ms: number): Promise<unknown> } } }).heapscope.actions.advance(1000));
  await page.getByRole('tab', { name: 'Waits' }).click();
  const check = page.getByTestId('deadlock-check');
  await expect(check).toBeVisible();
  const locks = page.getByTestId('pg-locks');
  const s1Rows = locks.locator('tbody tr', { has: page.locator('td:first-child', { hasText: /^s1$/ }) });
  const s2Wait = locks.locator('tbody tr', { has: page.locator('td', { hasText: /^ShareLock$/ }) }).filter({ has: page.locator('td:first-child', { hasText: /^s2$/ }) });
  const moment = async (i: number) => {
    await check.getByTestId(`deadlock-moment-${i}`).getByRole('button').click();
    await expect(check.getByTestId(`deadlock-moment-${i}`)).toHaveClass(/dl-current/);
    await expect(page.getByTestId('shown-as-of')).toContainText('as of event');
  };
  // 1. the cycle found: both wait, the cycle is drawn, no victim yet, s2's ShareLock not granted
  await moment(1);
  await expect(page.getByTestId('caption')).toContainText('finds the cycle s1 → s2 → s1');
  await expect(page.locator('.waits .edge.cycle')).toHaveCount(2);
  await expect(page.locator('.waits .victim-label')).toHaveCount(0);
  await expect(s2Wait.locator('td').last()).toHaveText('NO (waiting)');
  await expect(check.getByTestId('deadlock-moment-2')).toHaveClass(/dl-pending/);
  // 2. the victim chosen: s1 (its timer fired first) is marked, the cycle still stands
  await moment(2);
  await expect(page.getByTestId('caption')).toContainText('s1 is the victim');
  await expect(page.locator('.waits .victim-label')).toHaveText('victim (40P01)');
  await expect(page.locator('.waits .edge.cycle')).toHaveCount(2);
  await expect(check.getByTestId('deadlock-moment-1')).toHaveClass(/dl-done/);
  await shot(page, 'deadlock-victim-chosen');
  await page.locator('.waits').screenshot({ path: 'test-results/screens/deadlock-victim-chosen-waits.png' });
  // 3. its locks released: s1 holds nothing, s2's ShareLock is granted
  await moment(3);
  await expect(page.getByTestId('caption')).toContainText("s1's transaction is over: it releases its");
  await expect(s1Rows).toHaveCount(0);
  await expect(s2Wait.locator('td').last()).toHaveText('yes');
  await expect(page.locator('.waits .edge')).toHaveCount(0);
  // 4. the waiter granted: s2 runs on
  await moment(4);
  await expect(page.getByTestId('caption')).toContainText('s2 acquired ShareLock');
  await expect(page.locator('.waits .node.waiting')).toHaveCount(0);
  // after the statement: the victim's error, every moment done
  await page.getByRole('button', { name: 'after the statement' }).click();
  await expect(page.getByTestId('deadlock-victim')).toContainText('s1');
  await expect(check.locator('li.dl-done')).toHaveCount(4);
  expect(w.errors).toEqual([]);
});

test('the dependency graph draws and names a phantom (G2) at REPEATABLE READ, from the scans\' own conditions', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE oncall(name text PRIMARY KEY, shift int)');
  await run(page, 's1', "INSERT INTO oncall VALUES ('alice', 1), ('bob', 2)");
  await run(page, 's1', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
  await run(page, 's2', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
  await run(page, 's1', 'SELECT count(*) FROM oncall WHERE shift = 1');
  await run(page, 's2', 'SELECT count(*) FROM oncall WHERE shift = 1');
  await run(page, 's1', "INSERT INTO oncall VALUES ('carol', 1)");
  await run(page, 's2', "INSERT INTO oncall VALUES ('dave', 1)");
  await page.getByRole('tab', { name: 'Dependencies' }).click();
  await expect(page.locator('[data-testid="dep-edge-rw"][data-predicate="true"]')).toHaveCount(2);
  await expect(page.getByTestId('deps-anomaly')).toContainText('forming');
  await run(page, 's1', 'COMMIT');
  await run(page, 's2', 'COMMIT');
  const verdict = page.getByTestId('deps-anomaly');
  await expect(verdict).toContainText('G2');
  await expect(verdict).not.toContainText('G2-item');
  await expect(verdict).toContainText('phantom');
  await expect(verdict).not.toContainText('forming');
  await expect(page.getByTestId('deps-phantoms')).toContainText('search: oncall WHERE (shift = 1) matches');
  await expect(page.locator('.dep-edge.marked.predicate')).toHaveCount(2);
  await expect(page.locator('.dep-edge.predicate text').first()).toHaveText('rw (predicate)');
  await shot(page, 'deps-phantom');
  await page.getByTestId('deps').screenshot({ path: 'test-results/screens/deps-phantom-graph.png' });
  expect(w.errors).toEqual([]);
});

test('an embed is light unless its host asks: theme="auto" follows the system, theme="dark" is dark', async ({ page }) => {
  const bg = (f: { evaluate<R>(fn: () => R): Promise<R> }) => f.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const LIGHT = 'rgb(251, 251, 250)', DARK = 'rgb(21, 24, 28)';
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/embed.html?lesson=row-versions');
  await expect(page.getByTestId('phase')).toHaveText('engine ready', { timeout: 30_000 });
  expect(await bg(page)).toBe(LIGHT); // a dark system does not make the embed dark on its own
  await page.goto('/embed.html?lesson=row-versions&theme=auto');
  await expect(page.getByTestId('phase')).toHaveText('engine ready', { timeout: 30_000 });
  expect(await bg(page)).toBe(DARK);
  await shot(page, 'embed-theme-auto-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await bg(page)).toBe(LIGHT); // auto follows a change of the preference
  await page.goto('/embed.html?lesson=row-versions&theme=dark');
  await expect(page.getByTestId('phase')).toHaveText('engine ready', { timeout: 30_000 });
  expect(await bg(page)).toBe(DARK);
  // the element passes its attribute on
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/demo/isolation.html');
  await page.evaluate(() => {
    const el = document.createElement('heapscope-embed');
    el.id = 'themed'; el.setAttribute('lesson', 'row-versions'); el.setAttribute('theme', 'auto'); el.setAttribute('loading', 'eager');
    document.body.prepend(el);
  });
  await expect(page.locator('#themed iframe')).toHaveAttribute('src', /theme=auto/);
  const frame = (await (await page.locator('#themed iframe').elementHandle())!.contentFrame())!;
  await expect(frame.getByTestId('phase')).toHaveText('engine ready', { timeout: 30_000 });
  expect(await bg(frame)).toBe(DARK);
  // the demo's own embeds ask for no theme: light on this dark system
  const other = await embedFrame(page, 'row-versions-demo');
  expect(await bg(other)).toBe(LIGHT);
});

const doctors = async (page: Page, iso: string) => {
  await run(page, 's1', 'CREATE TABLE doctors(id int PRIMARY KEY, on_call bool)');
  await run(page, 's1', 'INSERT INTO doctors VALUES (1, true), (2, true)');
  await run(page, 's1', `BEGIN ISOLATION LEVEL ${iso}`);
  await run(page, 's2', `BEGIN ISOLATION LEVEL ${iso}`);
  await run(page, 's1', 'SELECT count(*) FROM doctors WHERE on_call');
  await run(page, 's2', 'SELECT count(*) FROM doctors WHERE on_call');
  await run(page, 's1', 'UPDATE doctors SET on_call = false WHERE id = 1');
  await run(page, 's2', 'UPDATE doctors SET on_call = false WHERE id = 2');
  await page.getByRole('tab', { name: 'Dependencies' }).click();
  await expect(page.getByTestId('deps-anomaly')).toContainText('forming'); // both still running: the cycle is forming
  await expect(page.getByTestId('dep-edge-rw')).toHaveCount(2);
  await run(page, 's1', 'COMMIT');
  await run(page, 's2', 'COMMIT');
};

test('the dependency graph names write skew at REPEATABLE READ', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await doctors(page, 'REPEATABLE READ');
  await expect(page.getByTestId('deps-anomaly')).toContainText('G2-item');
  await expect(page.getByTestId('deps-anomaly')).toContainText('write skew');
  await expect(page.getByTestId('deps-anomaly')).not.toContainText('forming');
  await expect(page.locator('.dep-edge.marked')).toHaveCount(2);
  await shot(page, 'deps-write-skew');
  expect(w.errors).toEqual([]);
});

test('the dependency graph shows the dangerous structure at SERIALIZABLE', async ({ page }) => {
  await fresh(page);
  await doctors(page, 'SERIALIZABLE');
  await expect(page.getByTestId('session-s2').getByRole('alert')).toContainText('could not serialize access');
  await expect(page.getByTestId('deps-dangerous')).toContainText('dangerous structure');
  await expect(page.getByTestId('deps-dangerous')).toContainText('pivot');
  await expect(page.locator('.dep-edge.marked.ssi')).toHaveCount(2);
  await expect(page.getByTestId('deps-anomaly')).toHaveCount(0);
  await shot(page, 'deps-serializable');
});

test('dark mode follows the system and the toggle; view tabs move with arrow keys; Escape leaves the editor', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
  await run(page, 's1', 'INSERT INTO t VALUES (1, 10)');
  await run(page, 's1', 'UPDATE t SET v = 11 WHERE id = 1');
  const bg = () => page.evaluate(() => getComputedStyle(document.body.parentElement!).backgroundColor);
  expect(await bg()).toBe('rgb(21, 24, 28)');
  await expect(page.getByTestId('theme-toggle')).toHaveText('theme: system');
  await shot(page, 'dark-mode-1280');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await shot(page, 'dark-mode-1920');
  await page.setViewportSize({ width: 768, height: 1000 });
  await shot(page, 'dark-mode-768');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByTestId('theme-toggle').click(); // system → dark (stays dark)
  await page.getByTestId('theme-toggle').click(); // dark → light
  expect(await bg()).toBe('rgb(251, 251, 250)');
  await page.reload();
  await expect(page.getByTestId('theme-toggle')).toHaveText('theme: light');
  expect(await bg()).toBe('rgb(251, 251, 250)');
  // tabs: arrow keys move the selection
  await page.getByRole('tab', { name: 'Heap' }).click();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Index' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tab', { name: 'Index' })).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('tab', { name: 'Heap' })).toHaveAttribute('aria-selected', 'true');
  // Escape leaves the editor: focus goes to the session's Run button
  const editor = page.getByTestId('session-s1').locator('.monaco-editor').first();
  await expect(editor).toBeVisible({ timeout: 20_000 });
  await editor.click();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('session-s1').getByRole('button', { name: /Run statement/ })).toBeFocused();
  await expect(page.getByTestId('session-s1')).toContainText('Esc leaves the editor');
});

test('changes animate with d3 (a new version grows in, a stamped xmax flashes, the WAL pointers slide), and nothing moves with prefers-reduced-motion', async ({ page }) => {
  // every inline style d3 writes while a transition runs is recorded (the animation itself is too quick to catch)
  const record = () => page.evaluate(() => {
    const w = window as unknown as { styled: string[] };
    w.styled = [];
    new MutationObserver((ms) => { for (const m of ms) { const el = m.target as HTMLElement; const v = el.getAttribute(m.attributeName!) ?? ''; if (v) w.styled.push(`${el.dataset.testid ?? el.getAttribute('class')}|${m.attributeName}=${v}`); } })
      .observe(document.body, { subtree: true, attributes: true, attributeFilter: ['style', 'transform'] });
  });
  const styled = () => page.evaluate(() => (window as unknown as { styled: string[] }).styled);
  await page.clock.install(); // d3's timer reads the clock when it loads: installed before the page, moved by the test
  const steps = async () => {
    await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
    await run(page, 's1', 'INSERT INTO t VALUES (1, 10)');
    await expect(page.getByTestId('tuple-t-0-1')).toBeVisible();
    await record();
    await run(page, 's1', 'UPDATE t SET v = 11 WHERE id = 1');
    await expect(page.getByTestId('tuple-t-0-2')).toBeVisible();
  };
  await fresh(page);
  await steps();
  await expect.poll(async () => (await styled()).some((s) => s.startsWith('tuple-t-0-2|') && s.includes('opacity'))).toBe(true); // the new version
  await expect.poll(async () => (await styled()).some((s) => s.startsWith('xmax-chip|') && s.includes('background-color'))).toBe(true); // (0,1)'s xmax
  await page.getByRole('tab', { name: 'WAL' }).click();
  await record();
  // the page's clock stands still while the INSERT runs and its views render, then moves 250 ms: half-way through the
  // pointers' 500 ms slide, whatever the machine's load (on a busy machine a real frame can come only after the end)
  const insertAt = async () => page.getByTestId('wal-insert-pointer').getAttribute('data-lsn');
  const before = await insertAt();
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
  await run(page, 's1', 'INSERT INTO t VALUES (2, 20)');
  await expect.poll(insertAt).not.toBe(before);
  await page.clock.runFor(250);
  // a pointer passes through positions between the old and the new one: d3's in-between values are fractional
  // (the positions the view itself sets are whole pixels)
  const between = (xs: string[]) => xs.filter((s) => /^wal-(insert|flush)-pointer\|transform=translate\(-?\d+\.\d/.test(s));
  expect(between(await styled()).length).toBeGreaterThan(0);
  await page.clock.resume();
  // the same with less motion asked for: the views change, nothing is animated
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await fresh(page);
  await steps();
  await page.waitForTimeout(300);
  expect((await styled()).filter((s) => s.includes('opacity') || s.includes('background-color'))).toEqual([]);
  await page.getByRole('tab', { name: 'WAL' }).click();
  await record();
  await run(page, 's1', 'INSERT INTO t VALUES (2, 20)');
  await page.waitForTimeout(300);
  expect((await styled()).some((s) => /^wal-(insert|flush)-pointer\|transform=/.test(s))).toBe(true); // the pointers did go to their new places…
  expect(between(await styled())).toEqual([]); // … at once
});

test('a jump back into a long line lists the first 150 steps ahead and counts the rest; the line\'s own tip is no other branch', async ({ page }) => {
  await fresh(page);
  const nodes: unknown[] = [{ id: 1, parent: null, entry: { kind: 'sql', session: 's1', sql: 'CREATE TABLE data(id int PRIMARY KEY, val int)' } },
    { id: 2, parent: 1, entry: { kind: 'sql', session: 's1', sql: 'INSERT INTO data SELECT g, 0 FROM generate_series(1, 100) g' } }];
  while (nodes.length < 1000) nodes.push({ id: nodes.length + 1, parent: nodes.length, entry: { kind: 'sql', session: 's1', sql: `UPDATE data SET val = val + 1 WHERE id = ${1 + (nodes.length % 100)}` } });
  const text = JSON.stringify({ version: 1, sessions: [{ name: 's1', text: '' }], head: 1000, nodes });
  await page.evaluate((t) => (window as unknown as { heapscope: { actions: { importWorkspace(t: string, n: string): Promise<void> } } }).heapscope.actions.importWorkspace(t, 'long.json'), text);
  await expect(page.getByTestId('step-1000')).toHaveClass(/current/);
  await page.evaluate(() => (window as unknown as { heapscope: { actions: { jumpTo(id: number): Promise<void> } } }).heapscope.actions.jumpTo(200));
  await expect(page.getByTestId('step-200')).toHaveClass(/current/);
  const timeline = page.getByRole('navigation', { name: 'timeline' });
  await expect(timeline.locator('h3')).toContainText('200 steps · 800 ahead');
  await expect(timeline.locator('h3')).not.toContainText('other branch');
  await expect(timeline.locator('[data-testid^="ahead-"]:not([data-testid="ahead-label"]):not([data-testid="ahead-more"])')).toHaveCount(150);
  await expect(page.getByTestId('ahead-more')).toContainText('650 more steps ahead');
  await page.getByTestId('ahead-more').click();
  await expect(page.getByTestId('step-1000')).toHaveClass(/current/);
});
