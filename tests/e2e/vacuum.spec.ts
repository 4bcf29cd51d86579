/**
 * Issue 14 in the browser: the Vacuum view's horizon explainer (who keeps each dead version, one click to that
 * session), the bloat plot along the steps with VACUUM and autovacuum marked, and autovacuum switched on.
 */
import { test, expect, type Page } from '@playwright/test';
import { fresh, run, shot, watch } from './helpers';

type Hs = { actions: { server(a: string, arg?: string): Promise<unknown>; advance(ms: number): Promise<unknown> } };
const server = (page: Page, action: string, arg?: string) => page.evaluate(([a, g]) => (window as unknown as { heapscope: Hs }).heapscope.actions.server(a!, g),
  [action, arg] as const);
const advance = (page: Page, ms: number) => page.evaluate((m) => (window as unknown as { heapscope: Hs }).heapscope.actions.advance(m), ms);

test('the horizon explainer names the REPEATABLE READ session that keeps the dead versions, one click away', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t (id int PRIMARY KEY, v int)');
  await run(page, 's1', 'INSERT INTO t SELECT g, 0 FROM generate_series(1, 20) g');
  await run(page, 's2', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
  await run(page, 's2', 'SELECT count(*) FROM t');
  await run(page, 's1', 'DELETE FROM t WHERE id <= 5');
  await run(page, 's1', 'VACUUM t');
  await page.getByRole('tab', { name: 'Vacuum' }).click();
  await expect(page.getByTestId('held-version')).toHaveCount(5);
  await expect(page.getByTestId('held-version').first()).toContainText('kept by s2');
  await expect(page.getByTestId('held-version').first()).toContainText('transaction snapshot, xmin');
  await expect(page.getByTestId('horizon-holders')).toContainText('repeatable read');
  await expect(page.getByTestId('mark-vacuum')).toHaveCount(2); // one per plot
  // the size plot carries table size, free space and WAL volume (issue 14's bloat plot)
  await expect(page.getByTestId('bloat-bytes').locator('path.bloat-line')).toHaveCount(3);
  await expect(page.getByTestId('bloat-bytes').locator('path.bloat-line.free')).toHaveCount(1);
  await shot(page, 'vacuum-horizon');
  await page.getByTestId('vacuum-view').screenshot({ path: 'test-results/screens/vacuum-view-horizon.png' });
  await page.getByTestId('goto-s2').click();
  await expect(page.getByTestId('session-s2')).toHaveClass(/looked/);
  // once s2 commits, nothing is held and the next VACUUM removes them
  await run(page, 's2', 'COMMIT');
  await expect(page.getByTestId('held-version')).toHaveCount(0);
  await run(page, 's1', 'VACUUM t');
  await expect(page.getByTestId('mark-vacuum')).toHaveCount(4);
  expect(w.errors).toEqual([]);
});

test('autovacuum switched on vacuums a table past its threshold on the virtual clock, marked on the plot', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t (id int PRIMARY KEY, v int) WITH (autovacuum_vacuum_scale_factor = 0.01)');
  await run(page, 's1', 'INSERT INTO t SELECT g, 0 FROM generate_series(1, 500) g');
  await run(page, 's1', 'VACUUM t');
  await run(page, 's1', 'DELETE FROM t WHERE id <= 100');
  await page.getByRole('tab', { name: 'Vacuum' }).click();
  await page.getByTestId('autovacuum-toggle').check();
  await expect(page.getByTestId('autovacuum-toggle')).toBeChecked();
  // the DELETE's counts reach the statistics 10 s later; the launcher wakes once a minute
  await advance(page, 61_000);
  await expect(page.getByTestId('autovacuum-runs')).toContainText('autovacuum: VACUUM ANALYZE public.t');
  await expect(page.getByTestId('timeline-autovacuum')).toHaveText('↳ autovacuum: VACUUM ANALYZE public.t'); // under the clock step
  await expect(page.getByTestId('mark-autovacuum').first()).toBeVisible();
  await expect(page.getByTestId('stat-tables')).toContainText('t (autovacuum_vacuum_scale_factor=0.01)');
  // the run is in the advance step's trace, like a session's statement: the player reaches it event by event
  await page.getByTestId('phase').click(); // leave the checkbox, so the arrow keys are not taken by it
  const seen: string[] = [];
  for (let i = 0; i < 6; i++) {
    seen.push(await page.getByTestId('caption').innerText());
    if (seen.at(-1)!.includes('autovacuum: VACUUM ANALYZE public.t')) break;
    const nx = page.getByRole('button', { name: 'next event' });
    if (await nx.isDisabled()) break;
    await nx.click();
  }
  expect(seen.join('\n')).toContain('idle-stats-update timeout');
  expect(seen.at(-1)).toContain('autovacuum: VACUUM ANALYZE public.t — n_dead_tup 100 vs threshold 55'); // 50 + 0.01 × reltuples 500
  await page.getByTestId('vacuum-view').screenshot({ path: 'test-results/screens/vacuum-view-autovacuum.png' });
  expect(w.errors).toEqual([]);
});

test('the xid shortcut brings the wraparound WARNING; a bad value changes nothing', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t (id int)');
  await page.getByRole('tab', { name: 'Vacuum' }).click();
  await page.getByTestId('consume-xids').click();
  await expect(page.getByTestId('xid-limits')).toContainText('Next xid 2107484363');
  await run(page, 's1', 'INSERT INTO t VALUES (1)');
  await expect(page.getByTestId('session-s1')).toContainText('must be vacuumed within');
  await server(page, 'consume_xids', '5');
  await expect(page.getByTestId('xid-limits')).toContainText('Next xid 2107484364');
  expect(w.errors).toEqual([]);
});

test('the autovacuum lesson runs with its server settings (autovacuum on, naptime 1 s) and autovacuum comes', async ({ page }) => {
  const w = watch(page);
  await page.goto('/#/lesson/autovacuum');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  // a tab picked while the lesson's setup steps are still landing stays picked ("views follow the lesson" follows
  // the lesson's own steps, not the setup's): clicked at once, and still there once the setup's settings are in
  await page.getByRole('tab', { name: 'Vacuum' }).click();
  await expect(page.getByTestId('phase')).toHaveText('engine ready', { timeout: 20_000 });
  await expect(page.getByTestId('autovacuum-toggle')).toBeChecked({ timeout: 15_000 });
  await page.waitForTimeout(500);
  await expect(page.getByRole('tab', { name: 'Vacuum' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByText('launcher every 1 s of virtual time')).toBeVisible();
  await page.getByTestId('lesson-next').click(); // step 1: the DELETE
  await page.getByTestId('lesson-next').click(); // step 2 asks first
  await page.getByRole('button', { name: /0: the DELETE's counts have not reached the statistics yet/ }).click();
  await expect(page.getByTestId('session-mon')).toContainText('n_dead_tup');
  await page.getByTestId('lesson-next').click(); // step 3: twelve seconds pass
  await expect(page.getByTestId('step-title')).toHaveText('Twelve seconds later');
  await page.getByRole('tab', { name: 'Vacuum' }).click();
  await expect(page.getByTestId('autovacuum-runs')).toContainText('autovacuum: ANALYZE public.orders');
  await page.getByTestId('vacuum-view').screenshot({ path: 'test-results/screens/vacuum-lesson.png' });
  expect(w.errors).toEqual([]);
});
