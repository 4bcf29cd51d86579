import { test, expect } from '@playwright/test';
import { fresh, run, watch } from './helpers';

test('in vite dev mode the parser (WebAssembly) loads in the worker and answers', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'SELECT 40 + 2 AS answer');
  await expect(page.getByTestId('session-s1').locator('table.grid')).toContainText('42');
  expect(w.external).toEqual([]);
});

test('in vite dev mode the PL/pgSQL parser loads on demand and compiles a DO block', async ({ page }) => {
  await fresh(page);
  await run(page, 's1', 'CREATE TABLE t (a int)');
  await run(page, 's1', 'DO $$ BEGIN INSERT INTO t VALUES (42); END $$');
  await run(page, 's1', 'SELECT a FROM t');
  await expect(page.getByTestId('session-s1').locator('table.grid').last()).toContainText('42');
});
