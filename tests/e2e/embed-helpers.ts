/** Helpers for the embed tests: the demo page and an embed's frame once it is ready. */
import { expect, type Page, type Frame } from '@playwright/test';

export type EmbedHooks = {
  heapscopeEmbed: {
    ns: string;
    store: {
      getState(): {
        phase: string; head: number | null; nodes: { size: number }; state: { tables: { name: string }[] } | null;
        lesson: { cursor: number } | null; scenario: { position: number } | null;
      };
    };
    actions: { run(s: string, sql: string): Promise<unknown> };
    bridge: { ignored: { origin: number; shape: number }; connected: boolean };
  };
};
export const DEMO = '/demo/isolation.html';

/** the embed's frame, once its engine is ready and what it was given has loaded */
export async function embedFrame(page: Page, id: string): Promise<Frame> {
  const el = page.locator(`#${id}`);
  await el.scrollIntoViewIfNeeded(); // the iframes load lazily, as a docs page wants
  const handle = await page.locator(`#${id} iframe`).elementHandle({ timeout: 20_000 });
  const frame = (await handle!.contentFrame())!;
  await expect(frame.getByTestId('phase')).toHaveText('engine ready', { timeout: 30_000 });
  await page.evaluate((i) => (document.getElementById(i) as unknown as { whenReady(): Promise<unknown> }).whenReady(), id);
  return frame;
}
