/**
 * Exported snapshots: pg_export_snapshot() saves the snapshot the running statement uses and names it; another
 * session's new REPEATABLE READ or SERIALIZABLE transaction adopts it with SET TRANSACTION SNAPSHOT 'name' before its
 * first query. Both then see exactly the same rows: the importer's pg_current_snapshot() shows the exporter's xmin,
 * xmax and running xids — the exporter's own xid among them, since the exporter is still running when the importer
 * reads (GetSnapshotData never lists a backend's own xid, so ExportSnapshot adds it). That is how pg_dump's parallel
 * workers share one view of the database.
 *
 *     s1: BEGIN ISOLATION LEVEL REPEATABLE READ;  SELECT pg_export_snapshot();   -- 00000003-00000003-1
 *     s2: BEGIN ISOLATION LEVEL REPEATABLE READ;  SET TRANSACTION SNAPSHOT '00000003-00000003-1';
 *
 * The name is the exporter's virtual transaction id in hex (backend ID, local transaction number) and a count of the
 * exports in that transaction. The snapshot lives as long as the exporting transaction: once it ends the name is an
 * "invalid snapshot identifier".
 *
 * Mirrors: src/backend/utils/time/snapmgr.c (ExportSnapshot, ImportSnapshot, SetTransactionSnapshot,
 * AtEOXact_Snapshot deleting the files), storage/lmgr/predicate.c (SetSerializableTransactionSnapshot).
 * Simplifications: the snapshot is kept on the exporting transaction rather than in pg_snapshots/ files; the
 * exporter's subtransaction xids are not carried (a snapshot exported after a savepoint wrote is refused with 0A000);
 * a READ COMMITTED exporter does not hold the vacuum horizon at the exported xmin after its statement ends.
 */
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import type { IsolationLevel } from '../xact/xact.js';
import { PgError, notSupported } from '../errors.js';
import type { Snapshot } from './snapshot.js';

/** One exported snapshot: its name, what the importer gets, and the exporter's isolation level and read-only flag. */
export interface ExportedSnapshot { id: string; snapshot: Snapshot; isolation: IsolationLevel; readOnly: boolean }

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');

/** ExportSnapshot: name a copy of `snap` (the statement's active snapshot) for the rest of the transaction. */
export function exportSnapshot(s: Session, snap: Snapshot): string {
  const tx = s.tx!;
  if (tx.subs.length) throw new PgError('0A000', 'cannot export a snapshot from a subtransaction');
  // our own xid is running for whoever imports this (and our subtransactions' would be: not modelled)
  const own = tx.liveSubXids();
  if (own.length) throw notSupported('exporting a snapshot from a transaction with subtransaction xids');
  const xip = tx.xid && tx.xid < snap.xmax && !snap.xip.includes(tx.xid) ? [...snap.xip, tx.xid].sort((a, b) => a - b) : snap.xip.slice();
  const [backend, lxid] = tx.vxid.split('/').map(Number) as [number, number];
  const id = `${hex8(backend)}-${hex8(lxid)}-${tx.exports.length + 1}`;
  // replaced, never mutated: a cloned engine's transaction keeps its own list
  const copy: Snapshot = { ...snap, xip, ...(snap.subxip ? { subxip: snap.subxip.slice() } : {}) };
  tx.exports = [...tx.exports, { id, snapshot: copy, isolation: tx.isolation, readOnly: tx.readOnly }];
  return id;
}

/**
 * ImportSnapshot (SET TRANSACTION SNAPSHOT): checked in PostgreSQL's order — before any query, in a transaction that
 * keeps one snapshot, a name that exists (the exporter still running), a serializable importer only from a
 * serializable, writable exporter when it writes — then it becomes the transaction snapshot.
 */
export function importSnapshot(eng: Engine, s: Session, id: string): void {
  const tx = eng.ensureTx(s);
  if (tx.queryRun || tx.xactSnapshot) throw new PgError('0A000', 'SET TRANSACTION SNAPSHOT must be called before any query');
  if (tx.isolation === 'read committed' || tx.isolation === 'read uncommitted') {
    throw new PgError('0A000', 'a snapshot-importing transaction must have isolation level SERIALIZABLE or REPEATABLE READ');
  }
  const invalid = () => new PgError('22023', `invalid snapshot identifier: "${id}"`);
  if (!/^[0-9A-F-]*$/.test(id)) throw invalid();
  let found: ExportedSnapshot | undefined;
  for (const o of eng.sessions) {
    if (o === s || !o.tx) continue;
    found = o.tx.exports.find((e) => e.id === id);
    if (found) break;
  }
  if (!found) throw invalid();
  if (tx.isolation === 'serializable') {
    if (found.isolation !== 'serializable') throw new PgError('55000', 'a serializable transaction cannot import a snapshot from a non-serializable transaction');
    if (found.readOnly && !tx.readOnly) throw new PgError('55000', 'a non-read-only serializable transaction cannot import a snapshot from a read-only transaction');
    if (tx.readOnly && tx.deferrable) throw new PgError('0A000', 'a snapshot-importing transaction must not be READ ONLY DEFERRABLE');
  }
  const snap = found.snapshot;
  tx.xactSnapshot = { ...snap, xip: snap.xip.slice(), ...(snap.subxip ? { subxip: snap.subxip.slice() } : {}), takenAt: eng.clock.now };
  tx.queryRun = true; // FirstSnapshotSet
  if (tx.isolation === 'serializable') {
    tx.sxact = eng.predicates.register(s.id, tx.xactSnapshot, tx.readOnly);
    if (tx.sxact) tx.sxact.tag = tx.vxid;
  }
  if (eng.tracer.wants('snapshot')) {
    eng.tracer.emit({ kind: 'snapshot', session: s.name, text: `${s.name} imports the snapshot ${id} as its transaction snapshot` });
  }
}
