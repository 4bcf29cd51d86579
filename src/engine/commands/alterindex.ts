/**
 * ALTER INDEX name SET (storage_parameter = value, ...) / RESET (storage_parameter, ...): a B-tree's fillfactor and
 * deduplicate_items change in pg_class.reloptions only — the pages stay as they are. What follows obeys the new
 * values: the rightmost leaf's split on ascending inserts (nbtsplitloc.c's leaf fillfactor), whether a full leaf
 * deduplicates before it splits, and a REINDEX or VACUUM FULL, which builds the index anew with them. The change
 * is one more event in the index's history (index/nbtlayout.ts 'opt'), so the pages replayed later split as
 * PostgreSQL's did.
 *
 * Mirrors: src/backend/commands/tablecmds.c (ATExecSetRelOptions for an index, AlterTableGetLockLevel: the
 * parameters' lock levels — ShareUpdateExclusiveLock for fillfactor and deduplicate_items), access/common/reloptions.c.
 * Simplifications: only SET / RESET of storage parameters (other ALTER INDEX subcommands are refused with 0A000;
 * RENAME is commands/altertable.ts renameStmt's); the lock is taken on the index's table.
 */
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported } from '../errors.js';
import type { Session, QueryResult } from '../session/session.js';
import { applyRelOptions } from '../catalog/reloptions.js';
import { N, Gen } from '../executor/util.js';

export function* alterIndexStmt(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const done: QueryResult = { command: 'ALTER INDEX', columns: null, rows: [] };
  const cmds = ((n.cmds ?? []) as N[]).map((c) => c.AlterTableCmd as N);
  const bad = cmds.find((c) => c.subtype !== 'AT_SetRelOptions' && c.subtype !== 'AT_ResetRelOptions');
  if (bad) throw notSupported(`ALTER INDEX ... ${String(bad.subtype).replace('AT_', '')}`);
  const rv = n.relation as N;
  const cat = ex.eng.catalog;
  const owner = [...cat.tables.values()].find((x) => x.indexes.some((i) => i.name === rv.relname));
  if (!owner) {
    if (cat.get(rv.relname)) throw new PgError('42809', `"${rv.relname}" is not an index`);
    if (n.missing_ok) {
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `relation "${rv.relname}" does not exist, skipping` });
      return done;
    }
    throw new PgError('42P01', `relation "${rv.relname}" does not exist`);
  }
  ex.checkReadOnly(s, 'ALTER INDEX');
  const index = owner.indexes.find((i) => i.name === rv.relname)!;
  let opts = index.reloptions;
  let lock = 0;
  for (const c of cmds) {
    const r = applyRelOptions(opts, (c.def?.List?.items ?? []) as N[], c.subtype === 'AT_ResetRelOptions', 'btree');
    opts = r.options.length ? r.options : undefined;
    if (r.lock > lock) lock = r.lock;
  }
  yield* ex.eng.acquireLock(s, { type: 'relation', rel: owner.oid }, lock);
  const before = index.reloptions;
  index.reloptions = opts;
  index.record({ k: 'opt', before, after: opts });
  cat.generation++;
  // an abort puts the old values back (from then on: what was split meanwhile stays split)
  s.tx!.undo.push(() => { index.reloptions = before; index.record({ k: 'opt', before: opts, after: before }); cat.generation++; });
  return done;
}
