/**
 * Where the fuzzer runs the engine: in-process (unit tests), or in a worker thread that is stopped when a case
 * takes too long.
 *
 * The engine is synchronous; a statement that loops forever inside it (issue 9's fuzzer found one) would
 * freeze the whole fuzzer and every PostgreSQL case waiting on it. In a worker thread the main thread keeps
 * its timers: after ENGINE_TIMEOUT_MS the thread is terminated, a fresh one started, and the case's engine
 * transcript becomes a runner error saying the engine did not finish — a difference like any other.
 */
import { Worker } from 'node:worker_threads';
import type { FuzzCase } from './model.js';
import { RUNNER_ERROR } from './compare.js';
import { engineRunWatched, engineSchedule } from './enginerun.js';

export const ENGINE_TIMEOUT_MS = 5_000;
export const ENGINE_HANG = `${RUNNER_ERROR}the engine did not finish within ${ENGINE_TIMEOUT_MS / 1000} s (an endless loop?)`;

export interface EngineSide {
  /** the engine-guided permutation, or null (the engine cannot complete the case, or hangs) */
  schedule(c: FuzzCase, seed: number, index: number): Promise<string[] | null>;
  run(spec: string): Promise<{ transcript: string; racy: number[] }>;
  close(): Promise<void>;
}

export const inProcessEngine: EngineSide = {
  schedule: (c, seed, index) => engineSchedule(structuredClone(c), seed, index),
  run: engineRunWatched,
  close: async () => {},
};

type Request = { kind: 'schedule'; c: FuzzCase; seed: number; index: number } | { kind: 'run'; spec: string };

/** One worker thread (scripts/lib/fuzz/engineworker.ts), restarted after a timeout. */
export class ThreadedEngine implements EngineSide {
  private worker: Worker | null = null;
  /** resolves when the current thread has loaded the engine (loading is not part of a case's time) */
  private loaded: Promise<void> = Promise.resolve();
  private seq = 0;
  private pending = new Map<number, (v: unknown) => void>();

  private start(): Worker {
    // engineworker.mjs registers tsx in the thread, then imports the TypeScript worker
    const w = new Worker(new URL('./engineworker.mjs', import.meta.url));
    let markLoaded: () => void = () => {};
    this.loaded = new Promise<void>((res) => { markLoaded = res; });
    w.on('message', (m: { id: number; value?: unknown; error?: string; ready?: boolean }) => {
      if (m.ready) { markLoaded(); return; }
      const done = this.pending.get(m.id);
      this.pending.delete(m.id);
      done?.(m.error !== undefined ? { error: m.error } : { value: m.value });
    });
    w.on('error', (e) => {
      markLoaded();
      for (const done of this.pending.values()) done({ error: String(e) });
      this.pending.clear(); this.worker = null;
    });
    w.unref();
    this.worker = w;
    return w;
  }

  private async call<T>(req: Request): Promise<{ value: T } | { error: string } | 'timeout'> {
    const w = this.worker ?? this.start();
    await this.loaded;
    const id = ++this.seq;
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<{ value: T } | { error: string }>((res) => this.pending.set(id, res as (v: unknown) => void));
    const timeout = new Promise<'timeout'>((res) => { timer = setTimeout(() => res('timeout'), ENGINE_TIMEOUT_MS); });
    w.postMessage({ id, ...req });
    const r = await Promise.race([answer, timeout]);
    clearTimeout(timer);
    if (r === 'timeout') {
      this.pending.delete(id);
      this.worker = null;
      await w.terminate();
    }
    return r;
  }

  async schedule(c: FuzzCase, seed: number, index: number): Promise<string[] | null> {
    const r = await this.call<string[] | null>({ kind: 'schedule', c, seed, index });
    if (r === 'timeout') return null;
    if ('error' in r) throw new Error(`engine worker: ${r.error}`);
    return r.value;
  }

  async run(spec: string): Promise<{ transcript: string; racy: number[] }> {
    const r = await this.call<{ transcript: string; racy: number[] }>({ kind: 'run', spec });
    if (r === 'timeout') return { transcript: ENGINE_HANG, racy: [] };
    if ('error' in r) return { transcript: `${RUNNER_ERROR}engine worker: ${r.error}`, racy: [] };
    return r.value;
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
  }
}
