/**
 * Offline: the service worker (vite-plugin-pwa / Workbox, vite.config.ts) precaches the whole build on the first
 * visit — the app, the bundled lessons, the parser's WebAssembly, the embed page and the demo pages — so later visits
 * work without a network. A new build is downloaded in the background and waits; it takes over on the next visit
 * (when no tab of the old one is open), and the page says so. It is registered once the page has loaded and the
 * engine has started, so precaching never competes with the first start. Nothing happens in dev (no worker there).
 */
import { registerSW } from 'virtual:pwa-register';

export function registerOffline(after: Promise<unknown>, tell: (text: string) => void) {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  const go = () => {
    registerSW({
      immediate: true,
      onNeedRefresh() { tell('A new version of Heapscope has been downloaded: it opens on your next visit (close this tab and open Heapscope again).'); },
      onRegisterError() { /* no offline copy: everything still works online */ },
    });
  };
  void after.then(() => {
    if (document.readyState === 'complete') go();
    else window.addEventListener('load', go, { once: true });
  });
}
