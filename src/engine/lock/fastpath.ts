/**
 * Fast-path locks: how most relation locks avoid the shared lock table, and what pg_locks' `fastpath` column says.
 *
 * Nearly every query takes only "weak" relation locks — AccessShareLock to read, RowShareLock for SELECT FOR
 * UPDATE, RowExclusiveLock to write — and weak locks never conflict with each other. So a backend records them in
 * 16 slots of its own PGPROC (FP_LOCK_SLOTS_PER_BACKEND), one slot per relation, without touching the shared lock
 * table, as long as nobody holds or waits for a "strong" lock (ShareUpdateExclusiveLock or stronger) on that
 * relation. A strong request first counts itself (FastPathStrongRelationLocks) and then moves every backend's
 * fast-path entries for the relation into the shared table (FastPathTransferRelationLocks) so that it can see
 * them and wait; from then on those holds show `fastpath = f`. A transaction's lock on its own virtual xid is a
 * fast-path lock too, until another backend waits for it (VirtualXactLock moves it).
 *
 *     s1: BEGIN; SELECT * FROM t;        pg_locks: t AccessShareLock fastpath t, t_pkey AccessShareLock t, vxid t
 *     s1: LOCK t IN SHARE MODE;          t's AccessShareLock moves to the shared table: fastpath f (t_pkey's stays t)
 *
 * Here every lock is kept in the one lock table (lock.ts) for conflict checks; this module only remembers which
 * holds a backend keeps in its slots, and in which slot, so pg_locks can say so and list them in PostgreSQL's order
 * (pg_lock_status: each backend's fast-path slots first, slot 0 to 15, then the shared table). A new relation takes
 * the highest free slot, so a transaction's locks are listed newest first.
 *
 * Mirrors: src/backend/storage/lmgr/lock.c (EligibleForRelationFastPath, FastPathGrantRelationLock,
 * FastPathTransferRelationLocks, FastPathUnGrantRelationLock, GetLockStatusData), README's "Fast Path Locking".
 * Simplifications: the strong-lock count is per relation, not per one of 1024 partitions of lock tags (so two
 * relations never share a count); shared catalogs are never locked here, so none is refused a slot.
 */

/** FP_LOCK_SLOTS_PER_BACKEND */
export const FP_LOCK_SLOTS_PER_BACKEND = 16;

/** One backend's fast-path holds: per lock key, its slot (-1 for the virtual xid) and a bitmask of modes. */
type Slots = Map<string, { slot: number; modes: number }>;

export class FastPathTable {
  private byOwner = new Map<number, Slots>();

  /** Is (owner, key, mode) held in a fast-path slot? */
  has(owner: number, key: string, mode: number): boolean {
    return ((this.byOwner.get(owner)?.get(key)?.modes ?? 0) & (1 << mode)) !== 0;
  }

  /** FastPathGrantRelationLock: record the hold in the owner's slot for the relation; false when all 16 are used. */
  grantRelation(owner: number, key: string, mode: number): boolean {
    let slots = this.byOwner.get(owner);
    if (!slots) { slots = new Map(); this.byOwner.set(owner, slots); }
    const e = slots.get(key);
    if (e) { e.modes |= 1 << mode; return true; }
    // FastPathGrantRelationLock scans the slots upward remembering the last empty one: the highest free slot
    const used = new Set([...slots.values()].map((x) => x.slot));
    let slot = FP_LOCK_SLOTS_PER_BACKEND - 1;
    while (slot >= 0 && used.has(slot)) slot--;
    if (slot < 0) return false;
    slots.set(key, { slot, modes: 1 << mode });
    return true;
  }

  /** A transaction's lock on its own virtual xid (proc->fpVXIDLock). */
  grantVxid(owner: number, key: string, mode: number): void {
    let slots = this.byOwner.get(owner);
    if (!slots) { slots = new Map(); this.byOwner.set(owner, slots); }
    slots.set(key, { slot: -1, modes: 1 << mode });
  }

  /** FastPathTransferRelationLocks / VirtualXactLock: every backend's fast-path holds of `key` move to the shared table. */
  transfer(key: string): void {
    for (const [owner, slots] of this.byOwner) {
      if (slots.delete(key) && slots.size === 0) this.byOwner.delete(owner);
    }
  }

  /** The hold is released: it leaves its slot (the slot is free once no mode of the relation is held). */
  ungrant(owner: number, key: string, mode: number): void {
    const slots = this.byOwner.get(owner);
    const e = slots?.get(key);
    if (!slots || !e) return;
    e.modes &= ~(1 << mode);
    if (e.modes === 0) slots.delete(key);
    if (slots.size === 0) this.byOwner.delete(owner);
  }

  /** Forget an owner's holds of these keys (LockReleaseAll). */
  releaseKeys(owner: number, keys: Iterable<string>): void {
    const slots = this.byOwner.get(owner);
    if (!slots) return;
    for (const k of keys) slots.delete(k);
    if (slots.size === 0) this.byOwner.delete(owner);
  }

  /** The slot a fast-path hold sits in (pg_lock_status lists slots in order, the virtual xid after them). */
  slotOf(owner: number, key: string): number | undefined {
    const e = this.byOwner.get(owner)?.get(key);
    return e ? (e.slot < 0 ? FP_LOCK_SLOTS_PER_BACKEND : e.slot) : undefined;
  }

  clone(): FastPathTable {
    const c = new FastPathTable();
    for (const [o, slots] of this.byOwner) c.byOwner.set(o, new Map([...slots].map(([k, e]) => [k, { ...e }])));
    return c;
  }
}
