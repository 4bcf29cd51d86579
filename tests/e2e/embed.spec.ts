/**
 * Heapscope embedded in documentation: the demo page (public/demo/isolation.html) with two lessons and a free
 * scenario. The embeds run independently of each other and of the full app, the host page steps one through the
 * message API and hears its events, messages from another origin or of the wrong shape are ignored and counted,
 * and the iframe follows the embed's height.
 */
import { test, expect, type Page, type Frame } from '@playwright/test';
import { watch } from './helpers';
import { embedFrame, DEMO, type EmbedHooks } from './embed-helpers';

const IDS = ['row-versions-demo', 'lost-update-demo', 'write-skew-demo'] as const;

const tables = (f: Frame) => f.evaluate(() => (window as unknown as EmbedHooks).heapscopeEmbed.store.getState().state!.tables.map((t) => t.name));
const nodes = (f: Frame) => f.evaluate(() => (window as unknown as EmbedHooks).heapscopeEmbed.store.getState().nodes.size);

async function newVisitor(page: Page) {
  await page.goto(DEMO);
  await page.evaluate(() => localStorage.clear());
  await page.goto(DEMO);
}

test('two embeds on one page run independently: a statement in one appears in neither the other nor the full app', async ({ page, context }) => {
  const w = watch(page);
  await newVisitor(page);
  const a = await embedFrame(page, 'row-versions-demo');
  const b = await embedFrame(page, 'lost-update-demo');
  const c = await embedFrame(page, 'write-skew-demo');
  await c.getByTestId('next-step').click(); // the scenario's setup
  await expect(c.getByTestId('next-step')).toHaveText('Next step (1/9)');
  const bNodes = await nodes(b), cNodes = await nodes(c);
  // each lesson's setup ran in its own engine (the setup connection first: the sessions are 1002 and 1003, as recorded)
  expect(await tables(a)).toEqual(['products']);
  expect(await tables(b)).toEqual(['accounts']);
  await expect(a.getByTestId('session-alice')).toContainText('pid 1002');
  await expect(b.getByTestId('session-alice')).toContainText('pid 1002');

  // a statement typed in the first embed, as a reader would
  const editor = a.getByTestId('session-alice').locator('.monaco-editor').first();
  await expect(editor).toBeVisible({ timeout: 20_000 });
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type('CREATE TABLE only_in_a(x int);');
  await page.keyboard.press('Control+Enter');
  await expect(a.getByTestId('session-alice').getByTestId('result')).toContainText('CREATE TABLE');
  await a.evaluate(() => (window as unknown as EmbedHooks).heapscopeEmbed.actions.run('alice', 'INSERT INTO only_in_a VALUES (4242)'));
  // a page far below the reader's screen is summarised until it is scrolled to (HeapView: cards only near the screen)
  await a.getByTestId('page-only_in_a-0').scrollIntoViewIfNeeded();
  await expect(a.getByTestId('page-only_in_a-0').locator('.tuple')).toHaveCount(1);
  expect(await tables(a)).toEqual(['products', 'only_in_a']);

  // not in the other embeds
  expect(await tables(b)).toEqual(['accounts']);
  expect(await tables(c)).toEqual(['doctors']);
  expect(await nodes(b)).toBe(bNodes);
  expect(await nodes(c)).toBe(cNodes);
  // in storage, only under the first embed's namespace
  const nsA = await a.evaluate(() => (window as unknown as EmbedHooks).heapscopeEmbed.ns);
  const nsB = await b.evaluate(() => (window as unknown as EmbedHooks).heapscopeEmbed.ns);
  expect(nsA).not.toBe(nsB);
  const holding = await page.evaluate(() => Object.keys(localStorage).filter((k) => localStorage.getItem(k)!.includes('only_in_a')));
  expect(holding.length).toBeGreaterThan(0);
  expect(holding.every((k) => k.startsWith(nsA))).toBe(true);

  // not in the full app (same origin, same storage) — its free workspace and the same lesson played there
  const app = await context.newPage();
  await app.goto('/#/workspace');
  await expect(app.getByTestId('phase')).toHaveText('engine ready', { timeout: 20_000 });
  expect(await app.evaluate(() => (window as unknown as { heapscope: EmbedHooks['heapscopeEmbed'] }).heapscope.store.getState().state!.tables.map((t) => t.name))).toEqual([]);
  await app.goto('/#/lesson/row-versions');
  await expect(app.getByTestId('step-count')).toHaveText('Introduction', { timeout: 20_000 });
  await expect.poll(() => app.evaluate(() => (window as unknown as { heapscope: EmbedHooks['heapscopeEmbed'] }).heapscope.store.getState().state?.tables.map((t) => t.name))).toEqual(['products']);
  await app.close();

  // a reload of the docs page: each embed resumes its own
  await page.reload();
  const a2 = await embedFrame(page, 'row-versions-demo');
  const b2 = await embedFrame(page, 'lost-update-demo');
  expect(await tables(a2)).toEqual(['products', 'only_in_a']);
  expect(await tables(b2)).toEqual(['accounts']);
  expect(w.errors).toEqual([]);
  expect(w.external).toEqual([]);
});

test('the host page steps an embed through the message API and receives its events', async ({ page }) => {
  const w = watch(page);
  await newVisitor(page);
  const lesson = await embedFrame(page, 'row-versions-demo');
  // collect the element's events on the host page
  await page.evaluate(() => {
    const got: unknown[] = [];
    (window as unknown as { got: unknown[] }).got = got;
    for (const t of ['step', 'answered', 'error']) document.getElementById('row-versions-demo')!.addEventListener(`heapscope-${t}`, (e) => got.push((e as CustomEvent).detail));
  });
  type Ev = { type: string; state?: { position: number; of: number; kind: string; phase: string }; step?: number; right?: boolean; message?: string };
  const events = () => page.evaluate(() => (window as unknown as { got: Ev[] }).got);
  const call = (js: string) => page.evaluate(`document.getElementById('row-versions-demo').${js}`) as Promise<{ position: number; of: number; phase: string; title: string; steps: number }>;

  const s1 = await call('step()');
  expect(s1).toMatchObject({ position: 0, of: 10, phase: 'shown', title: 'Row versions: xmin, xmax and the HOT chain' });
  await expect(lesson.getByTestId('step-count')).toHaveText('Step 1 of 10');
  await expect(lesson.getByTestId('step-title')).toHaveText('One row, one version');
  await expect.poll(async () => (await events()).filter((e) => e.type === 'step').map((e) => e.state!.position)).toEqual([0]);

  // step 2 asks a question first: a step is refused with the reason, an answer runs it and is reported
  await call('step()');
  await expect(lesson.getByTestId('step-title')).toHaveText('Alice sells a copy');
  await expect(call('step()')).rejects.toThrow(/Step 2 asks a question: answer it first/);
  const answered = await call('answer(0)');
  expect(answered.phase).toBe('shown');
  await expect(lesson.getByTestId('feedback')).toBeVisible();
  await expect.poll(async () => (await events()).filter((e) => e.type === 'answered').length).toBe(1);
  const ans = (await events()).find((e) => e.type === 'answered')!;
  expect(ans.step).toBe(1);
  expect(typeof ans.right).toBe('boolean');
  // back, then seek
  expect((await call('back()')).position).toBe(0);
  await expect(lesson.getByTestId('step-count')).toHaveText('Step 1 of 10');
  expect((await call('seek(-1)')).phase).toBe('intro');
  await expect(lesson.getByTestId('step-count')).toHaveText('Introduction');

  // the scenario embed, driven by the page's own buttons (demo.js): its log shows replies and events
  const sc = await embedFrame(page, 'write-skew-demo');
  await page.locator('#api-demo').scrollIntoViewIfNeeded();
  await page.getByRole('button', { name: 'step ▶' }).click();
  await expect(sc.getByTestId('next-step')).toHaveText('Next step (1/9)'); // the setup ran
  await expect(page.locator('#api-log')).toContainText('write-skew-demo: step — scenario “Write skew: two doctors go off call”: 1 of 9 steps run');
  await expect(page.locator('#api-log')).toContainText('row-versions-demo: step — lesson “Row versions: xmin, xmax and the HOT chain”: the introduction');
  await expect(page.locator('#api-log')).toContainText('reply to step: scenario');
  await page.getByRole('button', { name: 'seek to step 4' }).click();
  await expect(sc.getByTestId('next-step')).toHaveText('Next step (4/9)');
  await expect(sc.getByTestId('status-bob')).toContainText('IN TRANSACTION');
  await page.getByRole('button', { name: '◀ back' }).click();
  await expect(sc.getByTestId('next-step')).toHaveText('Next step (3/9)');
  await page.getByRole('button', { name: 'reset' }).click();
  await expect(sc.getByTestId('next-step')).toHaveText('Next step (0/9)');
  // load: a lesson, then a scenario of the host's, in the same embed; an unknown lesson is refused (and reported)
  const el = (js: string) => page.evaluate(`document.getElementById('write-skew-demo').${js}`) as Promise<{ kind: string; title: string; position: number; of: number }>;
  expect(await el(`load({ lesson: 'snapshots' })`)).toMatchObject({ kind: 'lesson', position: -1, of: 11 });
  await expect(sc.getByTestId('step-count')).toHaveText('Introduction');
  await expect(sc.getByTestId('narration')).toContainText('Snapshots: which transactions a reader counts as done');
  const tiny = 'setup { CREATE TABLE t (k int PRIMARY KEY); }\nsession s1\nstep w { INSERT INTO t VALUES (1); }\npermutation w\n';
  expect(await el(`load({ scenario: ${JSON.stringify(tiny)}, name: 'A tiny one' })`)).toMatchObject({ kind: 'scenario', title: 'A tiny one', position: 0, of: 2 });
  await expect(sc.locator('header h1')).toContainText('A tiny one');
  await expect(sc.getByTestId('next-step')).toHaveText('Next step (0/2)');
  await page.evaluate(() => { (window as unknown as { errs: string[] }).errs = []; document.getElementById('write-skew-demo')!.addEventListener('heapscope-error', (e) => (window as unknown as { errs: string[] }).errs.push((e as CustomEvent).detail.message)); });
  await expect(el(`load({ lesson: 'no-such-lesson' })`)).rejects.toThrow(/There is no lesson "no-such-lesson" in this Heapscope/);
  expect(await el(`load({ scenario: 'session s1 step a { SELECT 1; } permutation nosuch', name: 'broken' })`).catch((e: Error) => e.message)).toMatch(/Could not load broken/);
  await expect.poll(() => page.evaluate(() => (window as unknown as { errs: string[] }).errs.length)).toBeGreaterThan(0);
  // a command the embed cannot carry out comes back as a refusal, not silence
  const refused = await page.evaluate(() => (document.getElementById('write-skew-demo') as unknown as { answer(n: number): Promise<unknown> }).answer(0).then(() => 'ok', (e: Error) => e.message));
  expect(refused).toBe('The step shown asks no question to answer now.');
  expect(w.errors).toEqual([]);
});

test('the embed reports its height and the iframe follows it', async ({ page }) => {
  await newVisitor(page);
  const f = await embedFrame(page, 'row-versions-demo');
  const heights = async () => ({
    content: await f.evaluate(() => Math.ceil(document.getElementById('root')!.getBoundingClientRect().height)),
    frame: await page.evaluate(() => document.getElementById('row-versions-demo')!.shadowRoot!.querySelector('iframe')!.getBoundingClientRect().height),
  });
  // (the content settles as Monaco and the views arrive: give it time on a busy machine)
  await expect.poll(async () => { const h = await heights(); return h.frame - h.content; }, { timeout: 20_000 }).toBe(2); // + its 1px border
  const first = await heights();
  expect(first.content).toBeGreaterThan(600); // not the 480 px it started with
  await page.evaluate(() => {
    (window as unknown as { sizes: number[] }).sizes = [];
    document.getElementById('row-versions-demo')!.addEventListener('heapscope-resize', (e) => (window as unknown as { sizes: number[] }).sizes.push((e as CustomEvent).detail.height));
  });
  // the introduction's long text goes: the embed shrinks, and the iframe with it (no scroll bar, no gap)
  await f.getByTestId('lesson-next').click();
  await expect(f.getByTestId('step-count')).toHaveText('Step 1 of 10');
  await expect.poll(async () => { const h = await heights(); return h.content !== first.content && h.frame - h.content === 2; },
    { timeout: 20_000 }).toBe(true);
  const sizes = await page.evaluate(() => (window as unknown as { sizes: number[] }).sizes);
  expect(sizes.length).toBeGreaterThan(0);
  expect(sizes.at(-1)).toBe((await heights()).content);
  expect(await f.evaluate(() => document.scrollingElement!.scrollHeight <= window.innerHeight + 1)).toBe(true);
});

test('the demo page at desktop and narrow widths: every embed fits its column, without sideways scrolling', async ({ page }) => {
  await newVisitor(page);
  const frames: Frame[] = [];
  for (const id of IDS) frames.push(await embedFrame(page, id));
  const fits = async () => {
    const vw = await page.evaluate(() => document.documentElement.clientWidth);
    for (const id of IDS) {
      const r = await page.evaluate((i) => document.getElementById(i)!.shadowRoot!.querySelector('iframe')!.getBoundingClientRect().right, id);
      expect(r, id).toBeLessThanOrEqual(vw);
    }
    for (const f of frames) expect(await f.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth + 1)).toBe(true);
  };
  await fits();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'test-results/screens/embed-demo-top.png' });
  await page.locator('#write-skew').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screens/embed-demo-scenario.png' });
  await page.setViewportSize({ width: 760, height: 900 });
  await page.waitForTimeout(500);
  await fits();
  await page.locator('#row-versions').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screens/embed-demo-narrow.png' });
});
