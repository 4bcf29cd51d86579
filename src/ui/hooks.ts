import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { Workspace, WorkspaceState } from '../store/workspace';
import type { Player } from '../store/player';

export const WorkspaceContext = createContext<Workspace | null>(null);
export const PlayerContext = createContext<Player | null>(null);

export function usePlayer(): Player {
  const p = useContext(PlayerContext);
  if (!p) throw new Error('no player');
  return p;
}

export function useWorkspace(): Workspace {
  const w = useContext(WorkspaceContext);
  if (!w) throw new Error('no workspace');
  return w;
}
export function useWs<T>(sel: (s: WorkspaceState) => T): T {
  return useStore(useWorkspace().store, sel);
}

/** Stable empty values for selectors (a fresh [] or Map per call would re-render forever). */
export const EMPTY_ARR: never[] = [];
export const EMPTY_MAP: ReadonlyMap<string, never> = new Map<string, never>();
