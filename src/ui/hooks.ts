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

/** Stable empty values for selectors (a fresh [] or {} per call would re-render forever). */
export const EMPTY_ARR: never[] = [];
export const EMPTY_OBJ: Record<string, never> = {};
