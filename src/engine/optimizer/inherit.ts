/**
 * Expanding a table's range table entry into the relations a query reads (expand_inherited_rtentry): a
 * partitioned table into the partitions plan-time pruning keeps, an inheritance parent into itself and every
 * descendant. Both become an Append of one scan per relation (executor/scan.ts appendScan), each row converted to
 * the parent's column layout by name and carrying its relation (tableoid; the heap a row lock, UPDATE or DELETE
 * acts on).
 *
 *     CREATE TABLE p (a int);  CREATE TABLE c1 () INHERITS (p);  CREATE TABLE g (x int) INHERITS (c1);
 *     SELECT tableoid::regclass, a FROM p;      -- Append: p, then c1, then g (AccessShareLock on each)
 *     SELECT a FROM ONLY p;                     -- p alone: no expansion (the RangeVar's inh is false)
 *
 * The descendants are found as find_all_inheritors finds them: each level's children in OID order, read from
 * pg_inherits with the catalog snapshot *before* each child is locked (catalog/pg_inherits.ts). So a child another
 * transaction is detaching (NO INHERIT) and holds AccessExclusiveLock on is waited for and then still read, a
 * child dropped meanwhile is left out, and a child whose column changed type meanwhile is an error (make_inh_
 * translation_list: "attribute … does not match parent's type") — isolation test alter-table-4. Another session's
 * temporary child is locked, then let go unread (RELATION_IS_OTHER_TEMP: its rows live in that backend's local
 * buffers).
 *
 * Mirrors: src/backend/optimizer/util/inherit.c (expand_inherited_rtentry, expand_single_inheritance_child,
 * make_inh_translation_list), catalog/pg_inherits.c (find_all_inheritors). Simplifications: no per-child paths
 * in joins (a join with an inheritance parent is refused, 0A000). EXPLAIN prints an inheritance parent's Append
 * (commands/explainselect.ts); EXPLAIN ANALYZE of it, and EXPLAIN of a partitioned table's, are refused (0A000).
 */
import type { Table } from '../catalog/catalog.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import type { Gen } from '../executor/util.js';
import type { LockMode } from '../lock/lock.js';
import { PgError } from '../errors.js';
import { hasInheritanceChildren, inheritanceChildren, stillExists } from '../catalog/pg_inherits.js';

/** Does a scan of `t` (its RangeVar's `inh`) expand into an inheritance tree? */
export function expandsInheritance(cat: Catalog, t: Table, inh: boolean | undefined): boolean {
  return inh !== false && !t.partKey && hasInheritanceChildren(cat, t);
}

/** Another session's temporary table (RELATION_IS_OTHER_TEMP). */
export function isOtherTemp(cat: Catalog, t: Table): boolean { return !!t.temp && t.temp.session !== cat.current; }

/**
 * find_all_inheritors with the locks, then expand_single_inheritance_child's checks: `t` first, then each
 * descendant (level by level, children in OID order) locked in `mode` as it is found; a child dropped while we
 * waited is skipped, another session's temporary child is locked, then released and left out. `planner`: also lock each member's
 * indexes and check its columns (a query's expansion), not for a utility command such as TRUNCATE.
 */
export function* lockInheritanceTree(ex: Executor, s: Session, t: Table, mode: LockMode, planner = true): Gen<Table[]> {
  const cat = ex.eng.catalog;
  const found: Table[] = [t];
  for (let i = 0; i < found.length; i++) {
    for (const c of inheritanceChildren(cat, found[i]!)) {
      if (found.includes(c)) continue;
      yield* ex.lockRelation(s, c, mode, false);
      if (!stillExists(cat, c)) continue;
      found.push(c);
    }
  }
  // another session's temporary child: closed again with its lock released (table_close(rel, lockmode))
  for (const c of found) if (c !== t && isOtherTemp(cat, c)) ex.eng.releaseLock(s, { type: 'relation', rel: c.oid }, mode);
  const members = found.filter((c) => c === t || !isOtherTemp(cat, c));
  if (!planner) return members; // a utility command (TRUNCATE): the tables only
  // the planner opens each member and its indexes (get_relation_info) after every lock is taken
  for (const c of members) if (c !== t) yield* ex.lockRelation(s, c, mode, true);
  for (const c of members) if (c !== t) checkTranslation(t, c);
  return members;
}

/** The members without locks (a scan whose statement locked them already, or reads under its parent's lock). */
export function inheritanceMembers(cat: Catalog, t: Table): Table[] {
  const out: Table[] = [t];
  for (let i = 0; i < out.length; i++) for (const c of inheritanceChildren(cat, out[i]!)) if (!out.includes(c)) out.push(c);
  return out.filter((c) => c === t || !isOtherTemp(cat, c));
}

/**
 * make_inh_translation_list: every column of the parent must be in the child under its name with the same type
 * (internal errors in PostgreSQL: elog, XX000).
 */
export function checkTranslation(parent: Table, child: Table): void {
  for (const pc of parent.columns) {
    if (pc.dropped) continue;
    const cc = child.columns.find((c) => !c.dropped && c.name === pc.name);
    if (!cc) throw new PgError('XX000', `could not find inherited attribute "${pc.name}" of relation "${child.name}"`);
    if (cc.type.name !== pc.type.name || cc.type.typmod !== pc.type.typmod) {
      throw new PgError('XX000', `attribute "${pc.name}" of relation "${child.name}" does not match parent's type`);
    }
  }
}
