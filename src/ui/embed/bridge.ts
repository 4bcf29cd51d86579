/**
 * The embed's side of the message API (protocol.ts): the handshake on the window, then commands and events over the
 * MessageChannel's port. It only moves messages: what a command does is the controller's (controller.ts), so this
 * part — who may talk to the embed, what is ignored and counted — is unit-tested without a browser.
 *
 * What is ignored (and counted, never executed): on the window, any message that is not from the parent window, not
 * from an allowed origin (`origin`), or not exactly a `connect` with one port (`shape`); on the port, any message
 * that is not exactly a command of this version (`shape`). Commands run one at a time, in the order they came.
 */
import { CommandSchema, ConnectSchema, PROTOCOL_VERSION, type Command, type EmbedEvent, type EmbedState } from './protocol';

export type BaseState = Omit<EmbedState, 'ignored'>;

export interface Controller {
  /** carry out a command (throws an Error whose message is the reply's `error`) */
  run(cmd: Command): Promise<void>;
  state(): BaseState;
  /** the views this embed shows */
  views: string[];
  /** resolves once the embed has loaded what it was given */
  whenReady(): Promise<void>;
  /** events of the embed's own (a step, an answer, an error); returns the unsubscriber */
  subscribe(emit: (e: ControllerEvent) => void): () => void;
}
/** what the controller reports; the bridge adds the version and, for a step, the state */
export type ControllerEvent = { type: 'step' } | { type: 'answered'; step: number; choice: number; right: boolean } | { type: 'error'; message: string };

export interface BridgeWindow {
  parent: unknown;
  addEventListener(type: 'message', f: (e: MessageEvent) => void): void;
}

export interface Bridge {
  readonly ignored: { origin: number; shape: number };
  readonly connected: boolean;
  /** an event for the host (dropped until a host has connected, except what `ready` re-sends) */
  emit(e: EmbedEvent): void;
  state(): EmbedState;
}

/** the times (ms after start) at which `hello` is posted until a host connects */
const HELLO_AT = [0, 300, 1000, 3000];

export function startBridge(win: BridgeWindow, allowed: ReadonlySet<string>, ctl: Controller,
  opts: { setTimeout?: (f: () => void, ms: number) => void } = {}): Bridge {
  const later = opts.setTimeout ?? ((f, ms) => { setTimeout(f, ms); });
  const ignored = { origin: 0, shape: 0 };
  let port: MessagePort | null = null;
  let ready = false;
  let queue: Promise<void> = Promise.resolve();
  const state = (): EmbedState => ({ ...ctl.state(), ignored: { ...ignored } });
  /** the latest height, sent again to a host that connects after it was measured */
  let lastResize: EmbedEvent | null = null;
  const post = (e: EmbedEvent) => {
    if (e.type === 'resize') lastResize = e;
    try { port?.postMessage(e); } catch { /* the host went away */ }
  };

  const parent = win.parent as Window | null;
  const framed = !!parent && parent !== (win as unknown);
  const hello = () => {
    if (port || !framed) return;
    // exact target origins: a parent of any other origin never sees it
    for (const origin of allowed) { try { parent!.postMessage({ heapscope: PROTOCOL_VERSION, type: 'hello' }, origin); } catch { /* not that one */ } }
  };
  for (const ms of HELLO_AT) later(hello, ms);

  const onCommand = (e: MessageEvent) => {
    const parsed = CommandSchema.safeParse(e.data);
    if (!parsed.success) { ignored.shape++; return; }
    const cmd = parsed.data;
    queue = queue.then(async () => {
      try {
        await ctl.run(cmd);
        post({ heapscope: 1, type: 'reply', ...(cmd.id !== undefined ? { id: cmd.id } : {}), ok: true, state: state() });
      } catch (err) {
        const message = (err as Error).message || String(err);
        post({ heapscope: 1, type: 'reply', ...(cmd.id !== undefined ? { id: cmd.id } : {}), ok: false, error: message });
      }
    });
  };

  win.addEventListener('message', (e: MessageEvent) => {
    // the page's own messages to itself (Monaco schedules work with window.postMessage) come from no host: not counted
    if (e.source === (win as unknown)) return;
    if (!framed || e.source !== parent || !allowed.has(e.origin)) { ignored.origin++; return; }
    if (!ConnectSchema.safeParse(e.data).success || e.ports.length !== 1) { ignored.shape++; return; }
    port?.close();
    port = e.ports[0]!;
    port.onmessage = onCommand;
    if (ready) post({ heapscope: 1, type: 'ready', state: state(), views: ctl.views });
    if (lastResize) post(lastResize);
  });

  ctl.subscribe((e) => post(e.type === 'step' ? { heapscope: 1, type: 'step', state: state() } : { heapscope: 1, ...e }));
  void ctl.whenReady().then(() => {
    ready = true;
    post({ heapscope: 1, type: 'ready', state: state(), views: ctl.views });
  });

  return {
    ignored,
    get connected() { return port !== null; },
    emit: post,
    state,
  };
}
