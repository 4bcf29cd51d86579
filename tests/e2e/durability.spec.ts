/**
 * The durability view in a real browser (issue #5): pull the plug after a commit (the data comes back), crash at
 * a COMMIT before its WAL flush (the row stays on the page, invisible), and a torn page with and without
 * full-page writes — all through the buttons a learner uses.
 */
import { test, expect, type Page } from '@playwright/test';
import { watch, fresh, run, typeAndRun, shot } from './helpers';

async function openDurability(page: Page) {
  await page.getByRole('tab', { name: 'Durability' }).click();
  await expect(page.getByTestId('durability')).toBeVisible();
}
async function crash(page: Page, point: string) {
  await page.getByLabel('crash point').selectOption(point);
  await page.getByTestId('crash').click();
}
async function restart(page: Page) {
  await page.getByTestId('restart').click();
  await expect(page.getByTestId('server-state')).toContainText('server running');
}

test('crash after COMMIT: the row comes back after crash recovery', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v text)');
  await run(page, 's1', "INSERT INTO t VALUES (1, 'committed before the crash')");
  await openDurability(page);
  await expect(page.getByTestId('buffers')).toContainText('dirty — never written');
  await crash(page, 'now');
  await expect(page.getByTestId('server-state')).toContainText('server down');
  await expect(page.getByTestId('status-s1')).toContainText('NO CONNECTION');
  await expect(page.getByTestId('last-crash')).toContainText('page(s) changed since their last write');
  await shot(page, 'durability-crashed');
  await restart(page);
  await expect(page.getByTestId('recovery-summary')).toContainText('Recovered');
  await expect(page.getByTestId('redo-steps')).toContainText('applied');
  await expect(page.getByTestId('server-log')).toContainText('redo starts at');
  await typeAndRun(page, 's1', 'SELECT id, v FROM t;');
  await expect(page.getByTestId('session-s1').locator('table.grid')).toContainText('committed before the crash');
  await shot(page, 'durability-recovered');
  expect(w.errors).toEqual([]);
  expect(w.external).toEqual([]);
});

test('crash at COMMIT before the WAL flush: the client gets no COMMIT, the row is on the page but invisible', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v text)');
  await run(page, 's2', 'BEGIN');
  await run(page, 's2', "INSERT INTO t VALUES (2, 'never committed')");
  await run(page, 's1', "INSERT INTO t VALUES (1, 'committed')"); // its COMMIT flushes the log past s2's insert
  await openDurability(page);
  await crash(page, 'commit-before-flush');
  await expect(page.getByTestId('crash-armed')).toContainText('before its WAL flush');
  await typeAndRun(page, 's2', 'COMMIT;');
  await expect(page.getByTestId('session-s2')).toContainText('server closed the connection unexpectedly');
  await restart(page);
  await expect(page.getByTestId('recovery-summary')).toContainText('now aborted');
  await typeAndRun(page, 's1', 'SELECT id, v FROM t ORDER BY id;');
  const grid = page.getByTestId('session-s1').locator('table.grid');
  await expect(grid.locator('tbody tr')).toHaveCount(1);
  await expect(grid).toContainText('committed');
  await page.getByRole('tab', { name: 'Heap' }).click();
  await expect(page.getByTestId('page-t-0').locator('.tuple')).toHaveCount(2); // no UNDO: the aborted version stays
  await shot(page, 'durability-commit-before-flush');
  expect(w.errors).toEqual([]);
});

for (const fpw of [true, false]) {
  test(`torn page write with full_page_writes ${fpw ? 'on: REDO restores the full-page image' : 'off: the page is shown as corrupt'}`, async ({ page }) => {
    const w = watch(page);
    await fresh(page);
    await run(page, 's1', "CREATE TABLE t(id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 5) g");
    await openDurability(page);
    if (!fpw) await page.getByTestId('fpw').click(); // the box follows the engine's setting once the step is applied
    await expect(page.getByTestId('fpw')).toBeChecked({ checked: fpw });
    await page.getByTestId('durability').getByRole('button', { name: 'CHECKPOINT', exact: true }).click();
    await expect(page.getByTestId('buffers')).not.toContainText('dirty');
    await run(page, 's1', "UPDATE t SET v = 'changed' WHERE id = 1");
    await crash(page, 'torn-write');
    await page.getByTestId('durability').getByRole('button', { name: 'CHECKPOINT', exact: true }).click();
    await expect(page.getByTestId('server-state')).toContainText('server down');
    await expect(page.getByTestId('buffers')).toContainText('torn on disk');
    await restart(page);
    const summary = page.getByTestId('recovery-summary');
    if (fpw) {
      await expect(summary).toContainText('1 full-page image(s) restored');
      await expect(page.getByTestId('corrupt')).toHaveCount(0);
      await typeAndRun(page, 's1', 'SELECT count(*) FROM t;');
      await expect(page.getByTestId('session-s1').locator('table.grid')).toContainText('5');
    } else {
      await expect(page.getByTestId('corrupt')).toContainText('t block 0');
      await expect(page.getByTestId('buffers')).toContainText('CORRUPT');
    }
    await shot(page, `durability-torn-fpw-${fpw ? 'on' : 'off'}`);
    expect(w.errors).toEqual([]);
  });
}

test('the crash-recovery lesson steps through a crash, REDO record by record, and a torn page repaired', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await page.getByTestId('file-input').setInputFiles('tests/e2e/fixtures/crash-recovery.spec');
  await expect(page.getByTestId('notice')).toContainText('15 steps queued');
  for (let i = 0; i < 8; i++) await page.getByTestId('next-step').click(); // up to and including @restart
  await expect(page.getByTestId('next-step')).toContainText('8/15');
  await openDurability(page);
  await expect(page.getByTestId('recovery-summary')).toContainText('now aborted (their tuples stay, invisible): 725');
  await expect(page.getByTestId('last-crash')).toContainText('reported COMMITs of 727');
  // the player walks the REDO records; the Durability view highlights the one being replayed
  await page.getByRole('button', { name: 'next event' }).click();
  await page.getByRole('button', { name: 'next event' }).click();
  await expect(page.getByTestId('caption')).toContainText('REDO');
  await expect(page.getByTestId('redo-steps').locator('tr.highlight-row')).toHaveCount(1);
  await shot(page, 'durability-lesson-redo');
  for (let i = 8; i < 15; i++) await page.getByTestId('next-step').click();
  await expect(page.getByTestId('recovery-summary')).toContainText('1 full-page image(s) restored');
  await expect(page.getByTestId('session-s1').locator('table.grid')).toContainText('changed after the checkpoint');
  expect(w.errors).toEqual([]);
});
