/**
 * The connection to the engine: a comlink proxy of the EngineHost running in a Web Worker.
 * Only the store uses this module.
 */
import { wrap, type Remote } from 'comlink';
import type { EngineApi } from '../shared/api';

export interface EngineClient {
  api: Remote<EngineApi>;
  /** called once if the worker dies (uncaught error) */
  onCrash(cb: (reason: string) => void): void;
  terminate(): void;
}

export function startWorker(): EngineClient {
  const worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'heapscope-engine' });
  let crash: ((r: string) => void) | null = null;
  let crashed = false;
  const die = (reason: string) => { if (!crashed) { crashed = true; crash?.(reason); } };
  worker.addEventListener('error', (e) => die(e.message || 'the engine worker stopped'));
  worker.addEventListener('messageerror', () => die('a message from the engine could not be read'));
  return {
    api: wrap<EngineApi>(worker),
    onCrash: (cb) => { crash = cb; },
    terminate: () => worker.terminate(),
  };
}
