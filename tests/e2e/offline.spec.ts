/**
 * Offline: after the first visit the service worker holds the whole build, so with the browser offline a reload
 * still starts the engine (the worker and the parser's WebAssembly come from the cache), a lesson plays and the
 * embeds of the demo page load. A new build is downloaded in the background and announced; it takes over on the
 * next visit.
 */
import { test, expect, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { run, watch } from './helpers';
import { embedFrame, DEMO } from './embed-helpers';

const ready = (page: Page) => expect(page.getByTestId('phase')).toHaveText('engine ready', { timeout: 30_000 });
/** the service worker has installed (its install step is the precaching) and controls the page */
const controlled = (page: Page) => expect.poll(() => page.evaluate(async () => {
  const r = await navigator.serviceWorker.getRegistration();
  return !!r?.active && r.active.state === 'activated' && !!navigator.serviceWorker.controller;
}), { timeout: 60_000 }).toBe(true);

test('with the browser offline a reload still works: the app, a lesson and the embeds', async ({ page, context }) => {
  const w = watch(page);
  await page.goto('/#/workspace');
  await ready(page);
  await controlled(page);
  const cached = await page.evaluate(async () => {
    let n = 0; for (const k of await caches.keys()) n += (await (await caches.open(k)).keys()).length; return n;
  });
  expect(cached).toBeGreaterThan(20);

  await context.setOffline(true);
  expect(await page.evaluate(() => fetch('/no-such-file').then(() => 'online', () => 'offline'))).toBe('offline');
  await page.reload();
  await ready(page);
  await run(page, 's1', 'SELECT 40 + 2 AS answer');
  await expect(page.getByTestId('session-s1').locator('table.grid')).toContainText('42');
  await expect(page.getByTestId('session-s1').locator('.monaco-editor').first()).toBeVisible({ timeout: 20_000 }); // lazily loaded chunks too

  await page.goto('/#/lesson/row-versions');
  await ready(page);
  await page.getByTestId('lesson-next').click();
  await expect(page.getByTestId('step-title')).toHaveText('One row, one version');

  await page.goto(DEMO);
  const f = await embedFrame(page, 'row-versions-demo');
  await expect(f.getByTestId('step-count')).toHaveText('Introduction');
  const sc = await embedFrame(page, 'write-skew-demo');
  await sc.getByTestId('next-step').click();
  await expect(sc.getByTestId('next-step')).toHaveText('Next step (1/9)');
  await context.setOffline(false);
  expect(w.errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
});

test('a new build is picked up in the background and announced; it takes over on the next visit', async ({ page, context }) => {
  await page.goto('/#/workspace');
  await ready(page);
  await controlled(page);
  // "deploy" a new build: a changed service worker
  const file = resolve('dist/sw.js');
  const old = readFileSync(file, 'utf8');
  try {
    writeFileSync(file, `${old}\n// build ${Date.now()}\n`);
    await page.reload();
    await ready(page);
    await expect(page.getByTestId('notice')).toContainText('A new version of Heapscope has been downloaded: it opens on your next visit', { timeout: 30_000 });
    // the old one still serves this visit; the new one waits
    expect(await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())!.waiting)).toBe(true);
    // the next visit: every page of the old version closed, then Heapscope opened again
    const next = await context.newPage();
    await page.close();
    await next.waitForTimeout(1500); // the browser activates the waiting worker once the last page of the old one is gone
    await next.goto('/#/workspace');
    await ready(next);
    // the worker that waited is the active one now (nothing waits any more), and this visit is not told again
    await expect.poll(() => next.evaluate(async () => { const r = await navigator.serviceWorker.getRegistration(); return !r!.waiting && r!.active!.state === 'activated' && !!navigator.serviceWorker.controller; }), { timeout: 30_000 }).toBe(true);
    await next.waitForTimeout(1500);
    await expect(next.getByTestId('notice')).toHaveCount(0);
  } finally {
    writeFileSync(file, old);
  }
});
