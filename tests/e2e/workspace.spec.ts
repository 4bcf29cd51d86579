import { test, expect } from '@playwright/test';
import { watch, fresh, run, typeAndRun, shot } from './helpers';

const SETUP = 'CREATE TABLE products(id int PRIMARY KEY, state int, val int); INSERT INTO products VALUES (123, 1, 5)';

for (const level of ['READ COMMITTED', 'REPEATABLE READ']) {
  test(`the seed isolation example at ${level}: the second SELECT shows what PostgreSQL shows`, async ({ page }) => {
    const w = watch(page);
    await fresh(page);
    await run(page, 's1', SETUP);
    await run(page, 's1', `BEGIN ISOLATION LEVEL ${level}`);
    await typeAndRun(page, 's1', 'SELECT * FROM products WHERE state = 1;');
    await expect(page.getByTestId('session-s1').getByTestId('result')).toContainText('SELECT 1');
    await run(page, 's2', 'BEGIN');
    await run(page, 's2', 'INSERT INTO products (id, state, val) VALUES (124, 1, 3)');
    await run(page, 's2', 'UPDATE products SET val = 4 WHERE id = 123');
    await run(page, 's2', 'COMMIT');
    await typeAndRun(page, 's1', 'SELECT * FROM products WHERE state = 1;');
    const grid = page.getByTestId('session-s1').locator('table.grid');
    if (level === 'READ COMMITTED') {
      await expect(grid.locator('tbody tr')).toHaveCount(2);
      await expect(grid).toContainText('124');
      await expect(grid.locator('tbody tr').nth(1)).toContainText('4');
    } else {
      await expect(grid.locator('tbody tr')).toHaveCount(1);
      await expect(grid.locator('tbody tr').first()).toHaveText(/123\s*1\s*5/);
      await expect(page.getByTestId('status-s1')).toContainText('repeatable read');
    }
    // the heap view shows three versions; the old one is invisible to s1 only under READ COMMITTED
    await expect(page.getByTestId('page-products-0').locator('.tuple')).toHaveCount(3);
    await shot(page, `seed-${level.replace(' ', '-').toLowerCase()}`);
    expect(w.errors).toEqual([]);
    expect(w.external).toEqual([]);
  });
}

test('a two-session deadlock shows the wait-for cycle and the victim', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0), (2, 0)');
  await run(page, 's1', 'BEGIN'); await run(page, 's2', 'BEGIN');
  await run(page, 's1', 'UPDATE t SET v = 1 WHERE id = 1');
  await run(page, 's2', 'UPDATE t SET v = 2 WHERE id = 2');
  await run(page, 's1', 'UPDATE t SET v = 1 WHERE id = 2');
  await expect(page.getByTestId('status-s1')).toContainText('WAITING');
  await run(page, 's2', 'UPDATE t SET v = 2 WHERE id = 1');
  await page.getByRole('tab', { name: 'Waits' }).click();
  await expect(page.locator('.waits .edge.cycle')).toHaveCount(2);
  await shot(page, 'deadlock-cycle');
  await page.getByRole('button', { name: '+1 s' }).click();
  await expect(page.getByTestId('deadlock-victim')).toContainText('s1');
  await expect(page.getByTestId('session-s1').getByRole('alert')).toContainText('deadlock detected');
  await expect(page.getByTestId('status-s1')).toContainText('FAILED');
  await shot(page, 'deadlock-victim');
  expect(w.errors).toEqual([]);
});

test('time travel: jump back, branch, and the old branch stays reachable', async ({ page }) => {
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
  await run(page, 's1', 'INSERT INTO t VALUES (1, 10)');
  await run(page, 's1', 'UPDATE t SET v = 11 WHERE id = 1');
  await expect(page.getByTestId('page-t-0').locator('.tuple')).toHaveCount(2);
  await page.getByTestId('step-2').click();
  await expect(page.getByTestId('page-t-0').locator('.tuple')).toHaveCount(1);
  await run(page, 's1', 'DELETE FROM t WHERE id = 1');
  await expect(page.getByTestId('page-t-0').locator('.tuple.invisible')).toHaveCount(1);
  await page.locator('summary', { hasText: 'Other branches' }).click();
  await page.getByTestId('branch-tip').first().click();
  await expect(page.getByTestId('page-t-0').locator('.tuple')).toHaveCount(2);
  await shot(page, 'time-travel');
});

test('a reload keeps the workspace: text, steps and state', async ({ page }) => {
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY)');
  await run(page, 's2', 'INSERT INTO t VALUES (7)');
  await page.evaluate(() => (window as unknown as { heapscope: { actions: { setText(n: string, t: string): void } } }).heapscope.actions.setText('s2', '-- my notes\nSELECT * FROM t;'));
  await page.reload();
  await expect(page.getByTestId('phase')).toHaveText('engine ready', { timeout: 20_000 });
  await expect(page.getByTestId('step-2')).toBeVisible();
  await expect(page.getByTestId('session-s2')).toContainText('-- my notes');
  await expect(page.getByTestId('page-t-0').locator('.tuple')).toHaveCount(1);
});

test('a syntax error shows a red marker at PostgreSQL\'s position', async ({ page }) => {
  await fresh(page);
  await typeAndRun(page, 's1', 'SELECT 1 FRM t;');
  await expect(page.getByTestId('session-s1').getByRole('alert').first()).toContainText('syntax error at or near "t"');
  await expect(page.getByTestId('session-s1').locator('.squiggly-error')).toHaveCount(1);
  await shot(page, 'syntax-error');
});

test('a malformed scenario import is refused without touching the workspace', async ({ page }) => {
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE kept(id int)');
  await page.getByTestId('file-input').setInputFiles({ name: 'bad.spec', mimeType: 'text/plain', buffer: Buffer.from('session s1\nstep a { SELECT 1; }\npermutation a zz\n') });
  await expect(page.getByTestId('notice')).toContainText('bad.spec:3: undefined step "zz"');
  await expect(page.getByTestId('step-1')).toBeVisible();
  await page.getByTestId('file-input').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"version":1,"sessions":[]}') });
  await expect(page.getByTestId('notice')).toContainText('Not a valid workspace file');
  await expect(page.getByTestId('step-1')).toBeVisible();
});

test('a scenario file loads and steps through in order; a crashed engine is replayed', async ({ page }) => {
  await fresh(page);
  const spec = `setup { CREATE TABLE products(id int PRIMARY KEY, state int, val int); INSERT INTO products VALUES (123, 1, 5); }
session s1
step s1b { BEGIN ISOLATION LEVEL REPEATABLE READ; }
step s1s { SELECT * FROM products; }
session s2
step s2u { UPDATE products SET val = 4 WHERE id = 123; }
permutation s1b s1s s2u s1s`;
  await page.getByTestId('file-input').setInputFiles({ name: 'rr.spec', mimeType: 'text/plain', buffer: Buffer.from(spec) });
  for (let i = 0; i < 5; i++) await page.getByTestId('next-step').click();
  await expect(page.getByTestId('session-s1').locator('table.grid tbody tr').first()).toHaveText(/123\s*1\s*5/);
  await page.evaluate(() => (window as unknown as { heapscope: { actions: { simulateCrash(): void } } }).heapscope.actions.simulateCrash());
  await expect(page.getByTestId('notice')).toContainText('restarted', { timeout: 20_000 });
  await expect(page.getByTestId('page-products-0').locator('.tuple')).toHaveCount(2);
});

test('a long statement shows progress, the page stays responsive, and Cancel leaves the engine consistent', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE big(id int PRIMARY KEY, v int)');
  // start the 400k-row insert without waiting for it
  await page.evaluate(() => { void (window as unknown as { heapscope: { actions: { run(s: string, q: string): Promise<unknown> } } }).heapscope.actions.run('s2', 'INSERT INTO big SELECT g, 0 FROM generate_series(1, 600000) g'); });
  await expect(page.getByTestId('progress-s2')).toBeVisible({ timeout: 20_000 });
  await page.getByRole('tab', { name: 'WAL' }).click(); // the UI answers while the engine works
  await expect(page.getByRole('tab', { name: 'WAL' })).toHaveAttribute('aria-selected', 'true');
  await page.getByTestId('cancel-s2').click();
  await expect(page.getByTestId('session-s2').getByRole('alert')).toContainText('canceling statement due to user request');
  await run(page, 's1', 'SELECT count(*) FROM big');
  await expect(page.getByTestId('session-s1').locator('table.grid')).toContainText('0');
  // the cancelled step replays exactly: jump back and forth
  await page.getByTestId('step-2').click();
  await expect(page.getByTestId('session-s2').getByRole('alert')).toContainText('canceling statement');
  expect(w.errors).toEqual([]);
});

test('a runaway PL/pgSQL loop shows how many statements it ran, and Cancel stops it with 57014', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY)');
  await page.evaluate(() => { void (window as unknown as { heapscope: { actions: { run(s: string, q: string): Promise<unknown> } } }).heapscope.actions.run('s2', 'DO $$ BEGIN INSERT INTO t VALUES (1); LOOP END LOOP; END $$'); });
  await expect(page.getByTestId('progress-s2')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('progress-s2')).toContainText('PL/pgSQL statements');
  await page.getByRole('tab', { name: 'WAL' }).click(); // the worker answers while the loop runs
  await expect(page.getByRole('tab', { name: 'WAL' })).toHaveAttribute('aria-selected', 'true');
  await page.getByTestId('cancel-s2').click();
  await expect(page.getByTestId('session-s2').getByRole('alert')).toContainText('canceling statement due to user request');
  await run(page, 's1', 'SELECT count(*) FROM t');
  await expect(page.getByTestId('session-s1').locator('table.grid')).toContainText('0');
  expect(w.errors).toEqual([]);
});

test('the player steps through a statement\'s events with captions, and the views follow', async ({ page }) => {
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int)');
  await run(page, 's1', 'INSERT INTO t VALUES (1, 10)');
  await run(page, 's2', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
  await run(page, 's2', 'SELECT * FROM t');
  await run(page, 's1', 'UPDATE t SET v = 11 WHERE id = 1');
  const captions: string[] = [];
  captions.push(await page.getByTestId('caption').innerText());
  for (let i = 0; i < 12 && !/WAL record appended/.test(captions[captions.length - 1]!); i++) {
    await page.getByRole('button', { name: 'next event' }).click();
    captions.push(await page.getByTestId('caption').innerText());
  }
  expect(captions.join('\n')).toMatch(/takes a statement snapshot/);
  expect(captions.join('\n')).toMatch(/HOT update: old version \(0,1\) gets t_xmax 726/);
  expect(captions[captions.length - 1]).toMatch(/WAL record appended: Heap\/HOT_UPDATE/);
  await expect(page.getByRole('tab', { name: 'WAL' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('tr.highlight-row')).toHaveCount(1);
  await shot(page, 'player-wal');
  await page.getByRole('button', { name: 'previous statement' }).click();
  await expect(page.getByTestId('caption')).toContainText('s2 runs: SELECT * FROM t');
  await page.getByRole('tab', { name: 'Heap' }).click();
  await page.getByRole('button', { name: 'next statement' }).click(); // back to the HOT update
  await expect(page.locator('.chain-arrows path.hot')).toHaveCount(1); // (0,1) → (0,2) drawn as a HOT chain
  await page.getByTestId('tuple-t-0-1').click();
  await expect(page.getByTestId('explanation')).toContainText('visible');
});

test('the WAL view shows what is still only in WAL buffers and that COMMIT flushes it', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await page.getByRole('tab', { name: 'WAL' }).click(); // an empty log: insert position = flush pointer = its start
  await expect(page.locator('.wal')).toContainText('0 records; insert position 0/01500000.');
  await expect(page.getByTestId('wal-pointers')).toContainText('Flushed to disk up to 0/01500000');
  await run(page, 's1', 'CREATE TABLE t(id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 10)');
  await run(page, 's1', 'BEGIN');
  await run(page, 's1', 'UPDATE t SET v = 11 WHERE id = 1');
  await page.getByRole('tab', { name: 'WAL' }).click();
  const pointers = page.getByTestId('wal-pointers');
  await expect(pointers).toContainText(/1 record only in WAL buffers \(a crash now would lose it/);
  await expect(page.getByTestId('wal').locator('tbody tr').last()).toContainText('HOT_UPDATE');
  await expect(page.getByTestId('wal').locator('tbody tr').last()).toContainText('buffer only');
  await shot(page, 'wal-unflushed');
  await run(page, 's1', 'COMMIT');
  await expect(pointers).toContainText('nothing waits in WAL buffers');
  // with nothing in WAL buffers the insert position and the flush pointer are the same LSN
  const flushedTo = (await pointers.innerText()).match(/Flushed to disk up to (\S+)/)![1]!;
  await expect(page.locator('.wal')).toContainText(`insert position ${flushedTo}.`);
  await expect(page.getByTestId('wal').locator('tbody tr').last()).toContainText('COMMIT');
  await expect(page.getByTestId('wal').locator('tbody tr').last()).toContainText('flushed');
  // synchronous_commit = off: COMMIT returns before its record is durable; the wal writer flushes it later
  await run(page, 's2', 'SET synchronous_commit = off');
  await run(page, 's2', 'UPDATE t SET v = 12 WHERE id = 1');
  await expect(page.getByTestId('wal-async-commits')).toContainText('Asynchronous commit of xid 726');
  await expect(page.getByTestId('wal').locator('tbody tr').last()).toContainText('buffer only');
  await shot(page, 'wal-async-commit');
  await page.getByRole('button', { name: '+1 s' }).click();
  await expect(page.getByTestId('wal-async-commits')).toHaveCount(0);
  await expect(pointers).toContainText('nothing waits in WAL buffers');
  expect(w.errors).toEqual([]);
});

test('a spec of 3 sessions × 8 steps without permutations loads at once: only its first interleaving is built', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  const spec = ['a', 'b', 'c'].map((s) => `session ${s}\n${Array.from({ length: 8 }, (_, k) => `step ${s}${k} { SELECT ${k} AS ${s}; }`).join('\n')}\n`).join('');
  await page.getByTestId('file-input').setInputFiles({ name: 'wide.spec', mimeType: 'text/plain', buffer: Buffer.from(spec) });
  await expect(page.getByTestId('notice')).toContainText('wide.spec: 24 steps queued (first of 9,465,511,770 permutations)', { timeout: 5_000 });
  await page.getByTestId('next-step').click();
  await expect(page.getByTestId('session-a').locator('table.grid')).toContainText('0');
  expect(w.errors).toEqual([]);
});
