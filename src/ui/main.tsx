import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { WorkspaceContext } from './hooks';
import { ErrorBoundary } from './ErrorBoundary';
import { createWorkspace } from '../store/workspace';
import './styles.css';

const workspace = createWorkspace();
(window as unknown as { heapscope: unknown }).heapscope = workspace; // for tests and the curious
void workspace.actions.init();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WorkspaceContext.Provider value={workspace}><ErrorBoundary workspace={workspace}><App /></ErrorBoundary></WorkspaceContext.Provider>
  </StrictMode>,
);
