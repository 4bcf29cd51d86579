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
 * waiters are granted in queue order (ProcLockWakeup). Where a new waiter joins the queue is ProcSleep's rule: at
 * the end, unless it already holds a mode of this lock that an earlier waiter needs — then just ahead of the first
 * such waiter, and granted at once if nothing granted to others or queued before that point conflicts; if that
 * waiter in turn holds a mode the newcomer needs, the two deadlock and the newcomer fails at once
 * ('deadlock', without waiting for deadlock_timeout: RememberSimpleDeadLock).
 *
 * Advisory locks (pg_advisory_lock & co., lock/advisory.ts) are locks on an application-chosen key; a backend can
 * hold one at session level (kept across transactions until unlocked) and at transaction level at the same time.
 * The session-level part of each owner's holding is counted separately so that LockReleaseAll at transaction end
 * keeps it (PostgreSQL: the locallock's session owner).
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
 * lmgr README. Fast-path locks (fastpath.ts) are kept here too, flagged. Simplifications: no lock partitions, no
 * lock groups (parallel query); the wait
 * queue of a lock is an array, reordered by the deadlock detector (deadlock.ts) through setQueue.
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
  | { type: 'virtualxid'; vxid: string }
  /** SET_LOCKTAG_ADVISORY: field2 (classid), field3 (objid) and field4 (objsubid: 1 for a bigint key, 2 for two int4 keys) */
  | { type: 'advisory'; classid: number; objid: number; objsubid: 1 | 2 };

export function tagKey(t: LockTag): string {
  switch (t.type) {
    case 'relation': return `r${t.rel}`;
    case 'tuple': return `t${t.rel}/${t.blk}/${t.off}`;
    case 'transactionid': return `x${t.xid}`;
    case 'virtualxid': return `v${t.vxid}`;
    case 'advisory': return `a${t.classid}/${t.objid}/${t.objsubid}`;
  }
}

/** DescribeLockTag(): how PostgreSQL names a lock object in messages. */
export function describeTag(t: LockTag, dbOid: number): string {
  switch (t.type) {
    case 'relation': return `relation ${t.rel} of database ${dbOid}`;
    case 'tuple': return `tuple (${t.blk},${t.off}) of relation ${t.rel} of database ${dbOid}`;
    case 'transactionid': return `transaction ${t.xid}`;
    case 'virtualxid': return `virtual transaction ${t.vxid}`;
    case 'advisory': return `advisory lock [${dbOid},${t.classid},${t.objid},${t.objsubid}]`;
  }
}

/** session: the hold, once granted, is session-level (an advisory lock taken by pg_advisory_lock) */
interface Waiter { owner: number; mode: LockMode; since: number; session?: boolean }
/** holders: per owner, a count per mode (index = LockMode); sessionHolds: the session-level part of those counts */
interface Lock { tag: LockTag; holders: Map<number, number[]>; waiters: Waiter[]; sessionHolds?: Map<number, number[]> }

import { FastPathTable } from './fastpath.js';
import { SHARED_CATALOGS } from '../catalog/catalocks.js';

/**
 * What a request comes to (LockAcquire + ProcSleep): granted now; queued; or, with wait = false, not granted and
 * not queued (NOWAIT, pg_try_advisory_lock: LOCKACQUIRE_NOT_AVAIL); or an immediate deadlock with `with`, a
 * waiter ahead that needs what the requester holds and holds what it wants.
 */
export type AcquireResult = 'granted' | 'waiting' | 'not-available' | { deadlock: number };

export interface PgLocksRow {
  locktype: string; relation: number | null; page: number | null; tuple: number | null;
  virtualxid: string | null; transactionid: number | null;
  classid: number | null; objid: number | null; objsubid: number | null;
  owner: number; mode: string; granted: boolean;
  /** held in the owner's fast-path slots (fastpath.ts), not the shared lock table */
  fastpath: boolean;
  waitstart: number | null;
}

const NO_MODES = () => [0, 0, 0, 0, 0, 0, 0, 0, 0];

export class LockManager {
  private locks = new Map<string, Lock>();
  /** per owner: the keys of the locks it holds, so releaseAll is cheap */
  private held = new Map<number, Set<string>>();
  /** per owner: the lock it waits for (a backend waits for at most one lock) */
  private waiting = new Map<number, { key: string; mode: LockMode }>();
  /** which holds sit in their backend's fast-path slots */
  private fp = new FastPathTable();

  /**
   * LockAcquire for `owner`. With `wait` false a request that would have to wait is refused instead
   * ('not-available'); `session` marks the hold as session-level (advisory locks taken by pg_advisory_lock).
   */
  acquire(owner: number, tag: LockTag, mode: LockMode, now: number, opts: { wait?: boolean; session?: boolean } = {}): AcquireResult {
    const key = tagKey(tag);
    let lock = this.locks.get(key);
    if (!lock) { lock = { tag, holders: new Map(), waiters: [] }; this.locks.set(key, lock); }
    // a strong relation lock, or a wait for someone's virtual xid, first moves the fast-path holds into this table
    if ((tag.type === 'relation' && mode >= LockMode.ShareUpdateExclusive) || (tag.type === 'virtualxid' && mode !== LockMode.Exclusive)) this.fp.transfer(key);
    const mine = lock.holders.get(owner);
    if (mine && mine[mode]) { this.grant(lock, key, owner, mode, !!opts.session); return 'granted'; }
    if (!this.conflictsWithOthers(lock, owner, mode) && !lock.waiters.some((w) => w.owner !== owner && conflicts(mode, w.mode))) {
      this.grantNew(lock, key, owner, mode, !!opts.session);
      return 'granted';
    }
    if (opts.wait === false) { this.dropIfUnused(lock, key); return 'not-available'; }
    // ProcSleep: where do I go in the queue?
    let at = lock.waiters.length;
    if (mine && mine.some((c) => c > 0)) {
      let ahead = 0;
      for (let i = 0; i < lock.waiters.length; i++) {
        const w = lock.waiters[i]!;
        const his = lock.holders.get(w.owner);
        if (this.conflictsWithMask(w.mode, mine)) { // must he wait for me?
          if (his && this.conflictsWithMask(mode, his)) return { deadlock: w.owner }; // must I wait for him? deadlock
          if ((CONFLICTS[mode]! & ahead) === 0 && !this.conflictsWithOthers(lock, owner, mode)) {
            this.grantNew(lock, key, owner, mode, !!opts.session);
            return 'granted';
          }
          at = i;
          break;
        }
        ahead |= 1 << w.mode;
      }
    }
    lock.waiters.splice(at, 0, opts.session ? { owner, mode, since: now, session: true } : { owner, mode, since: now });
    this.waiting.set(owner, { key, mode });
    return 'waiting';
  }

  private conflictsWithMask(mode: LockMode, counts: number[]): boolean {
    for (let m = 1; m <= 8; m++) if (counts[m] && conflicts(mode, m)) return true;
    return false;
  }

  /** ConditionalLockAcquire's test for a backend holding nothing: would `mode` be granted at once? */
  wouldGrant(tag: LockTag, mode: LockMode): boolean {
    const lock = this.locks.get(tagKey(tag));
    if (!lock) return true;
    return !this.conflictsWithOthers(lock, -1, mode) && !lock.waiters.some((w) => conflicts(mode, w.mode));
  }

  private conflictsWithOthers(lock: Lock, owner: number, mode: LockMode): boolean {
    for (const [o, modes] of lock.holders) {
      if (o === owner) continue;
      if (this.conflictsWithMask(mode, modes)) return true;
    }
    return false;
  }

  private dropIfUnused(lock: Lock, key: string) {
    if (lock.holders.size === 0 && lock.waiters.length === 0) this.locks.delete(key);
  }

  /**
   * A request granted without waiting: a weak relation lock with no strong lock held or awaited on the relation
   * goes into a free fast-path slot (EligibleForRelationFastPath), a transaction's own virtual xid lock always.
   */
  private grantNew(lock: Lock, key: string, owner: number, mode: LockMode, session: boolean) {
    this.grant(lock, key, owner, mode, session);
    if (session) return;
    if (lock.tag.type === 'virtualxid' && mode === LockMode.Exclusive) { this.fp.grantVxid(owner, key, mode); return; }
    if (lock.tag.type !== 'relation' || mode > LockMode.RowExclusive || SHARED_CATALOGS.has(lock.tag.rel)) return;
    let strong = lock.waiters.some((w) => w.mode >= LockMode.ShareUpdateExclusive);
    for (const m of lock.holders.values()) {
      if (strong) break;
      for (let i = LockMode.ShareUpdateExclusive; i < m.length; i++) if (m[i]! > 0) { strong = true; break; }
    }
    if (!strong) this.fp.grantRelation(owner, key, mode);
  }

  private grant(lock: Lock, key: string, owner: number, mode: LockMode, session = false) {
    let modes = lock.holders.get(owner);
    if (!modes) { modes = NO_MODES(); lock.holders.set(owner, modes); }
    modes[mode]!++;
    if (session) {
      lock.sessionHolds ??= new Map();
      let sm = lock.sessionHolds.get(owner);
      if (!sm) { sm = NO_MODES(); lock.sessionHolds.set(owner, sm); }
      sm[mode]!++;
    }
    let set = this.held.get(owner);
    if (!set) { set = new Set(); this.held.set(owner, set); }
    set.add(key);
  }

  /**
   * Release one hold (LockRelease); `session` releases a session-level one. Returns the owners whose waits were
   * granted as a result, or null when there was no such hold to release (PostgreSQL's "you don't own a lock").
   */
  releaseHold(owner: number, tag: LockTag, mode: LockMode, session = false): number[] | null {
    const key = tagKey(tag);
    const lock = this.locks.get(key);
    const modes = lock?.holders.get(owner);
    if (!lock || !modes || !modes[mode]) return null;
    const sm = lock.sessionHolds?.get(owner);
    const sessionCount = sm?.[mode] ?? 0;
    if (session ? sessionCount === 0 : modes[mode]! - sessionCount === 0) return null;
    modes[mode]!--;
    if (modes[mode] === 0) this.fp.ungrant(owner, key, mode);
    if (session) { sm![mode]!--; if (sm!.every((c) => c === 0)) lock.sessionHolds!.delete(owner); }
    if (modes.every((c) => c === 0)) {
      lock.holders.delete(owner);
      this.held.get(owner)?.delete(key);
    }
    return this.wakeup(lock, key);
  }

  /** Release one lock (LockRelease). Returns the owners whose waits were granted as a result. */
  release(owner: number, tag: LockTag, mode: LockMode): number[] {
    return this.releaseHold(owner, tag, mode) ?? [];
  }

  /**
   * Release everything an owner holds at transaction level (LockReleaseAll at transaction end); its session-level
   * holds stay. With `sessionToo` (the backend exits) they go as well.
   */
  releaseAll(owner: number, sessionToo = false): number[] {
    const woken: number[] = [];
    woken.push(...this.cancelWait(owner));
    const keys = this.held.get(owner);
    if (!keys) return woken;
    for (const key of [...keys]) {
      const lock = this.locks.get(key);
      if (!lock) { keys.delete(key); continue; }
      const sm = lock.sessionHolds?.get(owner);
      if (sm && !sessionToo) {
        const modes = lock.holders.get(owner)!;
        if (modes.every((c, m) => c === sm[m])) continue; // only session-level holds: nothing to release
        lock.holders.set(owner, sm.slice());
      } else {
        lock.holders.delete(owner);
        lock.sessionHolds?.delete(owner);
        keys.delete(key);
        this.fp.releaseKeys(owner, [key]);
      }
      woken.push(...this.wakeup(lock, key));
    }
    if (keys.size === 0) this.held.delete(owner);
    return woken;
  }

  /** The session-level advisory locks an owner holds, each with its mode and count (pg_advisory_unlock_all). */
  sessionLocks(owner: number): { tag: LockTag; mode: LockMode; count: number }[] {
    const out: { tag: LockTag; mode: LockMode; count: number }[] = [];
    for (const key of this.held.get(owner) ?? []) {
      const lock = this.locks.get(key);
      const sm = lock?.sessionHolds?.get(owner);
      if (!lock || !sm) continue;
      for (let m = 1; m <= 8; m++) if (sm[m]) out.push({ tag: lock.tag, mode: m as LockMode, count: sm[m]! });
    }
    return out;
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
        this.grant(lock, key, w.owner, w.mode, !!w.session);
        this.waiting.delete(w.owner);
        woken.push(w.owner);
      } else still.push(w);
    }
    lock.waiters = still;
    this.dropIfUnused(lock, key);
    return woken;
  }

  clone(): LockManager {
    const c = new LockManager();
    for (const [k, l] of this.locks) {
      const holders = new Map<number, number[]>();
      for (const [o, m] of l.holders) holders.set(o, m.slice());
      const copy: Lock = { tag: l.tag, holders, waiters: l.waiters.map((w) => ({ ...w })) };
      if (l.sessionHolds) { copy.sessionHolds = new Map(); for (const [o, m] of l.sessionHolds) copy.sessionHolds.set(o, m.slice()); }
      c.locks.set(k, copy);
    }
    for (const [o, s] of this.held) c.held.set(o, new Set(s));
    for (const [o, w] of this.waiting) c.waiting.set(o, { ...w });
    c.fp = this.fp.clone();
    return c;
  }

  waitOf(owner: number): { tag: LockTag; mode: LockMode; since: number } | undefined {
    const w = this.waiting.get(owner);
    if (!w) return undefined;
    const lock = this.locks.get(w.key)!;
    const since = lock.waiters.find((x) => x.owner === owner)!.since;
    return { tag: lock.tag, mode: w.mode, since };
  }

  /** The key of the lock `owner` waits for (deadlock.ts identifies locks by it), or undefined. */
  waitKey(owner: number): string | undefined { return this.waiting.get(owner)?.key; }

  /** A lock's granted holds (owner → count per mode) and its wait queue in order, for the deadlock detector. */
  lockState(key: string): { tag: LockTag; holders: ReadonlyMap<number, readonly number[]>; queue: readonly { owner: number; mode: LockMode }[] } | undefined {
    const l = this.locks.get(key);
    return l && { tag: l.tag, holders: l.holders, queue: l.waiters };
  }

  /**
   * Put a lock's waiters in a new order (the deadlock detector's rearrangement of a soft deadlock), then wake those
   * who can go now (ProcLockWakeup). `order` must be a permutation of the queue's owners.
   */
  setQueue(key: string, order: number[]): number[] {
    const l = this.locks.get(key);
    if (!l) return [];
    const by = new Map(l.waiters.map((w) => [w.owner, w]));
    if (order.length !== l.waiters.length || order.some((o) => !by.has(o))) throw new Error('setQueue: not a permutation of the wait queue');
    l.waiters = order.map((o) => by.get(o)!);
    return this.wakeup(l, key);
  }

  /** Owners holding a lock that conflicts with `owner`'s pending request (the hard edges of the wait-for graph). */
  blockers(owner: number): number[] {
    const w = this.waiting.get(owner);
    if (!w) return [];
    const lock = this.locks.get(w.key)!;
    const out: number[] = [];
    for (const [o, modes] of lock.holders) {
      if (o === owner) continue;
      if (this.conflictsWithMask(w.mode, modes)) out.push(o);
    }
    return out;
  }

  /** Waiters ahead of `owner` in its lock's queue whose requests conflict with its own (the soft edges). */
  softBlockers(owner: number): number[] {
    const w = this.waiting.get(owner);
    if (!w) return [];
    const lock = this.locks.get(w.key)!;
    const out: number[] = [];
    for (const x of lock.waiters) {
      if (x.owner === owner) break;
      if (conflicts(w.mode, x.mode)) out.push(x.owner);
    }
    return out;
  }

  /** The locks an owner holds at transaction level, each with its modes (what releaseAll lets go: the trace's
   *  "releases its locks"; session-level advisory holds stay and are not listed). */
  heldBy(owner: number): { tag: LockTag; modes: LockMode[] }[] {
    const out: { tag: LockTag; modes: LockMode[] }[] = [];
    for (const key of this.held.get(owner) ?? []) {
      const lock = this.locks.get(key);
      const m = lock?.holders.get(owner);
      const sm = lock?.sessionHolds?.get(owner);
      const modes = (m ?? []).map((c, i) => (c - (sm?.[i] ?? 0) > 0 ? i : 0)).filter((i) => i > 0) as LockMode[];
      if (lock && modes.length) out.push({ tag: lock.tag, modes });
    }
    return out;
  }

  holds(owner: number, tag: LockTag, mode: LockMode): boolean {
    return !!this.locks.get(tagKey(tag))?.holders.get(owner)?.[mode];
  }

  /**
   * A pg_locks-shaped listing in pg_lock_status's order: each backend's fast-path holds (slot by slot, the virtual
   * xid last), then the shared lock table grouped by owner in grant order.
   */
  view(): PgLocksRow[] {
    const rows: PgLocksRow[] = [];
    const fast: { row: PgLocksRow; slot: number; mode: number }[] = [];
    for (const [key, lock] of this.locks) {
      const t = lock.tag;
      const base = {
        locktype: t.type,
        relation: t.type === 'relation' || t.type === 'tuple' ? t.rel : null,
        page: t.type === 'tuple' ? t.blk : null,
        tuple: t.type === 'tuple' ? t.off : null,
        virtualxid: t.type === 'virtualxid' ? t.vxid : null,
        transactionid: t.type === 'transactionid' ? t.xid : null,
        classid: t.type === 'advisory' ? t.classid : null,
        objid: t.type === 'advisory' ? t.objid : null,
        objsubid: t.type === 'advisory' ? t.objsubid : null,
      };
      for (const [owner, modes] of lock.holders) {
        for (let m = 1; m <= 8; m++) {
          if (!modes[m]) continue;
          const fastpath = this.fp.has(owner, key, m);
          const row = { ...base, owner, mode: LOCK_MODES[m]!, granted: true, fastpath, waitstart: null };
          if (fastpath) fast.push({ row, slot: this.fp.slotOf(owner, key)!, mode: m }); else rows.push(row);
        }
      }
      for (const w of lock.waiters) rows.push({ ...base, owner: w.owner, mode: LOCK_MODES[w.mode]!, granted: false, fastpath: false, waitstart: w.since });
    }
    fast.sort((a, b2) => a.row.owner - b2.row.owner || a.slot - b2.slot || a.mode - b2.mode);
    return [...fast.map((f) => f.row), ...rows.sort((a, b2) => a.owner - b2.owner || Number(b2.granted) - Number(a.granted))];
  }
}
