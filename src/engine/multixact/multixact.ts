/**
 * MultiXacts: when more than one transaction has an interest in a row's xmax.
 *
 * t_xmax holds one transaction id. When a second transaction locks a row somebody still holds (two FOR SHARE
 * lockers), or updates a row somebody holds FOR KEY SHARE (an UPDATE that keeps the key does not conflict with
 * it), or a savepoint updates a row its own parent locked, PostgreSQL creates a MultiXact: a new id standing for a
 * set of (xid, status) members, and writes it into t_xmax with HEAP_XMAX_IS_MULTI. At most one member is an
 * updater (status NoKeyUpdate or Update); the others are lockers (ForKeyShare, ForShare, ForNoKeyUpdate,
 * ForUpdate). If there is no updater, the tuple also carries HEAP_XMAX_LOCK_ONLY.
 *
 *     s1: SELECT * FROM t WHERE k = 1 FOR KEY SHARE;   -- t_xmax = s1's xid, LOCK_ONLY | KEYSHR_LOCK
 *     s2: UPDATE t SET v = v + 1 WHERE k = 1;           -- no wait: t_xmax = MultiXact {s1 keyshare, s2 update}
 *
 * Visibility asks the updater member (HeapTupleGetUpdateXid) where it would ask a plain xmax; waiting asks which
 * members conflict with the lock one wants. A MultiXact is never changed: adding a member creates a new one
 * (MultiXactIdExpand), keeping only members that still matter (running, or a committed updater).
 *
 * Mirrors: src/backend/access/transam/multixact.c (MultiXactIdCreate, MultiXactIdExpand, MultiXactIdIsRunning,
 * GetMultiXactIdMembers, the pg_multixact/offsets and members SLRUs and their WAL) and heapam.c
 * (GetMultiXactIdHintBits, MultiXactIdGetUpdateXid). Simplifications: members are kept in memory for ever (no
 * truncation of pg_multixact, no wraparound); the SLRU pages are only counted, for their WAL records.
 */
import {
  type Item, HEAP_XMAX_IS_MULTI, HEAP_XMAX_LOCK_ONLY, HEAP_XMAX_INVALID, HEAP_XMAX_KEYSHR_LOCK, HEAP_XMAX_SHR_LOCK,
  HEAP_XMAX_EXCL_LOCK, HEAP_KEYS_UPDATED,
} from '../heap/tuple.js';
import { type TupleLockMode, LOCK_STRENGTH } from '../heap/rowlock.js';

/** One member: a transaction and its status (a lock of some strength, or an update of that strength). */
export interface MultiMember { xid: number; mode: TupleLockMode; update: boolean }

/** MultiXactStatus as PostgreSQL names it (pg_get_multixact_members shows these words). */
export function memberStatusName(m: MultiMember): string {
  if (m.update) return m.mode === 'exclusive' ? 'upd' : 'nokeyupd';
  return { keyshare: 'keysh', share: 'sh', nokeyexclusive: 'fornokeyupd', exclusive: 'forupd' }[m.mode];
}

const NONE: readonly MultiMember[] = Object.freeze([]);

/** pg_multixact: the members of every MultiXact, by id (ids start at 1). */
export class MultiXacts {
  private map = new Map<number, readonly MultiMember[]>();
  next = 1;
  members(id: number): readonly MultiMember[] { return this.map.get(id) ?? NONE; }
  /** MultiXactIdGetUpdateXid: the updater member's xid, or 0 when all members are lockers */
  updateXid(id: number): number {
    for (const m of this.members(id)) if (m.update) return m.xid;
    return 0;
  }
  add(members: readonly MultiMember[]): number {
    const id = this.next++;
    this.map.set(id, Object.freeze(members.map((m) => ({ ...m }))));
    return id;
  }
  get size(): number { return this.map.size; }
  /** the members of every MultiXact made so far (nextOffset: pg_multixact/members' use) */
  get memberCount(): number { let n = 0; for (const m of this.map.values()) n += m.length; return n; }
  clone(): MultiXacts {
    const c = new MultiXacts();
    c.map = new Map(this.map); // member lists are frozen: shared
    c.next = this.next;
    return c;
  }
}

/** GetMultiXactIdHintBits: the infomask bits a MultiXact xmax gets — its strongest member, LOCK_ONLY without an updater. */
export function multiHintBits(members: readonly MultiMember[]): { infomask: number; infomask2: number } {
  let strongest: TupleLockMode = 'keyshare';
  let hasUpdate = false;
  for (const m of members) {
    if (LOCK_STRENGTH[m.mode] > LOCK_STRENGTH[strongest]) strongest = m.mode;
    if (m.update) hasUpdate = true;
  }
  let infomask = HEAP_XMAX_IS_MULTI, infomask2 = 0;
  if (strongest === 'keyshare') infomask |= HEAP_XMAX_KEYSHR_LOCK;
  else if (strongest === 'share') infomask |= HEAP_XMAX_SHR_LOCK;
  else infomask |= HEAP_XMAX_EXCL_LOCK;
  if (strongest === 'exclusive') infomask2 |= HEAP_KEYS_UPDATED;
  if (!hasUpdate) infomask |= HEAP_XMAX_LOCK_ONLY;
  return { infomask, infomask2 };
}

/**
 * HeapTupleHeaderGetUpdateXid: the xid that updated or deleted this version — t_xmax itself, or the updater
 * member of a MultiXact (0 if none). For a lock-only MultiXact it is the raw t_xmax, as in PostgreSQL.
 */
export function updateXidOf(item: Item, multis: MultiXacts): number {
  const im = item.infomask;
  if ((im & HEAP_XMAX_IS_MULTI) && !(im & (HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_INVALID))) return multis.updateXid(item.xmax);
  return item.xmax;
}
