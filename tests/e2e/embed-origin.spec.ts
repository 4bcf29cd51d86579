/**
 * The embed's message API against messages it must not obey: from a page of another origin that frames it (its
 * allowlist names only the docs site), from another window, or of the wrong shape. Each is ignored and counted,
 * never executed, and the embed's hello never reaches a page it does not allow.
 */
import { test, expect } from '@playwright/test';
import { watch } from './helpers';
import { embedFrame, DEMO, type EmbedHooks } from './embed-helpers';

// The page of another origin below is made by the test (page.route), so Chromium cannot tell its address space and
// would refuse it the loopback server (local network access checks); a real docs site and a real Heapscope are both
// public. The flag changes nothing else.
test.use({ launchOptions: { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--disable-gpu', '--disable-features=LocalNetworkAccessChecks'] } });
test('messages from another origin, another window or of the wrong shape are ignored and counted, never executed', async ({ page, baseURL }) => {
  const w = watch(page);
  const own = new URL(baseURL!).origin;
  // a page of another origin frames the embed (whose allowlist names only the docs site) and tries to drive it
  await page.route('http://evil.test/**', (r) => r.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><body><iframe id="f" src="${own}/embed.html?lesson=row-versions&origins=${encodeURIComponent(own)}" style="width:900px;height:600px"></iframe>
      <script>
        window.heard = [];
        window.addEventListener('message', (e) => window.heard.push(e.data));
        window.attack = () => {
          const f = document.getElementById('f').contentWindow;
          const ch = new MessageChannel();
          ch.port1.onmessage = (e) => window.heard.push(e.data);
          f.postMessage({ heapscope: 1, type: 'connect' }, '*', [ch.port2]);
          f.postMessage({ heapscope: 1, type: 'step' }, '*');
          ch.port1.postMessage({ heapscope: 1, type: 'step', id: 1 });
        };
      </script></body>`,
  }));
  await page.goto('http://evil.test/page.html');
  const frame = (await (await page.locator('#f').elementHandle())!.contentFrame())!;
  await expect(frame.getByTestId('step-count')).toHaveText('Introduction', { timeout: 30_000 });
  await page.waitForTimeout(3500); // the embed's hellos (0 s … 3 s) went out, addressed to the docs site only
  expect(await page.evaluate(() => (window as unknown as { heard: unknown[] }).heard)).toEqual([]);
  await page.evaluate(() => (window as unknown as { attack(): void }).attack());
  await expect.poll(() => frame.evaluate(() => (window as unknown as EmbedHooks).heapscopeEmbed.bridge.ignored.origin)).toBe(2);
  await page.waitForTimeout(500);
  expect(await frame.evaluate(() => (window as unknown as EmbedHooks).heapscopeEmbed.bridge.connected)).toBe(false);
  await expect(frame.getByTestId('step-count')).toHaveText('Introduction');
  expect(await frame.evaluate(() => (window as unknown as EmbedHooks).heapscopeEmbed.store.getState().lesson!.cursor)).toBe(-1);
  expect(await page.evaluate(() => (window as unknown as { heard: unknown[] }).heard)).toEqual([]);

  // on the docs page itself: the right origin, but the wrong shapes
  await page.goto(DEMO);
  const lesson = await embedFrame(page, 'row-versions-demo');
  const before = await lesson.evaluate(() => ({ ...(window as unknown as EmbedHooks).heapscopeEmbed.bridge.ignored }));
  await page.evaluate(() => {
    const el = document.getElementById('row-versions-demo')!;
    const f = el.shadowRoot!.querySelector('iframe')!.contentWindow!;
    f.postMessage({ heapscope: 1, type: 'connect', extra: '<img src=x onerror=alert(1)>' }, location.origin, [new MessageChannel().port2]);
    f.postMessage({ heapscope: 2, type: 'connect' }, location.origin, [new MessageChannel().port2]);
    f.postMessage({ heapscope: 1, type: 'connect' }, location.origin); // no port
    const cmd = (el as unknown as { command(c: unknown): Promise<unknown> }).command;
    void cmd.call(el, { type: 'step', evil: 'extra field' });
    void cmd.call(el, { type: 'seek', to: 'far' });
    void cmd.call(el, { type: 'rm -rf' });
  });
  await expect.poll(() => lesson.evaluate(() => (window as unknown as EmbedHooks).heapscopeEmbed.bridge.ignored.shape)).toBe(before.shape + 6);
  await page.waitForTimeout(300);
  await expect(lesson.getByTestId('step-count')).toHaveText('Introduction');
  // and the connection still works
  const s = await page.evaluate(() => (document.getElementById('row-versions-demo') as unknown as { getState(): Promise<{ ignored: { shape: number }; position: number }> }).getState());
  expect(s.position).toBe(-1);
  expect(s.ignored.shape).toBe(before.shape + 6);
  expect(w.errors).toEqual([]);
});
