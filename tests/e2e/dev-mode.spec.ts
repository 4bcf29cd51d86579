import { test, expect } from '@playwright/test';
import { fresh, run, watch } from './helpers';

test('in vite dev mode the parser (WebAssembly) loads in the worker and answers', async ({ page }) => {
  const w = watch(page);
  await fresh(page);
  await run(page, 's1', 'SELECT 40 + 2 AS answer');
  await expect(page.getByTestId('session-s1').locator('table.grid')).toContainText('42');
  expect(w.external).toEqual([]);
});
