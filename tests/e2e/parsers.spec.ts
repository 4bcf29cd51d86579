import { test, expect, type Page } from '@playwright/test';
import { fresh, run, watch } from './helpers';

// the service worker would precache every file of the build, the PL/pgSQL parser's too: look at what the page fetches
test.use({ serviceWorkers: 'block' });

/** The parser WebAssembly files the page (its worker included) has fetched so far. */
function wasmFetched(page: Page) {
  const files: string[] = [];
  page.on('response', (r) => { const f = new URL(r.url()).pathname.split('/').pop()!; if (f.endsWith('.wasm')) files.push(f); });
  return files;
}

test('the SQL parser (PostgreSQL 15) loads at start; the PL/pgSQL parser only when a function body is compiled', async ({ page }) => {
  const w = watch(page);
  const wasm = wasmFetched(page);
  await fresh(page);
  await run(page, 's1', 'SELECT 40 + 2 AS answer');
  await expect(page.getByTestId('session-s1').locator('table.grid')).toContainText('42');
  expect(wasm).toContain('libpg-query.wasm');
  expect(wasm).not.toContain('libpg-query-plpgsql.wasm');
  // 15's grammar: a subquery in FROM needs an alias
  await run(page, 's1', 'SELECT * FROM (SELECT 1)');
  await expect(page.getByTestId('session-s1')).toContainText('subquery in FROM must have an alias');
  expect(wasm).not.toContain('libpg-query-plpgsql.wasm');
  await run(page, 's1', 'CREATE FUNCTION twice(x int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN x * 2; END $$');
  await run(page, 's1', 'SELECT twice(21) AS answer');
  await expect(page.getByTestId('session-s1').locator('table.grid').last()).toContainText('42');
  expect(wasm).toContain('libpg-query-plpgsql.wasm');
  expect(w.errors).toEqual([]);
});
