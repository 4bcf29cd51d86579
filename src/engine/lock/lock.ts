/**
 * The heavyweight lock manager: relation, tuple, transactionid and virtualxid locks, as pg_locks shows them.
 *
 * Lock modes and their conflicts are PostgreSQL's (the table in lock.c / "Explicit Locking" in the docs).
 * Two facts matter most for a learner:
 *  - Every transaction holds an ExclusiveLock on its own transaction id for its whole life. A writer that meets a
 *    row version being changed by another transaction waits for a ShareLock on *that transaction's id*, not on
 *    the row: the wait ends exactly when the other transaction commits or aborts.
 *  - While it waits it holds a heavyweight `tuple` lock on the row, so a third writer queues behind it.
 * A request waits when it conflicts with a granted lock of another owner or with an earlier waiter; on release,
 * waiters are granted in queue order (ProcLockWakeup).
 *
 * Worked example (engine; the scenario of deadlock.ts). Rows 123 at (0,1) and 124 at (0,2), xid 724. s1 (xid 725)
 * updated 123, s2 (xid 726) updated 124, then s1 tries to update 124. pg_locks, without relation and virtualxid
 * rows:
 *
 *     locktype       target   mode           granted  session
 *     transactionid  725      ExclusiveLock  t        s1     (its own xid, from its first write)
 *     transactionid  726      ExclusiveLock  t        s2
 *     tuple          (0,2)    ExclusiveLock  t        s1     (taken before waiting: the next writer queues here)
 *     transactionid  726      ShareLock      f        s1     (s1 waits for s2's transaction to end)
 *
 * When s2 also waits for 725 the two waits form a cycle, and deadlock.ts decides who gives up.
 *
 * Mirrors: src/backend/storage/lmgr/lock.c, lmgr.c (XactLockTableWait), proc.c (ProcLockWakeup) and the
 * lmgr README. Simplifications: no fast-path locks, no lock partitions, no advisory locks; the deadlock
 * detector (deadlock.ts) follows hard edges only (no wait-queue rearrangement).
 */
export const LOCK_MODES = [
  '', 'AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock',
  'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock',
] as const;
export const enum LockMode {
  AccessShare = 1, RowShare, RowExclusive, ShareUpdateExclusive, Share, ShareRowExclusive, Exclusive, AccessExclusive,
}
/** CONFLICTS[m] is a bitmask of the modes that conflict with m (bit i = mode i). */
const b = (...m: number[]) => m.reduce((a, x) => a | (1 << x), 0);
const CONFLICTS = [
  0,
  b(8),
  b(7, 8),
  b(5, 6, 7, 8),
  b(4, 5, 6, 7, 8),
  b(3, 4, 6, 7, 8),
  b(3, 4, 5, 6, 7, 8),
  b(2, 3, 4, 5, 6, 7, 8),
  b(1, 2, 3, 4, 5, 6, 7, 8),
];
export const conflicts = (a: LockMode, bMode: LockMode) => (CONFLICTS[a]! & (1 << bMode)) !== 0;

export type LockTag =
  | { type: 'relation'; rel: number }
  | { type: 'tuple'; rel: number; blk: number; off: number }
  | { type: 'transactionid'; xid: number }
  | { type: 'virtualxid'; vxid: string };

export function tagKey(t: LockTag): string {
  switch (t.type) {
    case 'relation': return `r${t.rel}`;
    case 'tuple': return `t${t.rel}/${t.blk}/${t.off}`;
    case 'transactionid': return `x${t.xid}`;
    case 'virtualxid': return `v${t.vxid}`;
  }
}

/** DescribeLockTag(): how PostgreSQL names a lock object in messages. */
export function describeTag(t: LockTag, dbOid: number): string {
  switch (t.type) {
    case 'relation': return `relation ${t.rel} of database ${dbOid}`;
    case 'tuple': return `tuple (${t.blk},${t.off}) of relation ${t.rel} of database ${dbOid}`;
    case 'transactionid': return `transaction ${t.xid}`;
    case 'virtualxid': return `virtual transaction ${t.vxid}`;
  }
}

interface Waiter { owner: number; mode: LockMode; since: number }
interface Lock { tag: LockTag; holders: Map<number, number[]>; waiters: Waiter[] }

export type AcquireResult = 'granted' | 'waiting';

export interface PgLocksRow {
  locktype: string; relation: number | null; page: number | null; tuple: number | null;
  virtualxid: string | null; transactionid: number | null; owner: number; mode: string; granted: boolean;
  waitstart: number | null;
}

export class LockManager {
  private locks = new Map<string, Lock>();
  /** per owner: the keys of the locks it holds, so releaseAll is cheap */
  private held = new Map<number, Set<string>>();
  /** per owner: the lock it waits for (a backend waits for at most one lock) */
  private waiting = new Map<number, { key: string; mode: LockMode }>();

  acquire(owner: number, tag: LockTag, mode: LockMode, now: number): AcquireResult {
    const key = tagKey(tag);
    let lock = this.locks.get(key);
    if (!lock) { lock = { tag, holders: new Map(), waiters: [] }; this.locks.set(key, lock); }
    const mine = lock.holders.get(owner);
    if (mine && mine[mode]) { mine[mode]++; return 'granted'; }
    if (this.conflictsWithOthers(lock, owner, mode) || lock.waiters.some((w) => w.owner !== owner && conflicts(mode, w.mode))) {
      lock.waiters.push({ owner, mode, since: now });
      this.waiting.set(owner, { key, mode });
      return 'waiting';
    }
    this.grant(lock, key, owner, mode);
    return 'granted';
  }

  private conflictsWithOthers(lock: Lock, owner: number, mode: LockMode): boolean {
    for (const [o, modes] of lock.holders) {
      if (o === owner) continue;
      for (let m = 1; m <= 8; m++) if (modes[m] && conflicts(mode, m)) return true;
    }
    return false;
  }

  private grant(lock: Lock, key: string, owner: number, mode: LockMode) {
    let modes = lock.holders.get(owner);
    if (!modes) { modes = [0, 0, 0, 0, 0, 0, 0, 0, 0]; lock.holders.set(owner, modes); }
    modes[mode]!++;
    let set = this.held.get(owner);
    if (!set) { set = new Set(); this.held.set(owner, set); }
    set.add(key);
  }

  /** Release one lock (LockRelease). Returns the owners whose waits were granted as a result. */
  release(owner: number, tag: LockTag, mode: LockMode): number[] {
    const key = tagKey(tag);
    const lock = this.locks.get(key);
    const modes = lock?.holders.get(owner);
    if (!lock || !modes || !modes[mode]) return [];
    modes[mode]!--;
    if (modes.every((c) => c === 0)) {
      lock.holders.delete(owner);
      this.held.get(owner)?.delete(key);
    }
    return this.wakeup(lock, key);
  }

  /** Release everything an owner holds (LockReleaseAll at transaction end). */
  releaseAll(owner: number): number[] {
    const woken: number[] = [];
    this.cancelWait(owner);
    const keys = this.held.get(owner);
    if (!keys) return woken;
    this.held.delete(owner);
    for (const key of keys) {
      const lock = this.locks.get(key);
      if (!lock) continue;
      lock.holders.delete(owner);
      woken.push(...this.wakeup(lock, key));
    }
    return woken;
  }

  /** Remove a pending wait (the waiter was cancelled or chosen as deadlock victim). */
  cancelWait(owner: number): number[] {
    const w = this.waiting.get(owner);
    if (!w) return [];
    this.waiting.delete(owner);
    const lock = this.locks.get(w.key);
    if (!lock) return [];
    lock.waiters = lock.waiters.filter((x) => x.owner !== owner);
    return this.wakeup(lock, w.key);
  }

  /** ProcLockWakeup: grant queued requests that no longer conflict, in queue order. */
  private wakeup(lock: Lock, key: string): number[] {
    const woken: number[] = [];
    const still: Waiter[] = [];
    for (const w of lock.waiters) {
      const blockedByHolder = this.conflictsWithOthers(lock, w.owner, w.mode);
      const blockedByAhead = still.some((a) => conflicts(w.mode, a.mode));
      if (!blockedByHolder && !blockedByAhead) {
        this.grant(lock, key, w.owner, w.mode);
        this.waiting.delete(w.owner);
        woken.push(w.owner);
      } else still.push(w);
    }
    lock.waiters = still;
    if (lock.holders.size === 0 && lock.waiters.length === 0) this.locks.delete(key);
    return woken;
  }

  clone(): LockManager {
    const c = new LockManager();
    for (const [k, l] of this.locks) {
      const holders = new Map<number, number[]>();
      for (const [o, m] of l.holders) holders.set(o, m.slice());
      c.locks.set(k, { tag: l.tag, holders, waiters: l.waiters.map((w) => ({ ...w })) });
    }
    for (const [o, s] of this.held) c.held.set(o, new Set(s));
    for (const [o, w] of this.waiting) c.waiting.set(o, { ...w });
    return c;
  }

  waitOf(owner: number): { tag: LockTag; mode: LockMode; since: number } | undefined {
    const w = this.waiting.get(owner);
    if (!w) return undefined;
    const lock = this.locks.get(w.key)!;
    const since = lock.waiters.find((x) => x.owner === owner)!.since;
    return { tag: lock.tag, mode: w.mode, since };
  }

  /** Owners holding a lock that conflicts with `owner`'s pending request (the hard edges of the wait-for graph). */
  blockers(owner: number): number[] {
    const w = this.waiting.get(owner);
    if (!w) return [];
    const lock = this.locks.get(w.key)!;
    const out: number[] = [];
    for (const [o, modes] of lock.holders) {
      if (o === owner) continue;
      for (let m = 1; m <= 8; m++) if (modes[m] && conflicts(w.mode, m)) { out.push(o); break; }
    }
    return out;
  }

  /** The locks an owner holds, each with its modes (for the trace's "releases its locks"). */
  heldBy(owner: number): { tag: LockTag; modes: LockMode[] }[] {
    const out: { tag: LockTag; modes: LockMode[] }[] = [];
    for (const key of this.held.get(owner) ?? []) {
      const lock = this.locks.get(key);
      const m = lock?.holders.get(owner);
      if (lock && m) out.push({ tag: lock.tag, modes: m.map((c, i) => (c ? i : 0)).filter((i) => i > 0) as LockMode[] });
    }
    return out;
  }

  holds(owner: number, tag: LockTag, mode: LockMode): boolean {
    return !!this.locks.get(tagKey(tag))?.holders.get(owner)?.[mode];
  }

  /** A pg_locks-shaped listing, grouped by owner in grant order. */
  view(): PgLocksRow[] {
    const rows: PgLocksRow[] = [];
    for (const lock of this.locks.values()) {
      const t = lock.tag;
      const base = {
        locktype: t.type,
        relation: t.type === 'relation' || t.type === 'tuple' ? t.rel : null,
        page: t.type === 'tuple' ? t.blk : null,
        tuple: t.type === 'tuple' ? t.off : null,
        virtualxid: t.type === 'virtualxid' ? t.vxid : null,
        transactionid: t.type === 'transactionid' ? t.xid : null,
      };
      for (const [owner, modes] of lock.holders)
        for (let m = 1; m <= 8; m++) if (modes[m]) rows.push({ ...base, owner, mode: LOCK_MODES[m]!, granted: true, waitstart: null });
      for (const w of lock.waiters) rows.push({ ...base, owner: w.owner, mode: LOCK_MODES[w.mode]!, granted: false, waitstart: w.since });
    }
    return rows.sort((a, b2) => a.owner - b2.owner || Number(b2.granted) - Number(a.granted));
  }
}
