/**
 * CREATE TABLE ... (LIKE other [INCLUDING ... | EXCLUDING ...]): the new table takes another's column
 * definitions. The names, types and NOT NULL always come along (dropped columns never); the rest only when
 * asked for: DEFAULTS (column defaults), GENERATED (generation expressions, else the column is an ordinary one),
 * CONSTRAINTS (CHECK constraints, keeping their names), INDEXES (primary key, unique and plain indexes, named
 * afresh for the new table: l_pkey, l_a_key, l_c_idx), IDENTITY; ALL is every option, EXCLUDING takes one back.
 *
 *     CREATE TABLE l (LIKE src INCLUDING DEFAULTS, extra int);  -- src's columns, then extra
 *
 * The source is locked AccessShare while it is read. Foreign keys are never copied.
 * Mirrors: src/backend/parser/parse_utilcmd.c (transformTableLikeClause, expandTableLikeClause,
 * generateClonedIndexStmt). Simplifications: COMMENTS, STORAGE, COMPRESSION and STATISTICS have nothing to
 * copy here (accepted, no effect); an identity column, an expression or partial index, and a unique index that is
 * no constraint are refused (0A000) when INCLUDING IDENTITY / INDEXES would copy them.
 */
import type { Executor } from '../executor/executor.js';
import type { Session } from '../session/session.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Column, CheckConstraint } from '../catalog/catalog.js';
import { LockMode } from '../lock/lock.js';
import type { N, Gen } from '../executor/util.js';

/** CREATE_TABLE_LIKE_* bits of TableLikeClause.options (nodes/parsenodes.h) */
const LIKE = { CONSTRAINTS: 1 << 2, DEFAULTS: 1 << 3, GENERATED: 1 << 4, IDENTITY: 1 << 5, INDEXES: 1 << 6 } as const;

/** An index the new table is to get (createTable's list of keys). */
export interface LikeIndex { cols: string[]; primary: boolean; unique: boolean; include: string[] }

/** transformTableLikeClause: the columns (appended to `columns`), and the CHECKs and indexes to add after them. */
export interface LikeParts { checks: (CheckConstraint & { base: string })[]; indexes: LikeIndex[] }

/** transformTableLikeClause (see above). */
export function* tableLike(ex: Executor, s: Session, like: N, columns: Column[]): Gen<LikeParts> {
  const rv = like.relation as N;
  const src = ex.table(rv);
  const opts = Number(like.options ?? 0);
  yield* ex.lockRelation(s, src, LockMode.AccessShare, false);
  for (const c of src.columns) {
    if (c.dropped) continue;
    if (columns.some((o) => o.name === c.name)) throw new PgError('42701', `column "${c.name}" specified more than once`);
    if (c.identity && opts & LIKE.IDENTITY) throw notSupported('CREATE TABLE ... LIKE ... INCLUDING IDENTITY of an identity column', posOf(rv.location));
    const col: Column = { name: c.name, type: c.type, notNull: c.notNull, defaultExpr: null, attnum: columns.length + 1 };
    if (c.generated && opts & LIKE.GENERATED) col.generated = c.generated;
    else if (c.defaultExpr && !c.identity && !c.generated && opts & LIKE.DEFAULTS) col.defaultExpr = c.defaultExpr;
    columns.push(col);
  }
  const checks = opts & LIKE.CONSTRAINTS ? src.checks.map((c) => ({ name: c.name, expr: c.expr, base: c.name })) : [];
  const indexes: LikeIndex[] = [];
  if (opts & LIKE.INDEXES) {
    for (const i of src.indexes) {
      if (i.def) throw notSupported('CREATE TABLE ... LIKE ... INCLUDING INDEXES of an expression or partial index', posOf(rv.location));
      if (i.indoption) throw notSupported('CREATE TABLE ... LIKE ... INCLUDING INDEXES of an index with DESC or NULLS FIRST columns', posOf(rv.location));
      const standalone = ex.eng.catalog.standaloneIndexes.has(i.name);
      if (i.unique && standalone) throw notSupported('CREATE TABLE ... LIKE ... INCLUDING INDEXES of a unique index that is not a constraint', posOf(rv.location));
      indexes.push({
        cols: i.columns.map((k) => src.columns[k]!.name), primary: i.primary, unique: i.unique,
        include: i.include.map((k) => src.columns[k]!.name),
      });
    }
  }
  return { checks, indexes };
}
