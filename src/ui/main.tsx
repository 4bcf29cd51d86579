import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { WorkspaceContext, PlayerContext } from './hooks';
import { ErrorBoundary } from './ErrorBoundary';
import { createWorkspace } from '../store/workspace';
import { createPlayer } from '../store/player';
import { initialRoute, slotOfRoute } from './route';
import { HEADER_KEY } from '../store/persist';
import './styles.css';
import { applyTheme } from './theme';

applyTheme(); // dark or light before the first paint
if (typeof matchMedia !== 'undefined') matchMedia('(prefers-color-scheme: dark)').addEventListener?.('change', () => applyTheme());
const storage = (() => { try { return localStorage; } catch { return undefined; } })();
const workspace = createWorkspace();
const player = createPlayer(workspace, storage);
(window as unknown as { heapscope: unknown }).heapscope = { ...workspace, player }; // for tests and the curious
const route = initialRoute(storage, location.hash);
// start the engine on the workspace the page opens with (a lesson's own, or the free one)
void workspace.actions.init(slotOfRoute(route) ?? HEADER_KEY);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WorkspaceContext.Provider value={workspace}>
      <PlayerContext.Provider value={player}>
        <ErrorBoundary workspace={workspace}><App initial={route} /></ErrorBoundary>
      </PlayerContext.Provider>
    </WorkspaceContext.Provider>
  </StrictMode>,
);
