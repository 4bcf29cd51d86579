import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { WorkspaceContext, PlayerContext } from './hooks';
import { ErrorBoundary } from './ErrorBoundary';
import { createWorkspace } from '../store/workspace';
import { createPlayer } from '../store/player';
import { initialRoute, slotOfRoute, hashOf, type Route } from './route';
import { decodeShare } from '../store/share';
import { routeOfShared } from './shareLink';
import { registerOffline } from './offline';
import { HEADER_KEY } from '../store/persist';
import './styles.css';
import { applyTheme } from './theme';

applyTheme(); // dark or light before the first paint
if (typeof matchMedia !== 'undefined') matchMedia('(prefers-color-scheme: dark)').addEventListener?.('change', () => applyTheme());
const storage = (() => { try { return localStorage; } catch { return undefined; } })();
const workspace = createWorkspace();
const player = createPlayer(workspace, storage);
(window as unknown as { heapscope: unknown }).heapscope = { ...workspace, player }; // for tests and the curious
let route: Route = initialRoute(storage, location.hash);
// a shared link opens in a slot of its own; a damaged one is refused and the visitor's own workspace opens unchanged
let opened: Parameters<typeof workspace.actions.init>[1] = {};
if (route.kind === 'share') {
  const d = decodeShare(route.data);
  if (d.ok) { opened = { shared: d.shared }; route = routeOfShared(d.shared); } else { opened = { notice: { kind: 'error', text: d.error } }; route = { kind: 'workspace' }; }
  history.replaceState(null, '', hashOf(route));
}
// start the engine on the workspace the page opens with (a lesson's own, the free one, or a shared link's)
void workspace.actions.init(slotOfRoute(route) ?? HEADER_KEY, opened);
registerOffline(workspace.actions.whenStarted(), (text) => workspace.actions.notify('info', text));
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WorkspaceContext.Provider value={workspace}>
      <PlayerContext.Provider value={player}>
        <ErrorBoundary workspace={workspace}><App initial={route} /></ErrorBoundary>
      </PlayerContext.Provider>
    </WorkspaceContext.Provider>
  </StrictMode>,
);
