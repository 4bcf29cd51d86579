/** The worker thread behind enginepool.ts's ThreadedEngine: runs engine-side requests one at a time. */
import { parentPort } from 'node:worker_threads';
import { initParser } from '../../../src/engine/sql/parser.js';
import { engineRunWatched, engineSchedule } from './enginerun.js';
import type { FuzzCase } from './model.js';

type Msg = { id: number } & ({ kind: 'schedule'; c: FuzzCase; seed: number; index: number } | { kind: 'run'; spec: string });

const ready = initParser();
// tell the pool the thread has loaded (tsx compiling the engine can take seconds on a busy machine): its timeout
// starts only after this
void ready.then(() => parentPort!.postMessage({ ready: true }));
parentPort!.on('message', async (m: Msg) => {
  try {
    await ready;
    const value = m.kind === 'schedule' ? await engineSchedule(m.c, m.seed, m.index) : await engineRunWatched(m.spec);
    parentPort!.postMessage({ id: m.id, value });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: e instanceof Error ? `${e.message}` : String(e) });
  }
});
