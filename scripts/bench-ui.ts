/**
 * npm run bench:ui — the browser workspace's speed, measured in Debian's Chromium against a production build:
 *  - initial download without the lazily loaded Monaco chunks (gzip, parser WebAssembly included)
 *  - engine ready in the worker after load
 *  - statement → view updated (p95) on a 10,000-row table
 *  - time-travel jump to any of 500 steps (p95, max)
 *  - event stepping inside a 10,000-row UPDATE (some 70,000 events): jumps to events anywhere in it, then next-event steps (p95)
 *  - heap view with 10,000 tuples: render time and long tasks while scrolling
 *  - long workspaces (10,000, 20,000 and 50,000 steps; BENCH_UI_SCALE=10000,20000 for others): import, peak memory
 *    of the page's processes, jumps to the middle, a third, the step before last and the last, one more step, a
 *    keystroke's save, and the ratios between sizes (linear work: about 2 for 10k → 20k, 2.5 for 20k → 50k)
 * Not a test: it prints figures next to the issue's targets.
 */
import { execSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { freePort } from './lib/pgcluster.js';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/** Resident memory of Chromium's renderer processes started under this process (the page and its worker), Linux only. */
function rendererRss(): number {
  const parent = (pid: string) => { try { return /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!; } catch { return '0'; } };
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      let p = pid, mine = false;
      for (let i = 0; i < 12 && p !== '0' && p !== '1'; i++) { p = parent(p); if (p === String(process.pid)) { mine = true; break; } }
      if (mine) total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
    } catch { /* gone */ }
  }
  return total;
}

/** A workspace of n steps like a long lesson: a table, then single-row updates from two sessions. */
function longWorkspace(n: number): string {
  const nodes: unknown[] = [
    { id: 1, parent: null, entry: { kind: 'sql', session: 's1', sql: 'CREATE TABLE data(id int PRIMARY KEY, val int)' } },
    { id: 2, parent: 1, entry: { kind: 'sql', session: 's1', sql: 'INSERT INTO data SELECT g, 0 FROM generate_series(1, 1000) g' } },
  ];
  for (let i = 0; nodes.length < n; i++) nodes.push({ id: nodes.length + 1, parent: nodes.length, entry: { kind: 'sql', session: i % 2 ? 's1' : 's2', sql: `UPDATE data SET val = val + 1 WHERE id = ${1 + ((i * 37) % 1000)}` } });
  return JSON.stringify({ version: 1, sessions: [{ name: 's1', text: '' }, { name: 's2', text: '' }], head: n, nodes });
}

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
  // the preview server may take a while on a busy machine: wait until it answers
  for (let i = 0; i < 120; i++) { try { await fetch(`http://127.0.0.1:${port}/`); break; } catch { await new Promise((r) => setTimeout(r, 500)); } }
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // the free workspace (a first visit to / lands on the course gallery instead)
  const url = `http://127.0.0.1:${port}/#/workspace`;
  // a first visit: a fresh browser context (empty HTTP cache, no service worker yet), every response counted —
  // the engine worker's own fetches (the parser's WebAssembly) included
  const fetched = new Set<string>();
  {
    const first = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
    first.on('response', (r) => { const f = new URL(r.url()).pathname.split('/').pop()!; if (gz.has(f)) fetched.add(f); });
    const fp = await first.newPage();
    await fp.goto(url);
    await fp.waitForFunction(() => (window as any).heapscope?.store.getState().phase === 'ready', null, { timeout: 30000 });
    await new Promise((r) => setTimeout(r, 1500));
    await first.close();
  }
  await page.goto(url);
  await page.evaluate(() => localStorage.clear());
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
  type W = { heapscope: { actions: any; store: { getState(): any } } };
  await page.evaluate(async () => {
    const a = (window as unknown as W).heapscope.actions;
    await a.run('s1', 'CREATE TABLE data(id int PRIMARY KEY, val int)');
    await a.run('s1', 'INSERT INTO data SELECT g, 0 FROM generate_series(1, 10000) g');
  });
  const stmt: number[] = await page.evaluate(async () => {
    const a = (window as unknown as W).heapscope.actions;
    const out: number[] = [];
    for (let i = 1; i <= 60; i++) {
      const t0 = performance.now();
      await a.run(i % 2 ? 's1' : 's2', `UPDATE data SET val = val + 1 WHERE id = ${i * 97}`);
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); // the next frame (no eval: the page's CSP forbids it)
      out.push(performance.now() - t0);
    }
    return out;
  });
  // 500 steps, then jumps
  await page.evaluate(async () => {
    const a = (window as unknown as W).heapscope.actions;
    for (let i = 0; i < 440; i++) await a.run('s1', `UPDATE data SET val = val + 1 WHERE id = ${1 + ((i * 37) % 10000)}`);
  });
  const steps = await page.evaluate(() => (window as unknown as W).heapscope.store.getState().nodes.size);
  if (process.env.JUMP_DETAIL) { await page.evaluate(() => { (window as any).JUMP_DETAIL = true; }); page.on('console', (m) => { if (m.text().startsWith('jump to')) console.log('   ', m.text()); }); }
  const jumps: number[] = await page.evaluate(async () => {
    const w = (window as unknown as W).heapscope;
    const ids = [...w.store.getState().nodes.keys()] as number[];
    const out: number[] = [];
    for (let i = 0; i < 20; i++) {
      const id = ids[(i * 173) % ids.length]!;
      const t0 = performance.now();
      await w.actions.jumpTo(id);
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); // the next frame (no eval: the page's CSP forbids it)
      out.push(performance.now() - t0);
      if ((window as any).JUMP_DETAIL) console.log(`jump to step ${ids.indexOf(id) + 1}: ${(performance.now() - t0).toFixed(0)} ms, of which the worker's replay ${w.store.getState().timings.lastJumpMs.toFixed(0)} ms`);
    }
    await w.actions.jumpTo(ids[ids.length - 1]);
    return out;
  });
  // event stepping inside a 10,000-row statement: the views show the state as of event k (the worker replays the
  // statement on a copy up to it; events past the trace's detail limit are numbered and built on the replay, so all
  // of the statement's tens of thousands can be reached); first jumps to events scattered over the whole statement,
  // then stepping forward one event at a time from its middle
  type Stepping = { scattered: number[]; forward: number[]; count: number; kept: number; worker: number[] };
  const stepping = (sql: string): Promise<Stepping> => page.evaluate(async (sql: string) => {
    const w = (window as unknown as W).heapscope;
    const before = w.store.getState().head;
    await w.actions.run('s1', sql);
    const node = w.store.getState().nodes.get(w.store.getState().head);
    // (no named functions in here: the bundler would wrap them in a helper the page does not have)
    const kept = node.result.outcomes.reduce((a: number, o: any) => a + o.trace.events.length, 0);
    const count = node.result.outcomes.reduce((a: number, o: any) =>
      a + o.trace.events.length + (o.trace.events.length ? Object.values(o.trace.folded).reduce((x: number, v: any) => x + v, 0) : 0), 0);
    const scattered: number[] = [];
    const forward: number[] = [];
    const worker: number[] = [];
    const mid = Math.floor(count / 2);
    const wanted = [...Array.from({ length: 20 }, (_, i) => Math.floor(((i * 7919) % 20 + 0.5) * count / 20)),
      ...Array.from({ length: 30 }, (_, i) => Math.min(count - 1, mid + i))];
    for (let k = 0; k < wanted.length; k++) {
      const t0 = performance.now();
      await w.actions.setPlayback({ nodeId: node.id, event: wanted[k], scrub: true });
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); // the next frame (no eval: the page's CSP forbids it)
      if (!w.store.getState().shown) throw new Error(`no state for event ${wanted[k]}`);
      (k < 20 ? scattered : forward).push(performance.now() - t0);
      if (k < 20) worker.push(w.store.getState().timings.lastEventMs ?? 0);
    }
    await w.actions.setPlayback({ nodeId: node.id, event: 0 });
    await w.actions.jumpTo(before);
    return { scattered, forward, count, kept, worker };
  }, sql);
  // the issue's case: a statement of some 500 events (an UPDATE of 70 rows), then the whole table's 10,000 rows
  const small = await stepping('UPDATE data SET val = val + 1 WHERE id <= 70');
  const events = await stepping('UPDATE data SET val = val + 1');
  // heap view with 10,000 tuples
  await page.getByRole('tab', { name: 'WAL' }).click();
  const heap = await page.evaluate(async () => {
    const longTasks: number[] = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push(e.duration); }).observe({ entryTypes: ['longtask'] });
    const t0 = performance.now();
    (Array.from(document.querySelectorAll('[role=tab]')).find((b) => b.textContent === 'Heap') as HTMLButtonElement).click();
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); // the next frame (no eval: the page's CSP forbids it)
    const render = performance.now() - t0;
    const body = document.querySelector('.view-body')!;
    for (let y = 0; y < 20; y++) { body.scrollTop = y * 400; await new Promise((r) => requestAnimationFrame(r)); }
    await new Promise((r) => setTimeout(r, 300));
    return { render, tuplesShown: document.querySelectorAll('.tuple').length, longTasks };
  });
  // long workspaces, each in a page of its own (the one above is closed: its memory is not theirs)
  await page.close();
  const scale: {
    n: number; importMs: number; rss: number; rssBefore: number; jumps: Record<string, number>;
    stepMs: number; keyMs: number; saved: number; savedAll: boolean;
  }[] = [];
  for (const n of (process.env.BENCH_UI_SCALE ?? '10000,20000,50000').split(',').filter(Boolean).map(Number)) {
    const p = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await p.goto(url);
    await p.evaluate(() => localStorage.clear());
    await p.goto(url);
    await p.waitForFunction(() => (window as any).heapscope?.store.getState().phase === 'ready', null, { timeout: 30000 });
    const rssBefore = rendererRss();
    let rss = rssBefore;
    const sampler = setInterval(() => { rss = Math.max(rss, rendererRss()); }, 100);
    const importMs = await p.evaluate(async (text) => {
      const t0 = performance.now();
      await (window as unknown as W).heapscope.actions.importWorkspace(text, 'long.json');
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      return performance.now() - t0;
    }, longWorkspace(n));
    const jumps: Record<string, number> = {};
    for (const [label, at] of [['middle', Math.floor(n / 2)], ['a third', Math.floor(n / 3)], ['step before last', n - 1], ['last', n]] as const) {
      jumps[label] = await p.evaluate(async (id) => {
        const t0 = performance.now();
        await (window as unknown as W).heapscope.actions.jumpTo(id);
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); // the next frame (no eval: the page's CSP forbids it)
        return performance.now() - t0;
      }, at);
    }
    clearInterval(sampler);
    const r = await p.evaluate(async () => {
      const w = (window as unknown as W).heapscope;
      let t0 = performance.now();
      await w.actions.run('s1', 'SELECT count(*) FROM data');
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); // the next frame (no eval: the page's CSP forbids it)
      const stepMs = performance.now() - t0;
      t0 = performance.now();
      w.actions.setText('s1', 'SELECT 1;');
      const keyMs = performance.now() - t0;
      let saved = 0;
      for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i)!; saved += k.length + localStorage.getItem(k)!.length; }
      const header = JSON.parse(localStorage.getItem('heapscope.workspace.v2') ?? '{}');
      return { stepMs, keyMs, saved, savedAll: header.count === w.store.getState().nodes.size };
    });
    scale.push({ n, importMs, rss, rssBefore, jumps, ...r });
    await p.close();
  }
  await browser.close();
  console.log('Heapscope workspace in Chromium (production build):');
  console.log(`  initial download without Monaco: ${(initial / 1024).toFixed(0)} KB gzip (target <= 500 KB)  [${parts.join(', ')}]; Monaco lazy chunks ${(monaco / 1024).toFixed(0)} KB gzip; loaded on first use: ${onDemand.join(', ') || 'none'}`);
  console.log(`  engine ready in the worker: median ${pct(readies, 0.5).toFixed(0)} ms, max ${Math.max(...readies).toFixed(0)} ms over ${readies.length} loads (target <= 200 ms)`);
  console.log(`  statement -> view updated on a 10,000-row table: p50 ${pct(stmt, 0.5).toFixed(1)} ms, p95 ${pct(stmt, 0.95).toFixed(1)} ms (target p95 <= 50 ms)`);
  console.log(`  event stepping inside a 70-row UPDATE (${small.count.toLocaleString('en')} events): jump to an event anywhere in it p50 ${pct(small.scattered, 0.5).toFixed(0)} ms, p95 ${pct(small.scattered, 0.95).toFixed(0)} ms, max ${Math.max(...small.scattered).toFixed(0)} ms (the first ${small.scattered[0]!.toFixed(0)} ms); next event p95 ${pct(small.forward, 0.95).toFixed(0)} ms; the worker's part of a jump p50 ${pct(small.worker, 0.5).toFixed(0)} ms, p95 ${pct(small.worker, 0.95).toFixed(0)} ms (target: any event of a 500-event statement <= 100 ms)`);
  console.log(`  event stepping inside a 10,000-row UPDATE (${events.count.toLocaleString('en')} events, ${events.kept} of them narrated in the step's batch): jump to an event anywhere in it p50 ${pct(events.scattered, 0.5).toFixed(0)} ms, p95 ${pct(events.scattered, 0.95).toFixed(0)} ms, max ${Math.max(...events.scattered).toFixed(0)} ms (the first ${events.scattered[0]!.toFixed(0)} ms); next event p50 ${pct(events.forward, 0.5).toFixed(0)} ms, p95 ${pct(events.forward, 0.95).toFixed(0)} ms; the worker's part of a jump p50 ${pct(events.worker, 0.5).toFixed(0)} ms, p95 ${pct(events.worker, 0.95).toFixed(0)} ms (target <= 100 ms)`);
  console.log(`  time-travel jump among ${steps} steps: p50 ${pct(jumps, 0.5).toFixed(0)} ms, p95 ${pct(jumps, 0.95).toFixed(0)} ms, max ${Math.max(...jumps).toFixed(0)} ms (target <= 100 ms)`);
  for (const x of scale) {
    console.log(`  ${x.n.toLocaleString('en')}-step workspace: import ${(x.importMs / 1000).toFixed(1)} s; renderer memory ${(x.rssBefore / 1e6).toFixed(0)} MB before, peak ${(x.rss / 1e6).toFixed(0)} MB; jumps ${Object.entries(x.jumps).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')} (target <= 1000 ms); one more step ${x.stepMs.toFixed(0)} ms, a keystroke's save ${x.keyMs.toFixed(1)} ms; localStorage ${(x.saved / 1e6).toFixed(2)} M characters${x.savedAll ? '' : ' (NOT all saved: storage full)'}`);
  }
  for (let i = 1; i < scale.length; i++) {
    const a = scale[i - 1]!, b = scale[i]!;
    const worst = (x: typeof a) => Math.max(...Object.values(x.jumps));
    console.log(`  ${a.n.toLocaleString('en')} -> ${b.n.toLocaleString('en')} steps (x${(b.n / a.n).toFixed(1)}): import time x${(b.importMs / a.importMs).toFixed(1)}, slowest jump x${(worst(b) / worst(a)).toFixed(1)} (linear import: about x${(b.n / a.n).toFixed(1)})`);
  }
  console.log(`  heap view, 10,000 tuples: rendered in ${heap.render.toFixed(0)} ms (${heap.tuplesShown} tuple cards, the rest aggregated), long tasks while scrolling: ${heap.longTasks.length ? heap.longTasks.map((d: number) => d.toFixed(0) + ' ms').join(', ') : 'none'}`);
} finally {
  try { process.kill(-server.pid!); } catch { /* gone */ }
}
