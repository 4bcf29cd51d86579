/**
 * Time travel in the engine host: knowing which log prefixes are the same, and keeping copies of the engine along
 * the log so that a jump replays only a bounded stretch of it.
 *
 * Prefixes. The store sends the whole log (root → target) with every jump. Two logs share a prefix exactly when
 * their entries are equal one by one; comparing them entry by entry for every checkpoint made each jump cost
 * (checkpoints × steps). Instead every prefix gets a number, the same number for the same prefix: a trie of entries
 * flattened into one Map ("parent prefix number, entry key" → prefix number). Numbering a log is one Map look-up per
 * entry, and "is this checkpoint on the log?" is one comparison.
 *
 * Checkpoints. A checkpoint is a full copy of the engine (Engine.clone: heap, indexes, WAL, commit log ...), so
 * taking one costs time and memory in proportion to the engine's size, which grows with the log (the WAL alone
 * gains a few records per step). Taking one every 16 steps made replaying n steps cost n²/16 copies' worth, and
 * keeping only the last 40 left the start of a long log uncovered: a jump to the middle replayed half of it.
 * The policy here:
 *  - while a log is replayed (import, reload, a jump), a checkpoint is taken once the replay work since the last
 *    one (steps, and WAL records for bulk statements) is at least COPY_RATIO times the size of the copy: copying
 *    never costs more than a fixed share of replaying, so replaying stays linear in the log; after a 10,000-row
 *    INSERT a copy is taken at once;
 *  - while a person runs statements one at a time, every MIN_SPACING steps: one copy per 16 statements is
 *    unnoticeable at that pace, and stepping back a little then replays at most 16 statements;
 *  - at most MAX_CHECKPOINTS copies and MEMORY_BUDGET size units are kept; when there are too many, the copy whose
 *    removal leaves the smallest gap is dropped, so what stays is spread over the whole log — except the newest and
 *    the RECENT deepest, which stay: the next jump is most likely near where the log is being extended;
 *  - a jump restarts from the deepest checkpoint on its log at or before the first step whose result is wanted.
 * With a 50,000-step log a jump replays a few thousand steps at most, instead of up to 25,000.
 *
 * Size units: one WAL record or one heap tuple or one index entry (what Engine.clone copies). Work units: the same
 * scale — a statement costs about as much to replay as copying STEP_WORK such items (measured: ~30 µs per
 * single-row UPDATE, ~0.13 µs per copied item), a WAL record written while replaying about WAL_WORK.
 *
 * Nothing here has a PostgreSQL counterpart (the nearest thing is a base backup plus WAL replay to a target).
 */
import type { Engine } from '../engine/engine.js';
import type { LogEntry, SessionOutcome } from '../shared/api';

/** A log entry's identity: every field the host reads when it applies it, and nothing else. */
export function entryKey(e: LogEntry): string {
  switch (e?.kind) {
    case 'sql': return typeof e.sql === 'string' && typeof e.session === 'string' ? `q${e.cancelAfterChunks ?? ''}\u0000${e.session}\u0000${e.sql}` : JSON.stringify(e);
    case 'advance': return `a${e.ms}`;
    case 'wait': return `w${e.session}`;
    case 'server': return `v${e.action}\u0000${e.arg ?? ''}`;
    default: return `?${JSON.stringify(e)}`;
  }
}

/** Numbers for log prefixes: 0 is the empty log; the same prefix always gets the same number. */
export class LogPrefixes {
  private ids = new Map<string, number>();
  private count = 1;
  /** the number of the prefix `parent` followed by an entry with this key */
  child(parent: number, key: string): number {
    const k = `${parent}\u0001${key}`;
    let id = this.ids.get(k);
    if (id === undefined) { id = this.count++; this.ids.set(k, id); }
    return id;
  }
  /** numbers of every prefix of the log: out[i] is log.slice(0, i) */
  path(keys: readonly string[]): number[] {
    const out = new Array<number>(keys.length + 1);
    out[0] = 0;
    for (let i = 0; i < keys.length; i++) out[i + 1] = this.child(out[i]!, keys[i]!);
    return out;
  }
  get size() { return this.count; }
}

export interface Checkpoint {
  /** the prefix number and length of the log the copy has applied */
  prefix: number;
  depth: number;
  engine: Engine;
  /** each session's latest outcome at that point (what the result panes show) */
  latest: Map<string, SessionOutcome>;
  /** size units */
  size: number;
}

export const MIN_SPACING = 16;
export const COPY_RATIO = 2;
export const STEP_WORK = 250;
export const WAL_WORK = 25;
export const MAX_CHECKPOINTS = 48;
export const RECENT = 8;
/** about 100 MB of copies (~40 bytes per size unit, measured) */
export const MEMORY_BUDGET = 2_500_000;

/** The size of a copy of this engine, in size units. */
export function engineSize(e: Engine): number {
  let n = e.wal.count;
  for (const t of e.catalog.tables.values()) {
    n += t.heap.tupleCount;
    for (const i of t.indexes) n += i.count;
  }
  return n;
}

export class Checkpoints {
  /** ordered by depth */
  private list: Checkpoint[] = [];
  /** copies made since the host started, and their total size (tests: copying must grow linearly with the log) */
  copies = 0;
  copied = 0;

  clear() { this.list = []; }
  get all(): readonly Checkpoint[] { return this.list; }

  /** Is a checkpoint due after this much work since the last one (or since the engine started)? */
  due(stepsSince: number, workSince: number, size: number, o: { bulk: boolean; interactive: boolean }): boolean {
    return (stepsSince >= MIN_SPACING || o.bulk) && (o.interactive || workSince >= COPY_RATIO * size);
  }

  /** The deepest checkpoint on this log (path = its prefix numbers) at or before `maxDepth`. */
  best(path: readonly number[], maxDepth: number): Checkpoint | null {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const c = this.list[i]!;
      if (c.depth <= maxDepth && path[c.depth] === c.prefix) return c;
    }
    return null;
  }

  has(prefix: number): boolean { return this.list.some((c) => c.prefix === prefix); }

  add(c: Checkpoint) {
    this.copies++;
    this.copied += c.size;
    let i = this.list.length;
    while (i > 0 && this.list[i - 1]!.depth > c.depth) i--;
    this.list.splice(i, 0, c);
    this.thin(c);
  }

  /** Drop copies until the count and the memory are within bounds, keeping the rest spread over the log. */
  private thin(newest: Checkpoint) {
    let total = 0;
    for (const c of this.list) total += c.size;
    while (this.list.length > 1 && (this.list.length > MAX_CHECKPOINTS || total > MEMORY_BUDGET)) {
      let victim = -1, smallest = Infinity;
      for (let i = 0; i < this.list.length - RECENT; i++) {
        if (this.list[i] === newest) continue;
        const before = i > 0 ? this.list[i - 1]!.depth : 0;
        const after = this.list[i + 1]!.depth;
        // the gap left behind; among equal gaps the bigger copy goes first
        const gap = after - before - this.list[i]!.size / (MEMORY_BUDGET + 1);
        if (gap < smallest) { smallest = gap; victim = i; }
      }
      if (victim < 0) break;
      total -= this.list[victim]!.size;
      this.list.splice(victim, 1);
    }
  }
}
