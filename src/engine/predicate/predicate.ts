/**
 * Serializable Snapshot Isolation (SSI): how SERIALIZABLE differs from REPEATABLE READ.
 *
 * Both read from one snapshot. SERIALIZABLE additionally tracks *rw-antidependencies*: T1 →rw T2 when T1 read
 * something that T2 wrote (or later writes) without seeing it. Reads leave SIREAD "predicate locks" (a whole
 * relation for a sequential scan; an index page and the tuples for an index lookup) that never block anyone;
 * a write that hits another serializable transaction's SIREAD lock records reader →rw writer, and a read that
 * skips a version written by a concurrent serializable transaction records reader →rw writer too.
 * A cycle needs a "dangerous structure": T0 →rw T1 →rw T2 with T2 committing first. When one appears, one
 * transaction is cancelled with 40001 "could not serialize access due to read/write dependencies among
 * transactions" — at the write, at the read, or at COMMIT (a doomed pivot fails when it tries to commit).
 *
 * Worked example: write skew (tests/scenarios/anomalies/write-skew-serializable.spec, recorded from PostgreSQL 15;
 * the engine's trace in brackets). doctors holds ('alice', on_call true) and ('bob', true), xid 724. Each doctor
 * checks that the other is on call, then goes off call:
 *
 *     s1: BEGIN ISOLATION LEVEL SERIALIZABLE;  s2: the same
 *     s1: SELECT count(*) FROM doctors WHERE on_call;  → 2   snapshot 725:725:, SIREAD lock on relation doctors
 *     s2: SELECT count(*) FROM doctors WHERE on_call;  → 2   snapshot 725:725:, SIREAD lock on relation doctors
 *     s1: UPDATE … WHERE name = 'alice';   xid 725 writes what s2 read     [s2 →rw s1]
 *     s2: UPDATE … WHERE name = 'bob';     xid 726 writes what s1 read     [s1 →rw s2]
 *     s1: COMMIT;                          commits first                   [s2 is a pivot … doomed]
 *     s2: COMMIT;  ERROR: could not serialize access due to read/write dependencies among transactions (40001,
 *                  DETAIL "Reason code: Canceled on identification as a pivot, during commit attempt.")
 *
 * The dangerous structure T0 →rw T1 →rw T2, with T2 committed first, is here s1 →rw s2 →rw s1:
 *
 *             rw (s1 read bob, s2 wrote it)        rw (s2 read alice, s1 wrote it)
 *     T0 = s1 ─────────────────────────────► T1 = s2 ─────────────────────────────► T2 = s1 (committed first)
 *
 * s2, the pivot with a conflict in and a conflict out, cannot be placed in any serial order, so it is the one that
 * fails; bob stays on call. Under REPEATABLE READ (write-skew-repeatable-read.spec) both COMMITs succeed and nobody
 * is on call.
 *
 * Mirrors: src/backend/storage/lmgr/predicate.c (PredicateLockRelation/Page/TID, CheckForSerializableConflictIn,
 * CheckForSerializableConflictOut, FlagRWConflict, OnConflict_CheckForSerializationFailure,
 * PreCommit_CheckForSerializationFailure, ClearOldPredicateLocks) and the README-SSI.
 * SERIALIZABLE READ ONLY DEFERRABLE (GetSafeSnapshot, tcop/postgres.ts): a read-only transaction's snapshot is safe
 * once every read-write serializable transaction that ran when it was taken (possibleUnsafe) has ended without a
 * conflict out to a transaction committed before it; the deferrable one waits for that, and takes a new snapshot
 * if it turned out unsafe. Then it can never fail with 40001.
 *
 * Simplifications: no summarization of old transactions (memory is not a limit here), a read-only transaction that
 * became safe keeps its SIREAD locks (ReleasePredicateLocks of a RO-safe xact is not done early), granularity promotion
 * only tuple → page (more than 2 tuple locks on a page, as max_pred_locks_per_page = 2), two-phase commit not modelled.
 */
import { PgError } from '../errors.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { xidInSnapshot } from '../snapshot/snapshot.js';

export class SerializableXact {
  xid = 0;
  /** the owner's transaction (its vxid), for the dependency graph (trace/deps.ts) */
  tag = '';
  readonly inConflicts = new Set<SerializableXact>();
  readonly outConflicts = new Set<SerializableXact>();
  readonly locks = new Set<string>();
  readonly subXids: number[] = [];
  doomed = false;
  committed = false;
  prepareSeqNo = Number.MAX_SAFE_INTEGER;
  commitSeqNo = Number.MAX_SAFE_INTEGER;
  /** set at commit when it had a conflict out to an already-committed transaction (SXACT_FLAG_CONFLICT_OUT) */
  conflictOut = false;
  earliestOutConflictCommit = Number.MAX_SAFE_INTEGER;
  /** nextXid when it finished (finishedBefore) */
  finishedBefore = Number.MAX_SAFE_INTEGER;
  /** READ ONLY: the read-write serializable transactions running when its snapshot was taken (possibleUnsafeConflicts) */
  readonly possibleUnsafe = new Set<SerializableXact>();
  /** READ ONLY: one of them committed with a conflict out to a transaction committed before its snapshot (SXACT_FLAG_RO_UNSAFE) */
  roUnsafe = false;
  constructor(
    readonly session: number,
    readonly snapshot: Snapshot,
    readonly readOnly: boolean,
    /** LastSxactCommitSeqNo when the snapshot was taken */
    readonly lastCommitBeforeSnapshot: number,
  ) {}
}

const HINT = 'The transaction might succeed if retried.';
const failure = (reason: string) => new PgError('40001', 'could not serialize access due to read/write dependencies among transactions', {
  detail: `Reason code: ${reason}`, hint: HINT,
});

/** Per-page tuple locks before promotion to a page lock (max_pred_locks_per_page). */
const MAX_PRED_LOCKS_PER_PAGE = 2;

export type ConflictEvent = (text: string) => void;

export class PredicateLockManager {
  private readonly sxacts = new Set<SerializableXact>();
  private readonly targets = new Map<string, Set<SerializableXact>>();
  private readonly byXid = new Map<number, SerializableXact>();
  private lastCommitSeqNo = 0;
  /** called with a sentence whenever a rw-conflict is recorded (for the trace) */
  onConflict: ConflictEvent | null = null;
  /** called with reader and writer whenever a rw-conflict is recorded (the dependency graph) */
  onRw: ((reader: SerializableXact, writer: SerializableXact) => void) | null = null;

  /** A copy; only allowed while no serializable transaction is tracked (see Engine.canClone). */
  clone(): PredicateLockManager {
    if (this.sxacts.size) throw new Error('cannot copy SSI state with live serializable transactions');
    const c = new PredicateLockManager();
    c.lastCommitSeqNo = this.lastCommitSeqNo;
    return c;
  }

  get active(): boolean { return this.sxacts.size > 0; }

  /** RegisterSerializableTransaction: at the first snapshot of a SERIALIZABLE transaction. */
  register(session: number, snapshot: Snapshot, readOnly: boolean): SerializableXact | null {
    // a READ ONLY transaction with no concurrent read-write serializable transaction has a safe snapshot
    if (readOnly && ![...this.sxacts].some((x) => !x.committed && !x.readOnly)) return null;
    const sx = new SerializableXact(session, snapshot, readOnly, this.lastCommitSeqNo);
    if (readOnly) for (const x of this.sxacts) if (!x.committed && !x.readOnly) sx.possibleUnsafe.add(x);
    this.sxacts.add(sx);
    return sx;
  }

  setXid(sx: SerializableXact, xid: number) { sx.xid = xid; this.byXid.set(xid, sx); }
  /** a subtransaction's xid belongs to its top-level serializable transaction (SubTransGetTopmostTransaction) */
  mapSubXid(sx: SerializableXact, xid: number) { this.byXid.set(xid, sx); sx.subXids.push(xid); }

  // ---------------------------------------------------------------- SIREAD locks

  private addLock(sx: SerializableXact, key: string) {
    if (sx.locks.has(key)) return;
    sx.locks.add(key);
    let s = this.targets.get(key);
    if (!s) { s = new Set(); this.targets.set(key, s); }
    s.add(sx);
  }
  private dropLock(sx: SerializableXact, key: string) {
    sx.locks.delete(key);
    const s = this.targets.get(key);
    if (s) { s.delete(sx); if (!s.size) this.targets.delete(key); }
  }

  lockRelation(sx: SerializableXact, rel: number) {
    this.addLock(sx, `r${rel}`);
    for (const k of [...sx.locks]) if (k.startsWith(`p${rel}/`) || k.startsWith(`t${rel}/`)) this.dropLock(sx, k);
  }
  lockPage(sx: SerializableXact, rel: number, blk: number) {
    if (sx.locks.has(`r${rel}`)) return;
    this.addLock(sx, `p${rel}/${blk}`);
    for (const k of [...sx.locks]) if (k.startsWith(`t${rel}/${blk}/`)) this.dropLock(sx, k);
  }
  lockTuple(sx: SerializableXact, rel: number, blk: number, off: number) {
    if (sx.locks.has(`r${rel}`) || sx.locks.has(`p${rel}/${blk}`)) return;
    this.addLock(sx, `t${rel}/${blk}/${off}`);
    let n = 0;
    for (const k of sx.locks) if (k.startsWith(`t${rel}/${blk}/`)) n++;
    if (n > MAX_PRED_LOCKS_PER_PAGE) this.lockPage(sx, rel, blk);
  }

  // ---------------------------------------------------------------- conflicts

  private conflictExists(reader: SerializableXact, writer: SerializableXact) { return reader.outConflicts.has(writer); }

  private flag(me: SerializableXact, reader: SerializableXact, writer: SerializableXact) {
    this.checkForFailure(me, reader, writer);
    reader.outConflicts.add(writer);
    writer.inConflicts.add(reader);
    this.onRw?.(reader, writer);
    this.onConflict?.(`rw-conflict: ${this.name(reader)} read data that ${this.name(writer)} wrote (${this.name(reader)} →rw ${this.name(writer)})`);
  }
  name = (sx: SerializableXact) => `session #${sx.session}`;

  /** OnConflict_CheckForSerializationFailure: does recording reader →rw writer complete a dangerous structure? */
  private checkForFailure(me: SerializableXact, reader: SerializableXact, writer: SerializableXact) {
    let fail = false;
    // R →rw W →rw T2, W already committed with a conflict out: we (the reader) must go
    if (writer.committed && writer.conflictOut) fail = true;
    if (!fail) {
      for (const t2 of writer.outConflicts) {
        if (t2.committed
          && (!reader.committed || t2.prepareSeqNo <= reader.commitSeqNo)
          && (!writer.committed || t2.prepareSeqNo <= writer.commitSeqNo)
          && (!reader.readOnly || t2.prepareSeqNo <= reader.lastCommitBeforeSnapshot)) { fail = true; break; }
      }
    }
    // T0 →rw R →rw W, W committed first
    if (!fail && writer.committed && !reader.readOnly) {
      for (const t0 of reader.inConflicts) {
        if (!t0.doomed
          && (!t0.committed || t0.commitSeqNo >= writer.prepareSeqNo)
          && (!t0.readOnly || t0.lastCommitBeforeSnapshot >= writer.prepareSeqNo)) { fail = true; break; }
      }
    }
    if (!fail) return;
    if (me === writer) throw failure('Canceled on identification as a pivot, during write.');
    if (writer.committed) throw failure(`Canceled on conflict out to pivot ${writer.xid}, during read.`);
    writer.doomed = true;
    this.onConflict?.(`${this.name(writer)} is doomed: it will fail with 40001 at its next read, write or COMMIT`);
  }

  /**
   * CheckForSerializableConflictIn: we write a tuple (tid), a page, or (insert) just the relation. Writing a tuple
   * we hold a SIREAD lock on drops that lock (the write conflicts anyway) — but not inside a subtransaction
   * (`inSubxact`), which could roll back and leave the top level without it.
   */
  checkConflictIn(me: SerializableXact, rel: number, blk?: number, off?: number, inSubxact = false) {
    if (me.doomed) throw failure('Canceled on identification as a pivot, during conflict in checking.');
    const keys: string[] = [];
    if (off !== undefined) keys.push(`t${rel}/${blk}/${off}`);
    if (blk !== undefined) keys.push(`p${rel}/${blk}`);
    keys.push(`r${rel}`);
    for (const key of keys) {
      const holders = this.targets.get(key);
      if (!holders) continue;
      for (const sx of [...holders]) {
        if (sx === me) continue;
        if (!sx.doomed && (!sx.committed || me.snapshot.xmin < sx.finishedBefore) && !this.conflictExists(sx, me)) this.flag(me, sx, me);
      }
    }
    if (off !== undefined && !inSubxact) this.dropLock(me, `t${rel}/${blk}/${off}`);
  }

  /**
   * CheckForSerializableConflictOut, called for every heap tuple a scan examines (visible or not): a doomed
   * transaction fails here (CheckForSerializableConflictOutNeeded) — not at the start of a scan, so a scan that
   * examines no tuple (an index lookup that finds nothing) does not fail; its COMMIT will.
   * Then: we read past a version written by `xid` that our snapshot does not show
   * (an insert we cannot see, or a delete/update we ignore).
   */
  checkConflictOut(me: SerializableXact, xid: number) {
    if (me.doomed) throw failure('Canceled on identification as a pivot, during conflict out checking.');
    if (!xid || xid === me.xid || me.subXids.includes(xid)) return;
    const sx = this.byXid.get(xid);
    if (!sx || sx === me || !this.sxacts.has(sx)) return;
    if (me.readOnly && sx.committed && (!sx.conflictOut || me.lastCommitBeforeSnapshot < sx.earliestOutConflictCommit)) return;
    if (!xidInSnapshot(xid, me.snapshot)) return; // not concurrent
    if (this.conflictExists(me, sx)) return;
    this.flag(me, me, sx);
  }

  /** PreCommit_CheckForSerializationFailure */
  preCommit(me: SerializableXact) {
    if (me.doomed) throw failure('Canceled on identification as a pivot, during commit attempt.');
    for (const near of me.inConflicts) {
      if (near.committed || near.doomed) continue;
      for (const far of near.inConflicts) {
        if (far === me || (!far.committed && !far.readOnly && !far.doomed)) {
          near.doomed = true;
          this.onConflict?.(`${this.name(near)} is a pivot between two transactions and is doomed: it will fail with 40001`);
          break;
        }
      }
    }
    me.prepareSeqNo = ++this.lastCommitSeqNo;
  }

  commit(me: SerializableXact, nextXid: number) {
    me.committed = true;
    me.commitSeqNo = ++this.lastCommitSeqNo;
    me.finishedBefore = nextXid;
    // ReleasePredicateLocks: remember a conflict out to an already-committed transaction as a flag, then drop
    // edges to and from committed transactions (the SIREAD locks stay until no overlapping transaction runs)
    for (const o of [...me.outConflicts]) {
      if (!o.committed) continue;
      if (!me.readOnly) {
        me.conflictOut = true;
        me.earliestOutConflictCommit = Math.min(me.earliestOutConflictCommit, o.prepareSeqNo);
      }
      me.outConflicts.delete(o);
      o.inConflicts.delete(me);
    }
    for (const i of [...me.inConflicts]) {
      if (!i.committed) continue;
      me.inConflicts.delete(i);
      i.outConflicts.delete(me);
    }
    // the read-only transactions that were waiting on this one: still safe, unless it had a conflict out to a
    // transaction that committed before their snapshot (ReleasePredicateLocks: FlagSxactUnsafe)
    for (const ro of this.sxacts) {
      if (!ro.possibleUnsafe.delete(me)) continue;
      if (me.conflictOut && me.earliestOutConflictCommit <= ro.lastCommitBeforeSnapshot) ro.roUnsafe = true;
    }
    this.clearOld();
  }

  abort(me: SerializableXact) {
    for (const ro of this.sxacts) ro.possibleUnsafe.delete(me);
    this.remove(me);
    this.clearOld();
  }

  private remove(sx: SerializableXact) {
    for (const k of [...sx.locks]) this.dropLock(sx, k);
    for (const o of sx.outConflicts) o.inConflicts.delete(sx);
    for (const i of sx.inConflicts) i.outConflicts.delete(sx);
    this.sxacts.delete(sx);
    if (sx.xid) this.byXid.delete(sx.xid);
    for (const x of sx.subXids) this.byXid.delete(x);
  }

  /** ClearOldPredicateLocks: committed transactions matter only while a transaction that overlapped them runs. */
  private clearOld() {
    let globalXmin = Number.MAX_SAFE_INTEGER;
    for (const sx of this.sxacts) if (!sx.committed && sx.snapshot.xmin < globalXmin) globalXmin = sx.snapshot.xmin;
    for (const sx of [...this.sxacts]) if (sx.committed && sx.finishedBefore <= globalXmin) this.remove(sx);
  }

  /** For inspection: SIREAD locks as pg_locks shows them (mode SIReadLock). */
  view(): { session: number; target: string }[] {
    const out: { session: number; target: string }[] = [];
    for (const sx of this.sxacts) for (const k of sx.locks) out.push({ session: sx.session, target: k });
    return out;
  }
}
