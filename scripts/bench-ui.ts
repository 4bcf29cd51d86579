/**
 * npm run bench:ui — the browser workspace's speed, measured in Debian's Chromium against a production build:
 *  - initial download without the lazily loaded Monaco chunks (gzip, parser WebAssembly included)
 *  - engine ready in the worker after load
 *  - statement → view updated (p95) on a 10,000-row table
 *  - time-travel jump to any of 500 steps (p95, max)
 *  - heap view with 10,000 tuples: render time and long tasks while scrolling
 * Not a test: it prints figures next to the targets.
 */
import { execSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { freePort } from './lib/pgcluster.js';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

execSync('npx vite build', { stdio: 'ignore' });
const assets = readdirSync('dist/assets');
const lazy = (f: string) => /^(editor|sql|pgsql|register)/.test(f); // Monaco and its language chunks load lazily
const gz = new Map(assets.map((f) => [f, gzipSync(readFileSync(join('dist/assets', f))).length]));
// the initial download is what the browser actually fetches on load (measured below), minus Monaco's lazy chunks;
// views that load on first use (React.lazy) are fetched only when their tab is opened
let initial = gzipSync(readFileSync('dist/index.html')).length;
const parts: string[] = [];
const monaco = assets.filter(lazy).reduce((a, f) => a + gzipSync(readFileSync(join('dist/assets', f))).length, 0);

const port = await freePort();
const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort'], { stdio: 'ignore', detached: true });
try {
  await new Promise((r) => setTimeout(r, 2500));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const url = `http://127.0.0.1:${port}/`;
  await page.goto(url);
  await page.evaluate(() => localStorage.clear());
  const fetched = new Set<string>();
  page.on('response', (r) => { const f = new URL(r.url()).pathname.split('/').pop()!; if (gz.has(f)) fetched.add(f); });
  await page.goto(url);
  await page.waitForFunction(() => (window as any).heapscope?.store.getState().phase === 'ready', null, { timeout: 30000 });
  await new Promise((r) => setTimeout(r, 1500));
  for (const f of [...fetched].sort()) {
    if (lazy(f)) continue;
    initial += gz.get(f)!;
    parts.push(`${f} ${(gz.get(f)! / 1024).toFixed(0)} KB`);
  }
  const onDemand = assets.filter((f) => !lazy(f) && !fetched.has(f)).map((f) => `${f} ${(gz.get(f)! / 1024).toFixed(1)} KB`);
  const readies: number[] = [];
  for (let i = 0; i < 5; i++) {
    await page.goto(url);
    await page.waitForFunction(() => (window as any).heapscope?.store.getState().phase === 'ready', null, { timeout: 30000 });
    readies.push(await page.evaluate(() => (window as any).heapscope.store.getState().timings.readyMs));
  }
  type W = { heapscope: { actions: any; store: { getState(): any } } }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const frame = 'new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))';
  await page.evaluate(async () => {
    const a = (window as unknown as W).heapscope.actions;
    await a.run('s1', 'CREATE TABLE data(id int PRIMARY KEY, val int)');
    await a.run('s1', 'INSERT INTO data SELECT g, 0 FROM generate_series(1, 10000) g');
  });
  const stmt: number[] = await page.evaluate(async (frameSrc) => {
    const a = (window as unknown as W).heapscope.actions;
    const out: number[] = [];
    for (let i = 1; i <= 60; i++) {
      const t0 = performance.now();
      await a.run(i % 2 ? 's1' : 's2', `UPDATE data SET val = val + 1 WHERE id = ${i * 97}`);
      await eval(frameSrc);
      out.push(performance.now() - t0);
    }
    return out;
  }, frame);
  // 500 steps, then jumps
  await page.evaluate(async () => {
    const a = (window as unknown as W).heapscope.actions;
    for (let i = 0; i < 440; i++) await a.run('s1', `UPDATE data SET val = val + 1 WHERE id = ${1 + ((i * 37) % 10000)}`);
  });
  const steps = await page.evaluate(() => Object.keys((window as unknown as W).heapscope.store.getState().nodes).length);
  if (process.env.JUMP_DETAIL) { await page.evaluate(() => { (window as any).JUMP_DETAIL = true; }); page.on('console', (m) => { if (m.text().startsWith('jump to')) console.log('   ', m.text()); }); }
  const jumps: number[] = await page.evaluate(async (frameSrc) => {
    const w = (window as unknown as W).heapscope;
    const ids = Object.keys(w.store.getState().nodes).map(Number);
    const out: number[] = [];
    for (let i = 0; i < 20; i++) {
      const id = ids[(i * 173) % ids.length]!;
      const t0 = performance.now();
      await w.actions.jumpTo(id);
      await eval(frameSrc);
      out.push(performance.now() - t0);
      if ((window as any).JUMP_DETAIL) console.log(`jump to step ${ids.indexOf(id) + 1}: ${(performance.now() - t0).toFixed(0)} ms, of which the worker's replay ${w.store.getState().timings.lastJumpMs.toFixed(0)} ms`);
    }
    await w.actions.jumpTo(ids[ids.length - 1]);
    return out;
  }, frame);
  // heap view with 10,000 tuples
  await page.getByRole('tab', { name: 'WAL' }).click();
  const heap = await page.evaluate(async (frameSrc) => {
    const longTasks: number[] = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push(e.duration); }).observe({ entryTypes: ['longtask'] });
    const t0 = performance.now();
    (Array.from(document.querySelectorAll('[role=tab]')).find((b) => b.textContent === 'Heap') as HTMLButtonElement).click();
    await eval(frameSrc);
    const render = performance.now() - t0;
    const body = document.querySelector('.view-body')!;
    for (let y = 0; y < 20; y++) { body.scrollTop = y * 400; await new Promise((r) => requestAnimationFrame(r)); }
    await new Promise((r) => setTimeout(r, 300));
    return { render, tuplesShown: document.querySelectorAll('.tuple').length, longTasks };
  }, frame);
  await browser.close();
  console.log('Heapscope workspace in Chromium (production build):');
  console.log(`  initial download without Monaco: ${(initial / 1024).toFixed(0)} KB gzip (target <= 500 KB)  [${parts.join(', ')}]; Monaco lazy chunks ${(monaco / 1024).toFixed(0)} KB gzip; loaded on first use: ${onDemand.join(', ') || 'none'}`);
  console.log(`  engine ready in the worker: median ${pct(readies, 0.5).toFixed(0)} ms, max ${Math.max(...readies).toFixed(0)} ms over ${readies.length} loads (target <= 200 ms)`);
  console.log(`  statement -> view updated on a 10,000-row table: p50 ${pct(stmt, 0.5).toFixed(1)} ms, p95 ${pct(stmt, 0.95).toFixed(1)} ms (target p95 <= 50 ms)`);
  console.log(`  time-travel jump among ${steps} steps: p50 ${pct(jumps, 0.5).toFixed(0)} ms, p95 ${pct(jumps, 0.95).toFixed(0)} ms, max ${Math.max(...jumps).toFixed(0)} ms (target <= 100 ms)`);
  console.log(`  heap view, 10,000 tuples: rendered in ${heap.render.toFixed(0)} ms (${heap.tuplesShown} tuple cards, the rest aggregated), long tasks while scrolling: ${heap.longTasks.length ? heap.longTasks.map((d: number) => d.toFixed(0) + ' ms').join(', ') : 'none'}`);
} finally {
  try { process.kill(-server.pid!); } catch { /* gone */ }
}
