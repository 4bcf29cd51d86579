/**
 * <heapscope-embed>: Heapscope in a documentation page, with one script tag and one element.
 *
 *   <script src="https://heapscope.example/heapscope-embed.js" defer></script>
 *   <heapscope-embed lesson="row-versions" views="Heap,Snapshots"></heapscope-embed>
 *   <heapscope-embed name="lost-update" views="Heap,Waits">
 *     <script type="text/x-heapscope-spec">setup { CREATE TABLE … } session s1 step a { … } …</script>
 *   </heapscope-embed>
 *
 * The element makes a sandboxed iframe of the embed page (embed.html, beside this script) and speaks the message API
 * with it (src/ui/embed/protocol.ts, README "Embed Heapscope in your docs"): it answers the embed's `hello` — only
 * from its own iframe's window and the embed's exact origin — with a MessageChannel, sizes the iframe to the heights
 * the embed reports, re-dispatches every event on the element as a DOM event (`heapscope-ready`, `heapscope-step`,
 * `heapscope-answered`, `heapscope-error`, `heapscope-resize`, with the message as `detail`), and offers the
 * commands as methods returning promises (step, back, seek, answer, getState, reset, load).
 *
 * Attributes: `lesson` (a lesson id) or a scenario — `scenario-src` (a .spec file's URL, fetched by the page),
 * `scenario` (the text itself), or inline: the text of a `<script type="text/x-heapscope-spec">` or `<template>`
 * child, or the element's own text; `name` (the scenario's title, and with `id` the storage name);
 * `views` (comma-separated: Heap, Index, Snapshots, Waits, WAL, Durability); `timeline` (present: show it); `theme`
 * (light, the default; dark; auto: the reader's system preference); `src`
 * (where Heapscope lives, default: beside this script); `allow-origins` (the host origins the embed may accept, default
 * this page's); `height` (before the embed reports one, px); `max-height` (px); `loading="eager"` (load at once,
 * not when scrolled near). Each element gets its own storage: the page's path and the
 * element's `id` (or its place among the page's embeds) name it.
 *
 * Built by `npm run build` to dist/heapscope-embed.js, a stable path. It is written to work as a classic script too
 * (no imports, no import.meta, everything inside one function), so a docs site needs no module support or CORS.
 */
import type { EmbedEvent, EmbedState } from '../ui/embed/protocol';

(() => {
  const VERSION = 1;
  /** the iframe's sandbox: scripts (the app) and its own origin (its Web Worker, its storage, the offline cache); no
   *  top navigation, popups, forms, downloads or modals */
  const SANDBOX = 'allow-scripts allow-same-origin';
  if (typeof window === 'undefined' || typeof customElements === 'undefined' || customElements.get('heapscope-embed')) return;
  const current = document.currentScript as HTMLScriptElement | null;
  const scriptSrc = current?.src || (document.querySelector('script[src*="heapscope-embed"]') as HTMLScriptElement | null)?.src || location.href;

  type Reply = Extract<EmbedEvent, { type: 'reply' }>;
  type Pending = { resolve(r: EmbedState): void; reject(e: Error): void };

  const isEvent = (d: unknown): d is EmbedEvent => typeof d === 'object' && d !== null && (d as { heapscope?: unknown }).heapscope === VERSION && typeof (d as { type?: unknown }).type === 'string';
  /** strip the indentation a docs author's HTML gives an inline scenario */
  const dedent = (text: string) => {
    const lines = text.replace(/^\s*\n/, '').replace(/\s+$/, '').split('\n');
    const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length));
    return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n') + '\n';
  };

  class HeapscopeEmbed extends HTMLElement {
    private frame: HTMLIFrameElement | null = null;
    private origin = '';
    private port: MessagePort | null = null;
    private queue: Record<string, unknown>[] = [];
    private pending = new Map<number, Pending>();
    private nextId = 1;
    private readyState: EmbedState | null = null;
    private readyWaiters: ((s: EmbedState) => void)[] = [];

    connectedCallback() {
      if (this.frame) return;
      const base = new URL(this.getAttribute('src') || new URL('embed.html', scriptSrc).href, scriptSrc);
      if (!/\.html?$/.test(base.pathname)) base.pathname = base.pathname.replace(/\/?$/, '/embed.html');
      this.origin = base.origin;
      const all = [...document.querySelectorAll('heapscope-embed')];
      const name = this.id || this.getAttribute('name') || `embed-${all.indexOf(this) + 1}`;
      const params = new URLSearchParams();
      const lesson = this.getAttribute('lesson');
      if (lesson) params.set('lesson', lesson);
      if (this.getAttribute('name')) params.set('name', this.getAttribute('name')!);
      if (this.getAttribute('views')) params.set('views', this.getAttribute('views')!);
      if (this.hasAttribute('timeline')) params.set('timeline', '1');
      const theme = (this.getAttribute('theme') ?? '').trim().toLowerCase();
      if (theme === 'dark' || theme === 'auto') params.set('theme', theme); // light otherwise (the embed's default)
      params.set('ns', `${location.pathname}#${name}`);
      params.set('origins', this.getAttribute('allow-origins') || location.origin);
      base.search = params.toString();
      const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      const style = document.createElement('style');
      // the frame's own background before the embed paints, in the embed's theme
      const dark = 'iframe{background:#15181c;border-color:#3a414a}';
      style.textContent = ':host{display:block;margin:1em 0}iframe{display:block;width:100%;border:1px solid #d9dde2;border-radius:6px;background:#fff}p{font:14px system-ui,sans-serif;color:#b23b3b}'
        + (theme === 'dark' ? dark : theme === 'auto' ? `@media (prefers-color-scheme: dark){${dark}}` : '');
      const scenarioSrc = this.getAttribute('scenario-src');
      if (!lesson && scenarioSrc) {
        // a .spec file beside the docs page, fetched by the page itself (the embed never fetches from the host)
        fetch(new URL(scenarioSrc, location.href).href).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`${r.status} ${r.statusText}`)))).then(
          (text) => { if (this.isConnected && !this.frame) { base.hash = `scenario=${encodeURIComponent(text)}`; this.mount(root, style, base, lesson); } },
          (e: Error) => { const p = document.createElement('p'); p.textContent = `Heapscope: could not read ${scenarioSrc} (${e.message}).`; root.replaceChildren(style, p); },
        );
        return;
      }
      if (!lesson) {
        const holder = this.querySelector('script[type="text/x-heapscope-spec"], template');
        const text = this.getAttribute('scenario') ?? (holder instanceof HTMLTemplateElement ? holder.content.textContent ?? '' : holder ? holder.textContent ?? '' : this.textContent ?? '');
        if (text.trim()) base.hash = `scenario=${encodeURIComponent(dedent(text))}`;
      }
      this.mount(root, style, base, lesson);
    }

    private mount(root: ShadowRoot, style: HTMLStyleElement, base: URL, lesson: string | null) {
      const frame = document.createElement('iframe');
      frame.setAttribute('sandbox', SANDBOX);
      frame.setAttribute('title', lesson ? `Heapscope lesson: ${lesson}` : `Heapscope: ${this.getAttribute('name') || 'scenario'}`);
      frame.setAttribute('loading', this.getAttribute('loading') === 'eager' ? 'eager' : 'lazy');
      frame.setAttribute('referrerpolicy', 'origin');
      frame.style.height = `${Number(this.getAttribute('height')) || 480}px`;
      window.addEventListener('message', this.onWindowMessage);
      frame.src = base.href;
      this.frame = frame;
      root.replaceChildren(style, frame);
    }

    disconnectedCallback() {
      window.removeEventListener('message', this.onWindowMessage);
      this.port?.close();
      this.port = null;
      this.frame?.remove();
      this.frame = null;
      for (const p of this.pending.values()) p.reject(new Error('the embed was removed from the page'));
      this.pending.clear();
    }

    /** the embed's hello: only from this element's iframe and the embed's origin */
    private onWindowMessage = (e: MessageEvent) => {
      if (!this.frame || e.source !== this.frame.contentWindow || e.origin !== this.origin) return;
      if (!isEvent(e.data) || e.data.type !== 'hello') return;
      const channel = new MessageChannel();
      this.port?.close();
      this.port = channel.port1;
      this.port.onmessage = this.onPortMessage;
      this.frame.contentWindow!.postMessage({ heapscope: VERSION, type: 'connect' }, this.origin, [channel.port2]);
      for (const m of this.queue.splice(0)) this.port.postMessage(m);
    };

    private onPortMessage = (e: MessageEvent) => {
      const m = e.data;
      if (!isEvent(m)) return;
      if (m.type === 'resize' && Number.isFinite(m.height) && m.height >= 0) {
        const max = Number(this.getAttribute('max-height')) || Infinity;
        if (this.frame) this.frame.style.height = `${Math.min(Math.ceil(m.height), max)}px`; // the content box: the border is outside
      }
      if (m.type === 'ready') { this.readyState = m.state; for (const f of this.readyWaiters.splice(0)) f(m.state); }
      if (m.type === 'reply') {
        const r = m as Reply;
        const p = typeof r.id === 'number' ? this.pending.get(r.id) : undefined;
        if (p) { this.pending.delete(r.id as number); if (r.ok) p.resolve(r.state); else p.reject(new Error(r.error)); }
      }
      this.dispatchEvent(new CustomEvent(`heapscope-${m.type}`, { detail: m }));
    };

    /** Send a command (see the README for each); resolves with the embed's state after it, rejects with its error. */
    command(cmd: Record<string, unknown>): Promise<EmbedState> {
      const id = this.nextId++;
      const msg = { ...cmd, heapscope: VERSION, id };
      return new Promise<EmbedState>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        if (this.port) this.port.postMessage(msg); else this.queue.push(msg);
      });
    }
    /** resolves with the embed's state once it has loaded what it was given */
    whenReady(): Promise<EmbedState> {
      return this.readyState ? Promise.resolve(this.readyState) : new Promise((r) => this.readyWaiters.push(r));
    }
    step() { return this.command({ type: 'step' }); }
    back() { return this.command({ type: 'back' }); }
    seek(to: number) { return this.command({ type: 'seek', to }); }
    answer(choice: number) { return this.command({ type: 'answer', choice }); }
    getState() { return this.command({ type: 'get-state' }); }
    reset() { return this.command({ type: 'reset' }); }
    load(what: { lesson: string } | { scenario: string; name?: string }) { return this.command({ type: 'load', ...what }); }
  }

  customElements.define('heapscope-embed', HeapscopeEmbed);
})();
