import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { Workspace, WorkspaceState } from '../store/workspace';

export const WorkspaceContext = createContext<Workspace | null>(null);

export function useWorkspace(): Workspace {
  const w = useContext(WorkspaceContext);
  if (!w) throw new Error('no workspace');
  return w;
}
export function useWs<T>(sel: (s: WorkspaceState) => T): T {
  return useStore(useWorkspace().store, sel);
}
