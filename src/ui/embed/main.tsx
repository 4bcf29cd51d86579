/**
 * embed.html: Heapscope inside another page's iframe (the <heapscope-embed> element makes one, src/element).
 *
 * The page's parameters (set by the embedder): `lesson=<id>`, or a scenario (.spec text) in the fragment as
 * `#scenario=<text, URI-encoded>` with `name=<title>`; `views=Heap,Waits,…` (the views shown, in that order);
 * `timeline=1` (show the timeline); `theme=light|dark|auto` (light unless the host asks: auto follows the reader's
 * system preference, theme.ts); `ns=<name>` (which storage namespace: the element passes the host page and the
 * element's id or place); `origins=<origin>,…` (the hosts allowed to talk to it: bridge.ts).
 *
 * Its storage is a namespace of its own (store/nsstorage.ts), named after the page that embeds it and `ns`: never
 * the full app's, never another embed's. Its height follows its content: every change of the page's height is sent
 * to the host as a `resize` event.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { EmbedApp } from './EmbedApp';
import { WorkspaceContext, PlayerContext } from '../hooks';
import { ErrorBoundary } from '../ErrorBoundary';
import { createWorkspace } from '../../store/workspace';
import { createPlayer } from '../../store/player';
import { HEADER_KEY, lessonSlotKey } from '../../store/persist';
import { NamespacedStorage, embedNamespace } from '../../store/nsstorage';
import { VIEW_NAMES, type ViewName } from '../look';
import { createController } from './controller';
import { startBridge } from './bridge';
import { allowlist } from './protocol';
import { registerOffline } from '../offline';
import { embedTheme, fixEmbedTheme } from '../theme';
import '../styles.css';


const params = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
const lessonId = params.get('lesson');
const scenario = fragment.get('scenario');
const DEFAULT_VIEWS: ViewName[] = ['Heap', 'Snapshots', 'Waits'];
/** the views asked for, known ones only, each once (none known: the default) */
function viewsOf(param: string | null): ViewName[] {
  const asked = (param ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const out: ViewName[] = [];
  for (const a of asked) { const v = VIEW_NAMES.find((n) => n.toLowerCase() === a); if (v && !out.includes(v)) out.push(v); }
  return out.length ? out : DEFAULT_VIEWS;
}
const views = viewsOf(params.get('views'));
const timeline = params.get('timeline') === '1' || params.get('timeline') === 'true';
const theme = embedTheme(params.get('theme'));
fixEmbedTheme(theme); // before the first paint
if (theme === 'system' && typeof matchMedia !== 'undefined') matchMedia('(prefers-color-scheme: dark)').addEventListener?.('change', () => fixEmbedTheme(theme));

// the page that embeds this one, as the browser reports it (not as the parameters claim)
const host = (() => {
  try {
    const a = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
    if (a && a.length) return a[0]!;
    return document.referrer ? new URL(document.referrer).origin : '';
  } catch { return ''; }
})();
const ns = embedNamespace(host, (params.get('ns') ?? 'default').slice(0, 500));
const raw = (() => { try { return localStorage; } catch { return undefined; } })();
const storage = raw ? new NamespacedStorage(raw, ns) : undefined;

const workspace = createWorkspace({ storage });
const player = createPlayer(workspace, storage);
const ctl = createController(workspace, player, storage, () => import('../lessons/catalog').then((m) => m.bundledCatalog()), views);
const bridge = startBridge(window, allowlist(params.get('origins'), location.origin), ctl.controller);
(window as unknown as { heapscopeEmbed: unknown }).heapscopeEmbed = { ...workspace, player, bridge, ns, mode: ctl.mode }; // for tests and the curious

const initial = lessonId ? { lesson: lessonId } : scenario ? { scenario, name: (params.get('name') ?? 'scenario').slice(0, 100) } : null;
void workspace.actions.init(lessonId && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(lessonId) ? lessonSlotKey(lessonId) : HEADER_KEY).then(() => ctl.boot(initial));

registerOffline(workspace.actions.whenStarted(), (text) => workspace.actions.notify('info', text));

const rootEl = document.getElementById('root')!;
// the height follows the content: the host sizes the iframe to it
let lastHeight = -1;
new ResizeObserver(() => {
  const height = Math.ceil(rootEl.getBoundingClientRect().height);
  if (height !== lastHeight) { lastHeight = height; bridge.emit({ heapscope: 1, type: 'resize', height }); }
}).observe(rootEl);

createRoot(rootEl).render(
  <StrictMode>
    <WorkspaceContext.Provider value={workspace}>
      <PlayerContext.Provider value={player}>
        <ErrorBoundary workspace={workspace}>
          <EmbedApp mode={ctl.mode} views={views} timeline={timeline} onReset={() => { void ctl.controller.run({ heapscope: 1, type: 'reset' }); }} />
        </ErrorBoundary>
      </PlayerContext.Provider>
    </WorkspaceContext.Provider>
  </StrictMode>,
);
