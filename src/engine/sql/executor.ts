/**
 * The executor: SELECT, INSERT, UPDATE, DELETE, SELECT ... FOR UPDATE, CREATE/DROP TABLE, LOCK, CHECKPOINT.
 *
 * Reading: a sequential scan walks every page and line pointer in physical order and asks the visibility
 * rules (HeapTupleSatisfiesMVCC) about each version; an equality condition on a unique index's column uses
 * the index instead and follows the HOT chain from the entry. Rows come back in physical order, as a
 * PostgreSQL seq scan returns them, unless ORDER BY says otherwise.
 *
 * Writing: UPDATE/DELETE/FOR UPDATE find their rows with the statement's snapshot, then try to modify each
 * version (HeapTupleSatisfiesUpdate → TM_Result):
 *   TM_Ok            → modify it.
 *   TM_BeingModified → another transaction is changing it: take the heavyweight tuple lock, wait for a
 *                      ShareLock on that transaction's id, then look again.
 *   TM_Updated/Deleted (the other transaction committed) → READ COMMITTED re-checks the newest version
 *                      (EvalPlanQual: lock it, re-evaluate WHERE, modify it if it still matches);
 *                      REPEATABLE READ / SERIALIZABLE fail with 40001.
 *   TM_SelfModified  → changed by this same command already: skip.
 * INSERT checks NOT NULL and CHECK constraints, writes the heap tuple, then inserts into each index; a unique
 * index looks for conflicting keys with the dirty snapshot and waits for an in-progress inserter/deleter.
 *
 * Mirrors: src/backend/executor/nodeModifyTable.c (ExecInsert/ExecUpdate/ExecDelete), execMain.c
 * (EvalPlanQual, ExecConstraints), nodeLockRows.c, nodeSeqscan.c, nodeIndexscan.c, nodeAgg.c, nodeSort.c;
 * commands/tablecmds.c for DDL. SERIALIZABLE reads and writes report to the SSI module (predicate/).
 * Waiting for a row another transaction is changing or has locked is sql/rowlocks.ts.
 * Simplifications: one table per FROM (no joins; subqueries are run per outer row or once).
 */
import { PgError, notSupported, posOf } from '../errors.js';
import type { Engine } from '../engine.js';
import type { Session, QueryResult, StepYield } from '../session/session.js';
import { type RawStmt, intConst, materializeLiterals } from './parser.js';
import {
  compileExpr, castTo, compareValues, newAggState, exprLocation, type Compiled, type Scope, type Row, type AggSpec, type ExprEnv,
} from './expr.js';
import { type SqlType, type Value, T, resolveTypeName, formatValue, typeDisplayName, isStringLike } from './types.js';
import { Numeric } from './numeric.js';
import type { Table, Column, CheckConstraint } from '../catalog/catalog.js';
import { HeapRelation, packTid, tidBlock, tidOffset, formatTid } from '../heap/heap.js';
import { BtreeIndex } from '../index/btree.js';
import { Sequence } from '../sequence/sequence.js';
import { prunePage, reclaimDead, removeIndexEntries } from '../vacuum/vacuum.js';
import { waitForModify, lockTuple, lockLatest, TUPLE_HW_LOCK, type WaitPolicy } from './rowlocks.js';
import { type MultiXacts, updateXidOf } from '../multixact/multixact.js';
import { heapPagePruneOpt, removableHorizon, vacuumContext, isPinned } from '../vacuum/pruneheap.js';
import type { Page } from '../heap/heap.js';
import { PD_ALL_VISIBLE } from '../heap/heap.js';
import { tupleLengthPacked } from '../heap/tuple.js';
import { type Item, LpFlags, HEAP_HOT_UPDATED, HEAP_ONLY_TUPLE, HEAP_XMAX_LOCK_ONLY } from '../heap/tuple.js';
import {
  satisfiesMVCC, satisfiesUpdate, satisfiesDirty, explainVisibility, VIS_VISIBLE, VIS_NAMES, TM, 
} from '../visibility/visibility.js';
import {
  heapInsert, heapUpdate, heapDelete, type HeapContext, type TupleLockMode, type LockerCheck, NO_LOCKER_CHECK,
} from '../heap/heapam.js';
import { LockMode } from '../lock/lock.js';
import { WalKind, formatLsn } from '../wal/wal.js';
import { indexImage } from '../buffer/bufmgr.js';
import { heap2Payload, type BtreeVacuumPayload, type BtreeInsertPayload } from '../wal/records.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { formatSnapshot } from '../snapshot/snapshot.js';
import { usesXactSnapshot } from '../xact/xact.js';

type N = Record<string, any>;
type Gen<T> = Generator<StepYield, T, void>;

interface Source {
  scope: Scope;
  table: Table | null;
  /** rows of a function source (generate_series) or of a join */
  rows?: () => Iterable<Value[]>;
  /** the tables a join reads (locked AccessShare before it runs) */
  tables?: Table[];
}

/** One input of a join: a base table (scanned with the statement's snapshot) or a nested join. */
interface JoinInput { names: string[]; columns: { name: string; type: SqlType }[]; rels: { name: string; count: number }[]; tables: Table[]; rows: () => Value[][] }

interface Candidate extends Row { item: Item }

const LOCK_STRENGTH: Record<string, TupleLockMode> = {
  LCS_FORKEYSHARE: 'keyshare', LCS_FORSHARE: 'share', LCS_FORNOKEYUPDATE: 'nokeyexclusive', LCS_FORUPDATE: 'exclusive',
};
const LOCK_CLAUSE_NAME: Record<TupleLockMode, string> = {
  keyshare: 'FOR KEY SHARE', share: 'FOR SHARE', nokeyexclusive: 'FOR NO KEY UPDATE', exclusive: 'FOR UPDATE',
};

/** A bulk statement reports progress (and can be paused or cancelled) every this many rows. */
export const PROGRESS_ROWS = 20000;

export class Executor {
  constructor(readonly eng: Engine) {}

  *run(s: Session, type: string, node: N, raw: RawStmt): Gen<QueryResult> {
    switch (type) {
      case 'SelectStmt': return yield* this.selectStmt(s, node, raw);
      case 'InsertStmt': return yield* this.insertStmt(s, node, raw);
      case 'UpdateStmt': return yield* this.updateStmt(s, node, raw);
      case 'DeleteStmt': return yield* this.deleteStmt(s, node, raw);
      case 'CreateStmt': return yield* this.createTable(s, node);
      case 'DropStmt': return yield* this.dropStmt(s, node);
      case 'LockStmt': return yield* this.lockStmt(s, node);
      case 'CheckPointStmt': return this.checkpoint(s);
      case 'VacuumStmt': return this.vacuumStmt(s, node);
      case 'ExplainStmt': throw notSupported('EXPLAIN');
      case 'TruncateStmt': throw notSupported('TRUNCATE');
      case 'IndexStmt': return yield* this.createIndex(s, node);
      case 'AlterTableStmt': throw notSupported('ALTER TABLE');
      case 'CreateSeqStmt': throw notSupported('sequences');
      case 'ViewStmt': throw notSupported('views');
      case 'CopyStmt': throw notSupported('COPY');
      case 'PrepareStmt': case 'ExecuteStmt': throw notSupported('prepared statements');
      case 'DoStmt': case 'CreateFunctionStmt': throw notSupported('procedural code (DO / functions)');
      default: throw notSupported(`the statement ${type.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()}`);
    }
  }

  // ------------------------------------------------------------------ helpers

  private env(s: Session, snapshot: () => Snapshot): ExprEnv {
    const eng = this.eng;
    return {
      txidCurrent: (assign) => (assign ? eng.ensureTopXid(s) : s.tx?.xid || null),
      nextval: (name) => eng.nextval(s, name),
      currval: (name) => eng.currval(s, name),
      setval: (name, v, called) => eng.setval(s, name, v, called),
      subquery: (select, outer) => this.prepareSubquery(s, select, outer, snapshot),
      currentSnapshot: () => formatSnapshot(snapshot()),
      xactStatus: (xid) => eng.xactStatus(xid),
      currentSetting: (name, missingOk) => eng.currentSetting(s, name, missingOk),
    };
  }

  heapCtx(s: Session): HeapContext {
    const eng = this.eng;
    const tx = s.tx!;
    return {
      wal: eng.wal, tx, tracer: eng.tracer, session: s.name,
      xmax: {
        multis: eng.multis,
        isCurrent: (x) => x !== 0 && (x === tx.xid || (tx.subXidSet?.has(x) ?? false)),
        isInProgress: (x) => eng.xacts.isInProgress(x),
        didCommit: (x) => eng.xacts.clog.didCommit(x),
        createMulti: (members) => eng.createMulti(tx.writeXid, members),
      },
    };
  }

  private table(rv: N): Table {
    if (rv.schemaname && rv.schemaname !== 'public') throw notSupported(`schemas other than public ("${rv.schemaname}")`, posOf(rv.location));
    if (rv.catalogname) throw notSupported('cross-database references', posOf(rv.location));
    const t = this.eng.catalog.get(rv.relname);
    if (!t) throw new PgError('42P01', `relation "${rv.relname}" does not exist`, { position: posOf(rv.location) });
    return t;
  }

  /** Lock a table and its indexes in the given mode for the rest of the transaction. */
  private *lockRelation(s: Session, t: Table, mode: LockMode): Gen<void> {
    yield* this.eng.acquireLock(s, { type: 'relation', rel: t.oid }, mode);
    for (const i of t.indexes) yield* this.eng.acquireLock(s, { type: 'relation', rel: i.oid }, mode);
  }

  private checkReadOnly(s: Session, what: string) {
    if (s.tx!.readOnly) throw new PgError('25006', `cannot execute ${what} in a read-only transaction`);
  }

  private tableScope(t: Table, alias: string | null, s: Session, snap: () => Snapshot, sql: string): Scope {
    return {
      relName: t.name, alias, columns: t.columns.map((c) => ({ name: c.name, type: c.type })), hasSystem: true,
      env: this.env(s, snap), sql,
    };
  }

  private source(s: Session, from: N[] | undefined, snap: () => Snapshot, sql: string): Source {
    const env = this.env(s, snap);
    if (!from || from.length === 0) return { scope: { relName: null, alias: null, columns: [], hasSystem: false, env, sql }, table: null, rows: () => [[]] };
    const f = from[0]!;
    if (from.length > 1 || f.JoinExpr) return this.joinSource(s, from, snap, sql);
    if (f.RangeVar) {
      const t = this.table(f.RangeVar);
      return { scope: this.tableScope(t, f.RangeVar.alias?.aliasname ?? null, s, snap, sql), table: t };
    }
    if (f.RangeFunction) {
      const rf = f.RangeFunction;
      const fc = rf.functions?.[0]?.List?.items?.[0]?.FuncCall;
      const fname = fc?.funcname?.map((x: N) => x.String.sval).pop();
      if (!fc || fname !== 'generate_series' || rf.functions.length !== 1) throw notSupported(`function ${fname ?? ''} in FROM (only generate_series)`, posOf(fc?.location));
      const argScope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env, sql };
      const args = ((fc.args ?? []) as N[]).map((a) => compileExpr(a, argScope));
      if (args.length < 2 || args.length > 3) throw notSupported('generate_series with other than 2 or 3 arguments', posOf(fc.location));
      if (args.some((a) => !['int2', 'int4', 'int8', 'unknown'].includes(a.type.name))) throw notSupported('generate_series over non-integers', posOf(fc.location));
      const type = args.some((a) => a.type.name === 'int8') ? T.int8 : T.int4;
      const vals = args.map((a) => castTo(a, type, false).fn(null as unknown as Row));
      const alias = rf.alias?.aliasname ?? null;
      const colName = rf.alias?.colnames?.[0]?.String?.sval ?? alias ?? 'generate_series';
      return {
        scope: { relName: 'generate_series', alias, columns: [{ name: colName, type }], hasSystem: false, env, sql },
        table: null,
        rows: function* () {
          if (vals.some((v) => v === null)) return;
          if (vals.some((v) => typeof v === 'bigint')) throw notSupported('generate_series beyond ±2^53');
          const [a, b, st] = [vals[0] as number, vals[1] as number, (vals[2] ?? 1) as number];
          if (st === 0) throw new PgError('22023', 'step size cannot equal zero');
          if (st > 0) for (let i = a; i <= b; i += st) yield [i];
          else for (let i = a; i >= b; i += st) yield [i];
        },
      };
    }
    if (f.RangeSubselect) throw notSupported('subqueries in FROM');
    throw notSupported('this FROM item');
  }

  /**
   * Joins as nested loops over the visible rows of each table (FROM a, b / JOIN ... ON / LEFT / RIGHT / CROSS).
   * Rows come out in the order of the left input, then the right — a nested loop's order; PostgreSQL may pick
   * a hash or merge join and return another order, so give joins an ORDER BY when order matters.
   */
  private joinSource(s: Session, from: N[], snap: () => Snapshot, sql: string): Source {
    const env = this.env(s, snap);
    const combinedScope = (inp: JoinInput): Scope => {
      let offset = 0;
      return {
        relName: null, alias: null, columns: inp.columns, hasSystem: false, env, sql,
        rels: inp.rels.map((r) => { const x = { name: r.name, offset, count: r.count }; offset += r.count; return x; }),
      };
    };
    const base = (item: N): JoinInput => {
      if (item.RangeVar) {
        const t = this.table(item.RangeVar);
        const name = item.RangeVar.alias?.aliasname ?? t.name;
        const scope = this.tableScope(t, name, s, snap, sql);
        return {
          names: [name], columns: t.columns.map((c) => ({ name: c.name, type: c.type })), rels: [{ name, count: t.columns.length }], tables: [t],
          rows: () => this.scan(s, t, snap(), null, undefined, scope).map((c) => c.vals),
        };
      }
      if (item.JoinExpr) {
        const j = item.JoinExpr;
        if (j.usingClause?.length || j.isNatural) throw notSupported('JOIN ... USING / NATURAL JOIN (use ON)', posOf(firstLocation(item)));
        if (j.alias) throw notSupported('aliases for joins');
        let left = base(j.larg), right = base(j.rarg);
        let kind = j.jointype as string;
        if (kind === 'JOIN_RIGHT') { [left, right] = [right, left]; kind = 'JOIN_LEFT'; }
        if (kind !== 'JOIN_INNER' && kind !== 'JOIN_LEFT') throw notSupported(`${kind.replace('JOIN_', '')} JOIN`, posOf(firstLocation(item)));
        const swapped = j.jointype === 'JOIN_RIGHT';
        const names = [...left.names, ...right.names];
        const dup = names.find((x, i) => names.indexOf(x) !== i);
        if (dup) throw new PgError('42712', `table name "${dup}" specified more than once`);
        const combined: JoinInput = {
          names, columns: [...left.columns, ...right.columns], rels: [...left.rels, ...right.rels], tables: [...left.tables, ...right.tables],
          rows: () => [],
        };
        const on = j.quals ? this.compileWhere(j.quals, combinedScope(combined)) : null;
        const leftWidth = left.columns.length, rightWidth = right.columns.length;
        combined.rows = () => {
          const out: Value[][] = [];
          const rr = right.rows();
          const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
          for (const l of left.rows()) {
            let matched = false;
            for (const r of rr) {
              row.vals = l.concat(r);
              if (on && on.fn(row) !== true) continue;
              matched = true;
              out.push(row.vals);
            }
            if (!matched && kind === 'JOIN_LEFT') out.push(l.concat(new Array<Value>(rightWidth).fill(null)));
          }
          if (swapped) {
            // report columns in the written order (left table first) even though the right side drove the loop
            return out.map((v) => v.slice(leftWidth).concat(v.slice(0, leftWidth)));
          }
          return out;
        };
        if (swapped) {
          combined.columns = [...right.columns, ...left.columns];
          combined.rels = [...right.rels, ...left.rels];
          combined.names = [...right.names, ...left.names];
        }
        return combined;
      }
      throw notSupported('this FROM item in a join', posOf(firstLocation(item)));
    };
    let acc = base(from[0]!);
    for (const item of from.slice(1)) {
      const next = base(item);
      const names = [...acc.names, ...next.names];
      const dup = names.find((x, i) => names.indexOf(x) !== i);
      if (dup) throw new PgError('42712', `table name "${dup}" specified more than once`);
      const a = acc;
      acc = {
        names, columns: [...a.columns, ...next.columns], rels: [...a.rels, ...next.rels], tables: [...a.tables, ...next.tables],
        rows: () => { const rr = next.rows(); const out: Value[][] = []; for (const l of a.rows()) for (const r of rr) out.push(l.concat(r)); return out; },
      };
    }
    const final = acc;
    return { scope: combinedScope(final), table: null, rows: () => final.rows(), tables: final.tables };
  }

  /**
   * Find the row versions of `t` visible to `snap` that satisfy `where`: a sequential scan, or an index lookup
   * when WHERE has `key = constant` on a single-column unique index.
   */
  private scan(s: Session, t: Table, snap: Snapshot, where: Compiled | null, whereNode: N | undefined, scope: Scope, orderCol = -1): Candidate[] {
    const vctx = this.eng.visibilityContext(s);
    const tracer = this.eng.tracer;
    const out: Candidate[] = [];
    const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    const sx = s.tx!.sxact;
    const pred = this.eng.predicates;
    if (sx) pred.checkReadAllowed(sx);
    const test = (item: Item, blk: number, off: number, tupleLock: boolean): boolean => {
      const v = satisfiesMVCC(item, snap, vctx);
      if (tracer.enabled && tracer.wants('visibility')) {
        tracer.emit({ kind: 'visibility', session: s.name, rel: t.name, blk, off, outcome: VIS_NAMES[v],
          text: `${s.name} reads ${formatTid(blk, off)}: ${explainVisibility(v, item, snap, s.name)}` });
      }
      const visible = VIS_VISIBLE[v]!;
      if (sx) {
        pred.checkConflictOut(sx, conflictOutXid(item, visible, snap, this.eng));
        if (visible && tupleLock) pred.lockTuple(sx, t.oid, blk, off);
      }
      if (!visible) return false;
      row.vals = item.values; row.item = item; row.blk = blk; row.off = off;
      if (where && where.fn(row) !== true) return false;
      out.push({ vals: item.values, item, blk, off, aggs: null });
      return true;
    };
    const visit = this.pageVisitor(s, t);
    const probe = this.indexProbe(t, whereNode, scope);
    if (probe) {
      if (sx) pred.lockPage(sx, probe.index.oid, probe.index.leafBlock);
      for (const tid of probe.index.lookup(probe.key)) {
        visit(tidBlock(tid));
        for (const m of hotChain(t, tidBlock(tid), tidOffset(tid), this.eng.multis)) if (test(m.item, m.blk, m.off, true)) break;
      }
      return out;
    }
    // A bitmap scan for a range (<, <=, >, >=, BETWEEN, IN) on an integer index column of a never-vacuumed table:
    // the planner's 10-page guess makes the index cheaper. The heap is visited in TID order of the matching
    // entries (each entry's HOT chain to its first visible member), so rows come in that order, not seq scan's.
    // Under SERIALIZABLE the index scan locks the leaf page it read and each visible tuple (not the relation).
    const bitmap = !t.stats ? this.bitmapProbe(t, whereNode) : null;
    if (bitmap) {
      if (sx) pred.lockPage(sx, bitmap.index.oid, bitmap.index.leafBlock);
      for (const tid of bitmap.tids) {
        visit(tidBlock(tid));
        for (const m of hotChain(t, tidBlock(tid), tidOffset(tid), this.eng.multis)) if (test(m.item, m.blk, m.off, true)) break;
      }
      return out;
    }
    // A full index scan for ORDER BY on an indexed column when the table has no statistics (never vacuumed or
    // analyzed: the planner assumes 10 pages and prefers reading in index order to sorting). It visits each
    // entry's HOT chain up to the first visible member, so versions behind it are never looked at (no hint bits).
    const ordered = orderCol >= 0 && !t.stats ? t.indexes.find((i) => i.columns[0] === orderCol) : undefined;
    if (ordered && !sx) {
      const tids: number[] = [];
      for (const v of ordered.entries.values()) { if (typeof v === 'number') tids.push(v); else tids.push(...v); }
      for (const e of ordered.nullEntries) tids.push(e.tid);
      for (const tid of tids) {
        visit(tidBlock(tid));
        for (const m of hotChain(t, tidBlock(tid), tidOffset(tid), this.eng.multis)) if (test(m.item, m.blk, m.off, false)) break;
      }
      return out;
    }
    if (sx) pred.lockRelation(sx, t.oid);
    const pages = t.heap.pages;
    for (let b = 0; b < pages.length; b++) {
      if (pages[b]!.pruneXid) visit(b);
      const items = pages[b]!.items;
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        if (item.lpFlags !== LpFlags.NORMAL) continue;
        test(item, b, i + 1, false);
      }
    }
    return out;
  }

  /**
   * A heap page is about to be read (a sequential scan reaching it, an index fetch switching to it): the reader
   * may prune it first (heap_page_prune_opt). Returns the function to call per page; the horizon is computed at
   * most once per scan, and only if some page is a candidate.
   */
  private pageVisitor(s: Session, t: Table): (blk: number) => void {
    let horizon = -1, last = -1;
    const eng = this.eng;
    const h = () => (horizon < 0 ? (horizon = removableHorizon(eng)) : horizon);
    return (blk) => {
      if (blk === last) return;
      last = blk;
      const page = t.heap.pages[blk];
      if (page && page.pruneXid) heapPagePruneOpt(eng, t, page, s.id, h);
    };
  }

  /** Recognise `col = constant` (top-level AND) on a single-column unique index. */
  /**
   * The TIDs a Bitmap Index Scan would give for `col op constant` conjuncts on a single-column index over an integer
   * column (sorted, as the bitmap hands them to the heap scan), or null when WHERE has no such condition.
   */
  private bitmapProbe(t: Table, whereNode: N | undefined): { index: BtreeIndex; tids: number[] } | null {
    if (!whereNode || t.indexes.length === 0) return null;
    const conj: N[] = whereNode.BoolExpr?.boolop === 'AND_EXPR' ? whereNode.BoolExpr.args : [whereNode];
    const intConstOf = (x: N | undefined): number | null => {
      const c = x?.A_Const;
      if (!c || c.isnull || c.ival === undefined && !('ival' in c)) return null;
      const v = intConst(c);
      return typeof v === 'number' ? v : null;
    };
    const colOf = (x: N | undefined): number => {
      const f = x?.ColumnRef?.fields;
      if (!f || f.length !== 1 || !f[0].String) return -1;
      const i = t.columns.findIndex((c) => c.name === f[0].String.sval);
      return i >= 0 && ['int2', 'int4', 'int8'].includes(t.columns[i]!.type.name) ? i : -1;
    };
    const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };
    for (const c of conj) {
      const e = c.A_Expr;
      if (!e || e.name?.length !== 1) continue;
      const op = e.name[0]?.String?.sval as string;
      let col = -1;
      let match: (k: number) => boolean;
      if (e.kind === 'AEXPR_OP' && op in FLIP && op !== '=') {
        let o = op, v = intConstOf(e.rexpr);
        col = colOf(e.lexpr);
        if (col < 0 || v === null) { col = colOf(e.rexpr); v = intConstOf(e.lexpr); o = FLIP[op]!; }
        if (col < 0 || v === null) continue;
        const x = v;
        match = o === '<' ? (k) => k < x : o === '<=' ? (k) => k <= x : o === '>' ? (k) => k > x : (k) => k >= x;
      } else if (e.kind === 'AEXPR_BETWEEN' && op === 'BETWEEN') {
        col = colOf(e.lexpr);
        const items = e.rexpr?.List?.items as N[] | undefined;
        const lo = intConstOf(items?.[0]), hi = intConstOf(items?.[1]);
        if (col < 0 || lo === null || hi === null) continue;
        match = (k) => k >= lo && k <= hi;
      } else if (e.kind === 'AEXPR_IN' && op === '=') {
        col = colOf(e.lexpr);
        const vals = ((e.rexpr?.List?.items ?? []) as N[]).map(intConstOf);
        if (col < 0 || !vals.length || vals.some((v) => v === null)) continue;
        const set = new Set(vals as number[]);
        match = (k) => set.has(k);
      } else continue;
      const index = t.indexes.find((i) => i.columns.length === 1 && i.columns[0] === col);
      if (!index) continue;
      const tids: number[] = [];
      for (const [k, v] of index.entries) {
        if (typeof k !== 'number') return null; // an int8 key beyond 2^53 (kept as text): leave it to a seq scan
        if (!match(k)) continue;
        if (typeof v === 'number') tids.push(v); else tids.push(...v);
      }
      return { index, tids: [...new Set(tids)].sort((a, b) => a - b) };
    }
    return null;
  }

  private indexProbe(t: Table, whereNode: N | undefined, scope: Scope): { index: BtreeIndex; key: string | number } | null {
    if (!whereNode || t.indexes.length === 0) return null;
    if (t.stats) {
      // With statistics the planner knows the table is small and prefers a sequential scan (cost: pages +
      // 0.0125 per tuple) over an index scan (~8.3: a random index page + a random heap page). Without them it
      // assumes 10 pages for a never-vacuumed table and takes the index.
      const pages = t.heap.pages.length;
      const tuples = (t.stats.reltuples / Math.max(1, t.stats.relpages)) * pages;
      if (pages + 0.0125 * tuples < 8.3) return null;
    }
    const conj: N[] = whereNode.BoolExpr?.boolop === 'AND_EXPR' ? whereNode.BoolExpr.args : [whereNode];
    for (const c of conj) {
      const e = c.A_Expr;
      if (!e || e.kind !== 'AEXPR_OP' || e.name?.[0]?.String?.sval !== '=' || e.name.length !== 1) continue;
      for (const [colSide, constSide] of [[e.lexpr, e.rexpr], [e.rexpr, e.lexpr]] as [N, N][]) {
        const fields = colSide?.ColumnRef?.fields;
        if (!fields || fields.length !== 1 || !fields[0].String) continue;
        const colIdx = t.columns.findIndex((col) => col.name === fields[0].String.sval);
        if (colIdx < 0) continue;
        const index = t.indexes.find((i) => i.columns.length === 1 && i.columns[0] === colIdx);
        if (!index) continue;
        if (!constSide?.A_Const || constSide.A_Const.isnull) continue;
        const colType = t.columns[colIdx]!.type;
        const k = compileExpr(constSide, { ...scope, aggs: undefined });
        // only when comparing in the column's own type (no cross-type semantics to reproduce)
        // bpchar compares ignoring trailing blanks, text and varchar do not: probe only within one of the two semantics
        const blankPadded = (t: SqlType) => t.name === 'bpchar';
        const sameFamily = (k.type.name === 'unknown') || (['int2', 'int4', 'int8'].includes(k.type.name) && ['int2', 'int4', 'int8'].includes(colType.name)) ||
          (isStringLike(k.type) && isStringLike(colType) && (blankPadded(colType) ? k.type.name !== 'text' : !blankPadded(k.type)));
        if (!sameFamily) continue;
        let v: Value;
        try { v = castTo(k, colType, false).fn(null as unknown as Row); } catch { continue; }
        if (v === null) continue;
        const vals: Value[] = [];
        vals[colIdx] = v;
        const key = index.keyOf(vals);
        if (key === null) continue;
        return { index, key };
      }
    }
    return null;
  }

  private compileWhere(n: N | undefined, scope: Scope): Compiled | null {
    if (!n) return null;
    const w = compileExpr(n, scope);
    if (w.type.name === 'bool') return w;
    if (w.type.name === 'unknown') return castTo(w, T.bool, false);
    throw new PgError('42804', `argument of WHERE must be type boolean, not type ${typeDisplayName(w.type)}`, { position: posOf(firstLocation(n)) });
  }

  // ------------------------------------------------------------------ SELECT

  private *selectStmt(s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
    const q = yield* this.query(s, n, raw.text, true);
    return { command: `SELECT ${q.rows.length}`, columns: q.names.map((name, i) => ({ name, type: q.types[i]!.name })), rows: q.rows.map((r) => r.map(formatValue)) };
  }

  /** Run a SELECT (or VALUES) and return its rows as values. */
  /**
   * A subquery runs with the enclosing statement's snapshot, once per row of the enclosing query when it is
   * correlated, once altogether when it is not (an InitPlan). It never waits: it only reads.
   */
  private prepareSubquery(s: Session, select: N, outer: Scope, snapshot: () => Snapshot) {
    const ref: { current: Row | null } = { current: null };
    const outerInfo = { scope: outer, row: ref, used: false };
    let cached: Value[][] | null = null;
    let types: SqlType[] = [];
    const runOnce = (outerRow: Row | null) => {
      ref.current = outerRow;
      const g = this.query(s, select, outer.sql, false, { outer: outerInfo, snapshot });
      const r = g.next();
      if (!r.done) throw notSupported('a subquery that has to wait for a lock');
      types = r.value.types;
      return r.value.rows;
    };
    // compile (and run) it once now with no outer row, to learn its column types and report errors early
    const dummy: Row = { vals: outer.columns.map(() => null), item: null, blk: 0, off: 0, aggs: null };
    const first = runOnce(dummy);
    if (!outerInfo.used) cached = first;
    return {
      types,
      run: (outerRow: Row) => cached ?? runOnce(outerRow),
    };
  }

  private *query(s: Session, n: N, sql: string, topLevel: boolean, sub?: { outer: NonNullable<Scope['outer']>; snapshot: () => Snapshot }): Gen<{ names: string[]; types: SqlType[]; rows: Value[][] }> {
    if (n.withClause) throw notSupported('WITH queries', posOf(n.withClause.location));
    if (n.op && n.op !== 'SETOP_NONE') throw notSupported(`${String(n.op).replace('SETOP_', '')} (set operations)`);
    if (n.intoClause) throw notSupported('SELECT INTO');
    let snapCache: Snapshot | null = null;
    const snap = sub ? sub.snapshot : () => (snapCache ??= this.eng.snapshotFor(s));
    snap();
    if (n.valuesLists) return this.valuesQuery(s, n, sql, snap);
    const src = this.source(s, n.fromClause, snap, sql);
    if (sub) src.scope.outer = sub.outer;
    const locking = n.lockingClause as N[] | undefined;
    let lockMode: TupleLockMode | null = null, policy: WaitPolicy = 'block';
    if (locking?.length) {
      const lc = locking[0]!.LockingClause;
      lockMode = LOCK_STRENGTH[lc.strength]!;
      policy = lc.waitPolicy === 'LockWaitSkip' ? 'skip' : lc.waitPolicy === 'LockWaitError' ? 'error' : 'block';
      if (src.tables) throw notSupported(`${LOCK_CLAUSE_NAME[lockMode]} with joins`);
      if (!src.table) throw new PgError('0A000', `${LOCK_CLAUSE_NAME[lockMode]} cannot be applied to a function`);
      if (!topLevel) throw notSupported('row locking in INSERT ... SELECT');
    }
    if (src.table) yield* this.lockRelation(s, src.table, lockMode ? LockMode.RowShare : LockMode.AccessShare);
    for (const jt of src.tables ?? []) yield* this.lockRelation(s, jt, LockMode.AccessShare);
    if (lockMode) { this.checkReadOnly(s, `SELECT ${LOCK_CLAUSE_NAME[lockMode]}`); s.tx!.cidUsed = true; } // standard_ExecutorStart: GetCurrentCommandId(true)

    const scope = src.scope;
    const where = this.compileWhere(n.whereClause, scope);
    const hasGroup = !!n.groupClause?.length;
    const aggs: AggSpec[] = [];
    // Targets: detect aggregates by compiling in grouping mode first.
    const groupCols = new Set<number>();
    if (hasGroup) {
      for (const g of n.groupClause as N[]) {
        const idx = this.groupColumn(g, n.targetList, scope);
        groupCols.add(idx);
      }
    }
    const aggScope: Scope = { ...scope, aggs, groupCols };
    const targets: Compiled[] = [];
    const names: string[] = [];
    /** what each target computes, to tell "the same expression twice" from different ones (ORDER BY ambiguity) */
    const exprKeys: string[] = [];
    const compileTargets = (sc: Scope) => {
      targets.length = 0; names.length = 0; exprKeys.length = 0;
      for (const t of (n.targetList ?? []) as N[]) {
        const rt = t.ResTarget;
        const cr = rt.val.ColumnRef;
        if (cr && cr.fields[cr.fields.length - 1].A_Star) {
          if (!src.table && src.scope.columns.length === 0) throw new PgError('42601', 'SELECT * with no tables specified is not valid', { position: posOf(cr.location) });
          src.scope.columns.forEach((c, i) => {
            if (sc.aggs && !sc.groupCols?.has(i)) {
              throw new PgError('42803', `column "${scope.alias ?? scope.relName}.${c.name}" must appear in the GROUP BY clause or be used in an aggregate function`, { position: posOf(cr.location) });
            }
            targets.push({ fn: (r) => r.vals[i]!, type: c.type, name: c.name, strength: 2 });
            names.push(c.name);
            exprKeys.push(`column ${i}`);
          });
          continue;
        }
        const c = compileExpr(rt.val, sc);
        targets.push(c.type.name === 'unknown' ? castTo(c, T.text, false) : c);
        names.push(rt.name ?? c.name);
        exprKeys.push(expressionKey(rt.val, scope));
      }
    };
    const grouping = hasGroup || !!n.havingClause || containsAggregate(n.targetList) || containsAggregate(n.sortClause);
    const exprScope = grouping ? aggScope : scope;
    compileTargets(exprScope);
    const having = n.havingClause ? compileExpr(n.havingClause, aggScope) : null;
    if (grouping && lockMode) throw new PgError('0A000', `${LOCK_CLAUSE_NAME[lockMode]} is not allowed with ${hasGroup ? 'GROUP BY clause' : 'aggregate functions'}`);

    // Sort keys: output-column names and ordinals refer to targets, anything else is an expression.
    const sortKeys: { fn: (r: Row) => Value; desc: boolean; nullsFirst: boolean }[] = [];
    for (const sb of (n.sortClause ?? []) as N[]) {
      const sn = sb.SortBy;
      const desc = sn.sortby_dir === 'SORTBY_DESC';
      const nullsFirst = sn.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : sn.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc;
      let fn: ((r: Row) => Value) | null = null;
      const k = sn.node;
      if (k.A_Const?.ival !== undefined || (k.A_Const && Object.keys(k.A_Const).length === 1 && k.A_Const.location !== undefined && !k.A_Const.sval && !k.A_Const.fval && !k.A_Const.boolval)) {
        const pos = intConst(k.A_Const) ?? 0;
        if (pos < 1 || pos > targets.length) throw new PgError('42P10', `ORDER BY position ${pos} is not in select list`, { position: posOf(k.A_Const.location) });
        fn = targets[pos - 1]!.fn;
      } else if (k.ColumnRef?.fields?.length === 1 && k.ColumnRef.fields[0].String) {
        // a bare name is an output column first (SQL92 rule, findTargetlistEntrySQL92), an input column only if none
        const nm = k.ColumnRef.fields[0].String.sval;
        const hits = names.map((x, i) => (x === nm ? i : -1)).filter((i) => i >= 0);
        if (hits.some((i) => exprKeys[i] !== exprKeys[hits[0]!])) throw new PgError('42702', `ORDER BY "${nm}" is ambiguous`, { position: posOf(k.ColumnRef.location) });
        if (hits.length) fn = targets[hits[0]!]!.fn;
      }
      if (!fn) {
        const c = compileExpr(k, exprScope);
        fn = c.fn;
      }
      sortKeys.push({ fn, desc, nullsFirst });
    }

    const limitEarly = n.limitCount ? this.constInt(n.limitCount, scope, 'LIMIT') : null;
    // Fast path: no grouping, sorting, DISTINCT, OFFSET or locking — project rows as they are produced.
    if (!grouping && !sortKeys.length && !lockMode && !n.distinctClause && !n.limitOffset && !src.table) {
      const out: Value[][] = [];
      const r: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
      const nt = targets.length;
      for (const vals of src.rows!()) {
        if (limitEarly !== null && out.length >= limitEarly) break;
        r.vals = vals;
        if (where && where.fn(r) !== true) continue;
        const o = new Array<Value>(nt);
        for (let i = 0; i < nt; i++) o[i] = targets[i]!.fn(r);
        out.push(o);
      }
      return { names, types: targets.map((t) => t.type), rows: out };
    }
    // Produce rows.
    let rows: Row[] = [];
    if (src.table) {
      // ORDER BY a plain column of the table: without statistics the planner walks an index on it instead of sorting
      const first = ((n.sortClause ?? []) as N[])[0]?.SortBy?.node?.ColumnRef?.fields as N[] | undefined;
      const orderCol = !grouping && first?.length === 1 && first[0]!.String ? src.table.columns.findIndex((c) => c.name === first[0]!.String.sval) : -1;
      rows = this.scan(s, src.table, snap(), where, n.whereClause, scope, orderCol);
    } else {
      const r: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
      for (const vals of src.rows!()) {
        r.vals = vals;
        if (where && where.fn(r) !== true) continue;
        rows.push({ vals, item: null, blk: 0, off: 0, aggs: null });
      }
    }

    if (grouping) rows = this.aggregate(rows, aggs, groupCols, hasGroup, having);

    if (sortKeys.length) {
      const keyed = rows.map((r) => ({ r, k: sortKeys.map((sk) => sk.fn(r)) }));
      keyed.sort((a, b) => {
        for (let i = 0; i < sortKeys.length; i++) {
          const sk = sortKeys[i]!;
          const x = a.k[i]!, y = b.k[i]!;
          if (x === null || y === null) {
            if (x === y) continue;
            return (x === null) === sk.nullsFirst ? -1 : 1;
          }
          const c = compareValues(x, y);
          if (c !== 0) return sk.desc ? -c : c;
        }
        return 0;
      });
      rows = keyed.map((x) => x.r);
    }

    const limit = n.limitCount ? this.constInt(n.limitCount, scope, 'LIMIT') : null;
    const offset = (n.limitOffset ? this.constInt(n.limitOffset, scope, 'OFFSET') : 0) ?? 0;
    const distinct = !!n.distinctClause;
    if (distinct && n.distinctClause.length && n.distinctClause[0] && Object.keys(n.distinctClause[0]).length) throw notSupported('DISTINCT ON');
    const out: Value[][] = [];
    const seen = distinct ? new Set<string>() : null;
    let skipped = 0;
    for (let r of rows) {
      if (limit !== null && out.length >= limit) break;
      if (lockMode && src.table) {
        const locked = yield* this.lockRowForSelect(s, src.table, r as Candidate, lockMode, policy, where);
        if (!locked) continue;
        r = locked;
      }
      const vals = targets.map((t) => t.fn(r));
      if (seen) {
        const key = JSON.stringify(vals.map(formatValue));
        if (seen.has(key)) continue;
        seen.add(key);
      }
      if (skipped < offset) { skipped++; continue; }
      out.push(vals);
    }
    return { names, types: targets.map((t) => t.type), rows: out };
  }

  private groupColumn(g: N, targetList: N[] | undefined, scope: Scope): number {
    if (g.A_Const?.ival !== undefined) {
      const pos = intConst(g.A_Const)!;
      const t = targetList?.[pos - 1]?.ResTarget?.val;
      if (!t) throw new PgError('42P10', `GROUP BY position ${pos} is not in select list`, { position: posOf(g.A_Const.location) });
      return this.groupColumn(t, undefined, scope);
    }
    const f = g.ColumnRef?.fields;
    if (f && f[f.length - 1].String) {
      const nm = f[f.length - 1].String.sval;
      const rel = f.length === 2 && scope.rels ? scope.rels.find((r) => r.name === f[0].String.sval) : undefined;
      const idx = rel ? scope.columns.findIndex((c, i) => c.name === nm && i >= rel.offset && i < rel.offset + rel.count) : scope.columns.findIndex((c) => c.name === nm);
      if (idx < 0 && targetList) {
        const t = targetList.find((x: N) => x.ResTarget.name === nm);
        if (t) return this.groupColumn(t.ResTarget.val, undefined, scope);
      }
      if (idx < 0) throw new PgError('42703', `column "${nm}" does not exist`, { position: posOf(g.ColumnRef.location) });
      return idx;
    }
    throw notSupported('GROUP BY expressions (group by columns or output positions)', posOf(firstLocation(g)));
  }

  private aggregate(rows: Row[], aggs: AggSpec[], groupCols: Set<number>, hasGroup: boolean, having: Compiled | null): Row[] {
    const groups = new Map<string, { rep: Row; states: ReturnType<typeof newAggState>[] }>();
    const cols = [...groupCols];
    const order: string[] = [];
    const get = (r: Row) => {
      const key = hasGroup ? JSON.stringify(cols.map((c) => formatValue(r.vals[c]!))) : '';
      let g = groups.get(key);
      if (!g) { g = { rep: r, states: aggs.map(newAggState) }; groups.set(key, g); order.push(key); }
      return g;
    };
    if (!hasGroup) get({ vals: [], item: null, blk: 0, off: 0, aggs: null });
    for (const r of rows) {
      const g = get(r);
      for (let i = 0; i < aggs.length; i++) g.states[i]!.add(aggs[i]!.arg ? aggs[i]!.arg!.fn(r) : null);
    }
    const out: Row[] = [];
    for (const key of order) {
      const g = groups.get(key)!;
      const r: Row = { vals: g.rep.vals, item: g.rep.item, blk: g.rep.blk, off: g.rep.off, aggs: g.states.map((st) => st.result()) };
      if (having && having.fn(r) !== true) continue;
      out.push(r);
    }
    return out;
  }

  private constInt(node: N, scope: Scope, what: string): number | null {
    const c = compileExpr(node, { ...scope, columns: [], hasSystem: false });
    const v = castTo(c, T.int8, false).fn(null as unknown as Row);
    if (v === null) return null;
    if ((v as number | bigint) < 0) throw new PgError(what === 'LIMIT' ? '2201W' : '2201X', `${what} must not be negative`);
    return Number(v); // a bound past 2^53 rows is as good as infinite
  }

  private valuesQuery(s: Session, n: N, sql: string, snap: () => Snapshot): { names: string[]; types: SqlType[]; rows: Value[][] } {
    const scope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env: this.env(s, snap), sql };
    checkValuesLists(n.valuesLists as N[]);
    const lists = (n.valuesLists as N[]).map((l) => (l.List.items as N[]).map((e) => compileExpr(e, scope)));
    const width = lists[0]!.length;
    const types: SqlType[] = [];
    for (let i = 0; i < width; i++) {
      let t: SqlType = T.unknown;
      for (const l of lists) if (l[i]!.type.name !== 'unknown') { t = l[i]!.type; break; }
      types.push(t.name === 'unknown' ? T.text : t);
    }
    const rows = lists.map((l) => l.map((c, i) => castTo(c, types[i]!, false).fn(null as unknown as Row)));
    return { names: types.map((_, i) => `column${i + 1}`), types, rows };
  }

  // ------------------------------------------------------------------ row locking (sql/rowlocks.ts does the waiting)

  private *lockRowForSelect(s: Session, t: Table, c: Candidate, mode: TupleLockMode, policy: WaitPolicy, where: Compiled | null): Gen<Candidate | null> {
    const { tm, skipped } = yield* lockTuple(this, s, t, c.blk, c.off, mode, policy, true);
    if (skipped) return null;
    switch (tm) {
      case TM.Ok: return c;
      case TM.Updated: case TM.Deleted: {
        if (usesXactSnapshot(s.tx!.isolation)) throw new PgError('40001', 'could not serialize access due to concurrent update');
        if (tm === TM.Deleted) return null;
        const latest = yield* lockLatest(this, s, t, c.item, mode, policy, true);
        if (!latest) return null;
        if (where && where.fn(latest) !== true) return null;
        return latest;
      }
      default: return null; // TM_SelfModified, TM_Invisible
    }
  }

  // ------------------------------------------------------------------ INSERT

  private *insertStmt(s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
    if (n.withClause) throw notSupported('WITH queries');
    const t = this.table(n.relation);
    const snapshot = this.eng.snapshotFor(s);
    const snap = () => snapshot;
    yield* this.lockRelation(s, t, LockMode.RowExclusive);
    this.checkReadOnly(s, 'INSERT');
    s.tx!.cidUsed = true; // a data-modifying command uses its command id even if it changes no row (standard_ExecutorStart)
    const targetCols: number[] = n.cols
      ? (n.cols as N[]).map((c, k, all) => {
        const idx = t.columns.findIndex((col) => col.name === c.ResTarget.name);
        if (idx < 0) throw new PgError('42703', `column "${c.ResTarget.name}" of relation "${t.name}" does not exist`, { position: posOf(c.ResTarget.location) });
        if (all.slice(0, k).some((x: N) => x.ResTarget.name === c.ResTarget.name)) throw new PgError('42701', `column "${c.ResTarget.name}" specified more than once`, { position: posOf(c.ResTarget.location) });
        return idx;
      })
      : t.columns.map((_, i) => i);
    const env = this.env(s, snap);
    const noScope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env, sql: raw.text };
    let rows: Value[][];
    const defaults = this.defaultMaker(t, s, snap);
    const sel = n.selectStmt?.SelectStmt;
    if (!sel) throw notSupported('INSERT ... DEFAULT VALUES');
    if (sel.valuesLists) {
      checkValuesLists(sel.valuesLists as N[]);
      rows = [];
      for (const l of sel.valuesLists as N[]) {
        const items = l.List.items as N[];
        if (items.length > targetCols.length) throw new PgError('42601', 'INSERT has more expressions than target columns', { position: posOf(firstLocation(items[targetCols.length]!)) });
        if (items.length < targetCols.length && n.cols) throw new PgError('42601', 'INSERT has more target columns than expressions', { position: posOf(n.cols[items.length].ResTarget.location) });
        const provided = new Set<number>();
        items.forEach((e, i) => { if (!e.SetToDefault) provided.add(t.columns[targetCols[i]!]!.attnum - 1); });
        const vals: Value[] = defaults(provided);
        items.forEach((e, i) => {
          const col = t.columns[targetCols[i]!]!;
          if (e.SetToDefault) return;
          vals[col.attnum - 1] = this.assign(compileExpr(e, noScope), col, firstLocation(e)).fn(null as unknown as Row);
        });
        rows.push(vals);
      }
    } else {
      const q = yield* this.query(s, sel, raw.text, false);
      if (q.types.length > targetCols.length) throw new PgError('42601', 'INSERT has more expressions than target columns');
      const identity = q.types.length === t.columns.length && targetCols.every((c, i) => c === i) &&
        q.types.every((ty, i) => ty.name === t.columns[i]!.type.name && t.columns[i]!.type.typmod < 0);
      const convs = q.types.map((ty, i) => this.assign({ fn: (r) => r.vals[i]!, type: ty, name: '', strength: 0 }, t.columns[targetCols[i]!]!, undefined).fn);
      const r: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
      const provided = new Set(targetCols.slice(0, convs.length));
      rows = identity ? q.rows : q.rows.map((src) => {
        r.vals = src;
        const vals = defaults(provided);
        for (let i = 0; i < convs.length; i++) vals[targetCols[i]!] = convs[i]!(r);
        return vals;
      });
    }
    const returning = n.returningList ?? n.returningClause?.exprs;
    const ret = returning ? this.compileReturning(returning, this.tableScope(t, null, s, snap, raw.text)) : null;
    const out: Value[][] = [];
    const hctx = this.heapCtx(s);
    const onConflict = n.onConflictClause ? this.prepareOnConflict(s, t, n, snap, raw.text) : null;
    let inserted = 0, affected = 0;
    rowLoop: for (const vals of rows) {
      if (++inserted % PROGRESS_ROWS === 0) yield { kind: 'progress', done: inserted, total: rows.length };
      this.checkConstraints(s, t, vals, snap);
      if (onConflict) {
        // speculative insertion's pre-check (ExecCheckIndexConstraints), waiting out in-progress inserters
        for (;;) {
          const c = this.findConflict(s, t, onConflict.arbiters, vals);
          if (!c) break;
          if (c.xwait) {
            yield* this.eng.waitForXact(s, c.xwait, `while checking uniqueness of tuple ${formatTid(c.blk, c.off)} in relation "${t.name}"`);
            continue;
          }
          const res = yield* onConflict.handle(vals, c.blk, c.off);
          if (res === 'retry') continue;
          if (res) { affected++; if (ret) out.push(ret.fns.map((f) => f(res))); }
          continue rowLoop;
        }
      }
      affected++;
      this.eng.ensureXid(s);
      if (s.tx!.sxact) this.eng.predicates.checkConflictIn(s.tx!.sxact, t.oid);
      const tid = heapInsert(hctx, t, vals);
      if (t.indexes.length) {
        const waitAt = this.indexInsertAll(s, t, vals, tid.blk, tid.off);
        if (waitAt >= 0) yield* this.indexInsertRest(s, t, waitAt, vals, tid.blk, tid.off);
      }
      if (ret) out.push(ret.fns.map((f) => f({ vals, item: t.heap.item(tid.blk, tid.off)!, blk: tid.blk, off: tid.off, aggs: null })));
    }
    return this.dmlResult(`INSERT 0 ${affected}`, ret, out);
  }

  /** A live or in-progress row with the same key in an arbiter index (through the dirty snapshot). */
  private findConflict(s: Session, t: Table, arbiters: BtreeIndex[], vals: Value[]): { blk: number; off: number; xwait: number } | null {
    const vctx = this.eng.visibilityContext(s);
    const visit = this.pageVisitor(s, t);
    for (const index of arbiters) {
      const key = index.keyOf(vals);
      if (key === null) continue;
      for (const tid of index.lookup(key)) {
        visit(tidBlock(tid));
        for (const m of hotChain(t, tidBlock(tid), tidOffset(tid), this.eng.multis)) {
          const d = satisfiesDirty(m.item, vctx);
          if (!d.visible) continue;
          return { blk: m.blk, off: m.off, xwait: d.waitXmin || d.waitXmax };
        }
      }
    }
    return null;
  }

  /**
   * INSERT ... ON CONFLICT: the arbiter indexes, and what to do with a conflicting row — nothing, or lock it
   * and update it (ExecOnConflictUpdate). Under REPEATABLE READ / SERIALIZABLE a conflicting row that the
   * snapshot cannot see is a serialization failure.
   */
  private prepareOnConflict(s: Session, t: Table, n: N, snap: () => Snapshot, sql: string) {
    const oc = n.onConflictClause;
    let arbiters: BtreeIndex[];
    if (oc.infer?.conname) {
      const i = t.indexes.find((x) => x.name === oc.infer.conname);
      if (!i) throw new PgError('42704', `constraint "${oc.infer.conname}" for table "${t.name}" does not exist`);
      arbiters = [i];
    } else if (oc.infer?.indexElems) {
      const cols = (oc.infer.indexElems as N[]).map((e) => {
        const idx = t.columns.findIndex((c) => c.name === e.IndexElem.name);
        if (idx < 0) throw new PgError('42703', `column "${e.IndexElem.name}" does not exist`, { position: posOf(oc.infer.location) });
        return idx;
      }).sort();
      arbiters = t.indexes.filter((i) => i.unique && [...i.columns].sort().join() === cols.join());
      if (!arbiters.length) throw new PgError('42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
    } else {
      if (oc.action === 'ONCONFLICT_UPDATE') throw new PgError('42601', 'ON CONFLICT DO UPDATE requires inference specification or constraint name', { hint: 'For example, ON CONFLICT (column_name).', position: posOf(oc.location) });
      arbiters = t.indexes.filter((i) => i.unique);
    }
    // the handlers below are generator methods (no arrow form): they reach the executor through `self`
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const notVisible = (item: Item) => {
      if (!usesXactSnapshot(s.tx!.isolation)) return false;
      return !VIS_VISIBLE[satisfiesMVCC(item, snap(), this.eng.visibilityContext(s))];
    };
    if (oc.action !== 'ONCONFLICT_UPDATE') {
      return {
        arbiters,
        *handle(_vals: Value[], blk: number, off: number): Gen<Row | null | 'retry'> {
          if (notVisible(t.heap.item(blk, off)!)) throw new PgError('40001', 'could not serialize access due to concurrent update');
          return null;
        },
      };
    }
    // DO UPDATE: SET and WHERE see the existing row (the target) and EXCLUDED (the row proposed for insertion)
    const excludedRow: { current: Row | null } = { current: null };
    const scope = this.tableScope(t, n.relation.alias?.aliasname ?? null, s, snap, sql);
    scope.outer = { scope: { ...this.tableScope(t, 'excluded', s, snap, sql), hasSystem: false }, row: excludedRow, used: false };
    const sets = (oc.targetList as N[]).map((tl) => {
      const rt = tl.ResTarget;
      const idx = t.columns.findIndex((c) => c.name === rt.name);
      if (idx < 0) throw new PgError('42703', `column "${rt.name}" of relation "${t.name}" does not exist`, { position: posOf(rt.location) });
      return { idx, fn: this.assign(compileExpr(rt.val, scope), t.columns[idx]!, firstLocation(rt.val)).fn };
    });
    const where = oc.whereClause ? this.compileWhere(oc.whereClause, scope) : null;
    const keyCols = [...t.keyColumns], idxCols = [...t.indexedColumns];
    // ExecUpdateLockMode: the conflicting row is locked FOR UPDATE only if a key column is among the SET targets
    const lockMode: TupleLockMode = sets.some((x) => t.keyColumns.has(x.idx)) ? 'exclusive' : 'nokeyexclusive';
    return {
      arbiters,
      *handle(vals: Value[], blk: number, off: number): Gen<Row | null | 'retry'> {
        const { tm } = yield* lockTuple(self, s, t, blk, off, lockMode, 'block', false);
        if (tm !== TM.Ok) {
          if (tm === TM.SelfModified || tm === TM.Invisible) throw new PgError('21000', 'ON CONFLICT DO UPDATE command cannot affect row a second time', { hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.' });
          if (usesXactSnapshot(s.tx!.isolation)) throw new PgError('40001', 'could not serialize access due to concurrent update');
          return 'retry'; // updated or deleted meanwhile: look for the conflict again
        }
        const item = t.heap.item(blk, off)!;
        if (notVisible(item)) throw new PgError('40001', 'could not serialize access due to concurrent update');
        excludedRow.current = { vals, item: null, blk: 0, off: 0, aggs: null };
        const existing: Row = { vals: item.values, item, blk, off, aggs: null };
        if (where && where.fn(existing) !== true) return null;
        const newVals = item.values.slice();
        for (const st of sets) newVals[st.idx] = st.fn(existing);
        self.checkConstraints(s, t, newVals, snap);
        const indexedChanged = idxCols.some((i) => !sameValue(item.values[i]!, newVals[i]!));
        const mode: TupleLockMode = keyCols.some((i) => !sameValue(item.values[i]!, newVals[i]!)) ? 'exclusive' : 'nokeyexclusive';
        // ExecUpdate → heap_update looks at the (now locked by us) version again: no wait, but who else holds it
        const check = yield* waitForModify(self, s, t, blk, off, mode, 'update');
        if (check.tm !== TM.Ok) throw new PgError('XX000', `ON CONFLICT DO UPDATE found its locked row ${formatTid(blk, off)} in state ${check.tm}`);
        if (s.tx!.sxact) self.eng.predicates.checkConflictIn(s.tx!.sxact, t.oid, blk, off, s.tx!.subs.length > 0);
        const nt = heapUpdate(self.heapCtx(s), t, blk, off, newVals, indexedChanged, mode, check.lockers);
        if (check.tupleLock) self.eng.releaseLock(s, { type: 'tuple', rel: t.oid, blk, off }, TUPLE_HW_LOCK[mode]);
        if (!nt.hot && t.indexes.length) {
          const waitAt = self.indexInsertAll(s, t, newVals, nt.blk, nt.off);
          if (waitAt >= 0) yield* self.indexInsertRest(s, t, waitAt, newVals, nt.blk, nt.off);
        }
        return { vals: newVals, item: t.heap.item(nt.blk, nt.off)!, blk: nt.blk, off: nt.off, aggs: null };
      },
    };
  }

  private compileReturning(list: N[], scope: Scope): { fns: ((r: Row) => Value)[]; names: string[]; types: SqlType[] } {
    const fns: ((r: Row) => Value)[] = [], names: string[] = [], types: SqlType[] = [];
    for (const t of list) {
      const rt = t.ResTarget;
      const cr = rt.val.ColumnRef;
      if (cr && cr.fields[cr.fields.length - 1].A_Star) {
        scope.columns.forEach((c, i) => { fns.push((r) => r.vals[i]!); names.push(c.name); types.push(c.type); });
        continue;
      }
      const c = compileExpr(rt.val, scope);
      const cc = c.type.name === 'unknown' ? castTo(c, T.text, false) : c;
      fns.push(cc.fn); names.push(rt.name ?? c.name); types.push(cc.type);
    }
    return { fns, names, types };
  }

  private dmlResult(tag: string, ret: { names: string[]; types: SqlType[] } | null, rows: Value[][]): QueryResult {
    return {
      command: tag,
      columns: ret ? ret.names.map((name, i) => ({ name, type: ret.types[i]!.name })) : null,
      rows: ret ? rows.map((r) => r.map(formatValue)) : [],
    };
  }

  /**
   * The columns' DEFAULT expressions, compiled once. The returned function evaluates them for one row, skipping
   * the columns the row provides: like PostgreSQL, each row gets its own nextval(), and a column given explicitly
   * never consumes a sequence value.
   */
  private defaultMaker(t: Table, s: Session, snap: () => Snapshot): (provided: ReadonlySet<number> | null) => Value[] {
    const fns = t.columns.map((c) => {
      if (!c.defaultExpr) return null;
      const scope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env: this.env(s, snap), sql: '' };
      return this.assign(compileExpr(c.defaultExpr as N, scope), c, undefined).fn;
    });
    const n = fns.length;
    if (fns.every((f) => !f)) return () => new Array<Value>(n).fill(null);
    return (provided) => fns.map((f, i) => (f && !provided?.has(i) ? f(null as unknown as Row) : null));
  }

  /** Assignment coercion of an expression to a column's type (transformAssignedExpr). */
  private assign(c: Compiled, col: Column, location: number | undefined): Compiled {
    try {
      return castTo(c, col.type, false, posOf(location));
    } catch (e) {
      if (e instanceof PgError && e.sqlstate === '42846') {
        throw new PgError('42804', `column "${col.name}" is of type ${typeDisplayName(col.type)} but expression is of type ${typeDisplayName(c.type)}`, {
          hint: 'You will need to rewrite or cast the expression.', ...(location !== undefined ? { position: posOf(location)! } : {}),
        });
      }
      throw e;
    }
  }

  /** ExecConstraints: NOT NULL, then CHECK constraints. */
  private checkConstraints(s: Session, t: Table, vals: Value[], snap: () => Snapshot) {
    const failing = () => failingRow(vals);
    for (const c of t.columns) {
      if (c.notNull && vals[c.attnum - 1] === null) {
        throw new PgError('23502', `null value in column "${c.name}" of relation "${t.name}" violates not-null constraint`, { detail: failing() });
      }
    }
    if (t.checks.length) {
      const row: Row = { vals, item: null, blk: 0, off: 0, aggs: null };
      for (const ch of t.checks) {
        const f = (ch.compiled ??= compileExpr(ch.expr as N, { ...this.tableScope(t, null, s, snap, ''), hasSystem: false })) as Compiled;
        if (f.fn(row) === false) {
          throw new PgError('23514', `new row for relation "${t.name}" violates check constraint "${ch.name}"`, { detail: failing() });
        }
      }
    }
  }

  /**
   * Insert an index entry for the heap tuple at (blk, off); for a unique index first look for live rows with the
   * same key (_bt_check_unique), waiting for in-progress inserters/deleters.
   */
  private *indexInsert(s: Session, t: Table, index: BtreeIndex, vals: Value[], blk: number, off: number): Gen<void> {
    for (;;) {
      const xwait = this.uniqueCheck(s, t, index, vals, blk, off);
      if (!xwait) break;
      if (this.eng.tracer.wants('index')) this.eng.tracer.emit({ kind: 'index', session: s.name, rel: index.name, text: `unique check on ${index.name}: key ${index.describeKey(vals, t.columns.map((c) => c.name))} belongs to a row of in-progress transaction ${xwait}; wait for it to finish` });
      yield* this.eng.waitForXact(s, xwait, `while inserting index tuple ${formatTid(blk, off)} in relation "${index.name}"`);
    }
    this.indexAdd(s, t, index, vals, blk, off);
  }

  /**
   * _bt_check_unique: look at every version with the same key through the dirty snapshot. Returns 0 when the key
   * is free, or the id of an in-progress transaction that must finish first; throws 23505 on a live duplicate.
   */
  private uniqueCheck(s: Session, t: Table, index: BtreeIndex, vals: Value[], blk: number, off: number): number {
    if (!index.unique) return 0;
    const key = index.keyOf(vals);
    if (key === null) return 0;
    const e = index.entries.get(key);
    if (e === undefined) return 0;
    const tids = typeof e === 'number' ? [e] : e;
    const vctx = this.eng.visibilityContext(s);
    const visit = this.pageVisitor(s, t);
    for (let i = 0; i < tids.length; i++) {
      const tid = tids[i]!;
      // walk the HOT chain from the entry (heap_hot_search_buffer with SnapshotDirty)
      const cb = tidBlock(tid);
      visit(cb);
      const page = t.heap.pages[cb];
      if (!page) continue;
      let co = tidOffset(tid);
      let item = page.items[co - 1];
      if (item && item.lpFlags === LpFlags.REDIRECT) { co = item.lpOff; item = page.items[co - 1]; }
      let prevXmax = -1;
      while (item && item.lpFlags === LpFlags.NORMAL && (prevXmax < 0 || item.xmin === prevXmax)) {
        if (!(cb === blk && co === off)) {
          const d = satisfiesDirty(item, vctx);
          if (d.visible) {
            const xwait = d.waitXmin || d.waitXmax;
            if (xwait) return xwait;
            // _bt_check_unique: before reporting the duplicate, check for an SSI conflict as a write to this index
            // page would — a serialization failure the unique violation would otherwise mask wins (40001)
            if (s.tx!.sxact) this.eng.predicates.checkConflictIn(s.tx!.sxact, index.oid, index.leafBlock);
            throw new PgError('23505', `duplicate key value violates unique constraint "${index.name}"`, {
              detail: `Key ${index.describeKey(vals, t.columns.map((c) => c.name))} already exists.`,
            });
          }
        }
        if (!(item.infomask2 & HEAP_HOT_UPDATED) || item.ctidBlock !== cb) break;
        prevXmax = updateXidOf(item, this.eng.multis);
        co = item.ctidOffset;
        item = page.items[co - 1];
        if (item && !(item.infomask2 & HEAP_ONLY_TUPLE)) break;
      }
    }
    return 0;
  }

  private indexAdd(s: Session, t: Table, index: BtreeIndex, vals: Value[], blk: number, off: number): void {
    if (s.tx!.sxact) this.eng.predicates.checkConflictIn(s.tx!.sxact, index.oid, index.leafBlock);
    index.insert(vals, packTid(blk, off));
    const w = this.eng.wal;
    const xid = s.tx!.writeXid;
    if (index.count === 1) w.insert(WalKind.BtreeNewroot, xid, 90, index.oid, index.leafBlock, 0);
    const fpi = index.count > 1 && w.needsFpi(index.leafLsn) ? Math.min(8192, 64 + 16 * index.count) : 0;
    // REDO payload (btree_xlog_insert): the key's values (shared with the tuple) and the heap TID in the record's columns
    // with a full-page image, the record carries the leaf as it is after the insert (REDO restores it whatever is on disk)
    const lsn = w.insert(WalKind.BtreeInsertLeaf, xid, fpi ? 53 : 64, index.oid, index.leafBlock, 0, fpi, fpi ? { values: vals, image: indexImage(index) } satisfies BtreeInsertPayload : vals);
    const ri = w.count - 1;
    w.hx.ensure(ri + 1);
    w.hx.nBlk[ri] = blk; w.hx.nOff[ri] = off;
    index.leafLsn = lsn;
    if (this.eng.tracer.wants('index')) this.eng.tracer.emit({ kind: 'index', session: s.name, rel: index.name, blk, off, lsn: formatLsn(lsn), text: `index ${index.name}: new entry ${index.describeKey(vals, t.columns.map((c) => c.name))} → ${formatTid(blk, off)}` });
  }

  /**
   * Insert index entries for a new heap tuple, index by index. Returns -1 when all are in, or the position of
   * the index whose unique check must wait (the caller continues with indexInsertRest, which can wait).
   */
  private indexInsertAll(s: Session, t: Table, vals: Value[], blk: number, off: number, oldVals?: Value[]): number {
    const idx = t.indexes;
    for (let i = 0; i < idx.length; i++) {
      const index = idx[i]!;
      // An UPDATE that keeps this index's key cannot create a duplicate: the version it replaces was the live
      // holder of the key (PostgreSQL still walks the entries; the answer is always "no conflict").
      let keyKept = oldVals !== undefined;
      if (keyKept) for (const c of index.columns) if (!sameValue(oldVals![c]!, vals[c]!)) { keyKept = false; break; }
      if (!keyKept && this.uniqueCheck(s, t, index, vals, blk, off) !== 0) return i;
      this.indexAdd(s, t, index, vals, blk, off);
    }
    return -1;
  }
  private *indexInsertRest(s: Session, t: Table, from: number, vals: Value[], blk: number, off: number): Gen<void> {
    for (let i = from; i < t.indexes.length; i++) yield* this.indexInsert(s, t, t.indexes[i]!, vals, blk, off);
  }

  // ------------------------------------------------------------------ UPDATE / DELETE

  private *updateStmt(s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
    if (n.fromClause?.length) throw notSupported('UPDATE ... FROM');
    if (n.withClause) throw notSupported('WITH queries');
    const t = this.table(n.relation);
    const snapshot = this.eng.snapshotFor(s);
    const snap = () => snapshot;
    yield* this.lockRelation(s, t, LockMode.RowExclusive);
    this.checkReadOnly(s, 'UPDATE');
    s.tx!.cidUsed = true; // a data-modifying command uses its command id even if it changes no row (standard_ExecutorStart)
    const scope = this.tableScope(t, n.relation.alias?.aliasname ?? null, s, snap, raw.text);
    const where = this.compileWhere(n.whereClause, scope);
    const sets: { idx: number; fn: (r: Row) => Value }[] = [];
    for (const tl of n.targetList as N[]) {
      const rt = tl.ResTarget;
      if (rt.indirection?.length) throw notSupported('assignment to a field or array element', posOf(rt.location));
      if (rt.val?.MultiAssignRef) throw notSupported('multiple-column assignment (a, b) = (...)', posOf(rt.location));
      const idx = t.columns.findIndex((c) => c.name === rt.name);
      if (idx < 0) throw new PgError('42703', `column "${rt.name}" of relation "${t.name}" does not exist`, { position: posOf(rt.location) });
      const col = t.columns[idx]!;
      if (rt.val.SetToDefault) {
        const make = this.defaultMaker(t, s, snap);
        const others = new Set(t.columns.map((_, i) => i).filter((i) => i !== idx));
        sets.push({ idx, fn: () => make(others)[idx]! });
      } else sets.push({ idx, fn: this.assign(compileExpr(rt.val, scope), col, firstLocation(rt.val)).fn });
    }
    // rewriteTargetListIU: after every target is analysed, one column may not be assigned twice
    const twice = sets.find((x, k) => sets.findIndex((y) => y.idx === x.idx) !== k);
    if (twice) throw new PgError('42601', `multiple assignments to same column "${t.columns[twice.idx]!.name}"`);
    const returning = n.returningList ?? n.returningClause?.exprs;
    const ret = returning ? this.compileReturning(returning, scope) : null;
    const keyCols = [...t.keyColumns];
    const idxCols = [...t.indexedColumns];
    // heap_update: FOR UPDATE strength only if a key column's value really changes (HeapDetermineColumnsInfo
    // compares the old and new values: SET k = k keeps the key and takes the weaker FOR NO KEY UPDATE)
    let mode: TupleLockMode = 'nokeyexclusive';
    const modeFor = (old: Value[], nv: Value[]): TupleLockMode => (keyCols.some((i) => !sameValue(old[i]!, nv[i]!)) ? 'exclusive' : 'nokeyexclusive');
    const cands = this.scan(s, t, snapshot, where, n.whereClause, scope);
    let count = 0;
    const out: Value[][] = [];
    const compute = (c: Row): Value[] => {
      const nv = c.vals.slice();
      for (const st of sets) nv[st.idx] = st.fn(c);
      return nv;
    };
    const hctx = this.heapCtx(s);
    const vctx = this.eng.visibilityContext(s);
    /** heap_update + index entries, synchronously; sets `placed` and returns the index position whose unique check must wait, or -1 */
    const placed = { blk: 0, off: 0 };
    const applyUpdate = (cur: Candidate, newVals: Value[], tupleLock: boolean, lockers: LockerCheck): number => {
      this.checkConstraints(s, t, newVals, snap);
      this.eng.ensureXid(s);
      const old = cur.item.values;
      let indexedChanged = false;
      for (const i of idxCols) if (!sameValue(old[i]!, newVals[i]!)) { indexedChanged = true; break; }
      if (s.tx!.sxact) this.eng.predicates.checkConflictIn(s.tx!.sxact, t.oid, cur.blk, cur.off, s.tx!.subs.length > 0);
      const nt = heapUpdate(hctx, t, cur.blk, cur.off, newVals, indexedChanged, mode, lockers);
      if (tupleLock) this.eng.releaseLock(s, { type: 'tuple', rel: t.oid, blk: cur.blk, off: cur.off }, TUPLE_HW_LOCK[mode]);
      placed.blk = nt.blk; placed.off = nt.off;
      return !nt.hot && t.indexes.length ? this.indexInsertAll(s, t, newVals, nt.blk, nt.off, old) : -1;
    };
    const doUpdate = function* (this: Executor, cur: Candidate, newVals: Value[], tupleLock: boolean, lockers: LockerCheck): Gen<void> {
      const waitAt = applyUpdate(cur, newVals, tupleLock, lockers);
      const { blk, off } = placed;
      if (waitAt >= 0) yield* this.indexInsertRest(s, t, waitAt, newVals, blk, off);
      finish(newVals, blk, off);
    };
    const finish = (newVals: Value[], blk: number, off: number) => {
      count++;
      if (ret) out.push(ret.fns.map((f) => f({ vals: newVals, item: t.heap.item(blk, off)!, blk, off, aggs: null })));
    };
    let done = 0;
    for (const cand of cands) {
      if (++done % PROGRESS_ROWS === 0) yield { kind: 'progress', done, total: cands.length };
      // Fast path: nobody else is changing this version (TM_Ok) — no waiting machinery needed.
      vctx.myXid = s.tx!.xid;
      vctx.subXids = s.tx!.subXidSet;
      if (satisfiesUpdate(cand.item, cand.blk, cand.off, vctx) === TM.Ok) {
        const newVals = compute(cand);
        mode = modeFor(cand.item.values, newVals);
        const waitAt = applyUpdate(cand, newVals, false, NO_LOCKER_CHECK);
        if (waitAt >= 0) { const { blk, off } = placed; yield* this.indexInsertRest(s, t, waitAt, newVals, blk, off); finish(newVals, blk, off); } else finish(newVals, placed.blk, placed.off);
        continue;
      }
      let cur: Candidate = cand;
      let newVals = compute(cur);
      for (;;) {
        mode = modeFor(cur.item.values, newVals);
        const { tm, tupleLock, lockers } = yield* waitForModify(this, s, t, cur.blk, cur.off, mode, 'update');
        if (tm === TM.Ok) {
          yield* doUpdate.call(this, cur, newVals, tupleLock, lockers);
          break;
        }
        if (tupleLock) this.eng.releaseLock(s, { type: 'tuple', rel: t.oid, blk: cur.blk, off: cur.off }, TUPLE_HW_LOCK[mode]);
        if (tm === TM.SelfModified || tm === TM.Invisible) break;
        if (usesXactSnapshot(s.tx!.isolation)) {
          throw new PgError('40001', `could not serialize access due to concurrent ${tm === TM.Deleted ? 'delete' : 'update'}`);
        }
        if (tm === TM.Deleted) break;
        const latest = yield* lockLatest(this, s, t, cur.item, mode, 'block', false);
        if (!latest) break;
        if (where && where.fn(latest) !== true) {
          if (this.eng.tracer.wants('epq')) this.eng.tracer.emit({ kind: 'epq', session: s.name, rel: t.name, blk: latest.blk, off: latest.off, text: `EvalPlanQual: the newest version ${formatTid(latest.blk, latest.off)} no longer matches WHERE — row skipped (it stays locked)` });
          break;
        }
        if (this.eng.tracer.wants('epq')) this.eng.tracer.emit({ kind: 'epq', session: s.name, rel: t.name, blk: latest.blk, off: latest.off, text: `EvalPlanQual: the newest version ${formatTid(latest.blk, latest.off)} still matches WHERE — update it` });
        cur = latest;
        newVals = compute(cur);
      }
    }
    return this.dmlResult(`UPDATE ${count}`, ret, out);
  }

  private *deleteStmt(s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
    if (n.usingClause?.length) throw notSupported('DELETE ... USING');
    if (n.withClause) throw notSupported('WITH queries');
    const t = this.table(n.relation);
    const snapshot = this.eng.snapshotFor(s);
    const snap = () => snapshot;
    yield* this.lockRelation(s, t, LockMode.RowExclusive);
    this.checkReadOnly(s, 'DELETE');
    s.tx!.cidUsed = true; // a data-modifying command uses its command id even if it changes no row (standard_ExecutorStart)
    const scope = this.tableScope(t, n.relation.alias?.aliasname ?? null, s, snap, raw.text);
    const where = this.compileWhere(n.whereClause, scope);
    const returning = n.returningList ?? n.returningClause?.exprs;
    const ret = returning ? this.compileReturning(returning, scope) : null;
    const cands = this.scan(s, t, snapshot, where, n.whereClause, scope);
    let count = 0, done = 0;
    const out: Value[][] = [];
    for (const cand of cands) {
      if (++done % PROGRESS_ROWS === 0) yield { kind: 'progress', done, total: cands.length };
      let cur: Candidate = cand;
      for (;;) {
        const { tm, tupleLock } = yield* waitForModify(this, s, t, cur.blk, cur.off, 'exclusive', 'delete');
        const release = () => { if (tupleLock) this.eng.releaseLock(s, { type: 'tuple', rel: t.oid, blk: cur.blk, off: cur.off }, TUPLE_HW_LOCK.exclusive); };
        if (tm === TM.Ok) {
          this.eng.ensureXid(s);
          if (s.tx!.sxact) this.eng.predicates.checkConflictIn(s.tx!.sxact, t.oid, cur.blk, cur.off, s.tx!.subs.length > 0);
          heapDelete(this.heapCtx(s), t, cur.blk, cur.off);
          release();
          count++;
          if (ret) out.push(ret.fns.map((f) => f(cur)));
          break;
        }
        release();
        if (tm === TM.SelfModified || tm === TM.Invisible) break;
        if (usesXactSnapshot(s.tx!.isolation)) {
          throw new PgError('40001', `could not serialize access due to concurrent ${tm === TM.Deleted ? 'delete' : 'update'}`);
        }
        if (tm === TM.Deleted) break;
        const latest = yield* lockLatest(this, s, t, cur.item, 'exclusive', 'block', false);
        if (!latest || (where && where.fn(latest) !== true)) break;
        cur = latest;
      }
    }
    return this.dmlResult(`DELETE ${count}`, ret, out);
  }

  // ------------------------------------------------------------------ DDL and utility

  private *createTable(s: Session, n: N): Gen<QueryResult> {
    const rv = n.relation;
    if (rv.schemaname && rv.schemaname !== 'public') throw notSupported('schemas other than public');
    if (rv.relpersistence === 't') throw notSupported('temporary tables');
    if (rv.relpersistence === 'u') throw notSupported('unlogged tables');
    if (n.inhRelations?.length) throw notSupported('table inheritance');
    if (n.partspec) throw notSupported('partitioned tables');
    this.checkReadOnly(s, 'CREATE TABLE');
    const cat = this.eng.catalog;
    const name = rv.relname as string;
    if (cat.relationExists(name)) {
      if (n.if_not_exists) {
        s.acc.notices.push({ severity: 'NOTICE', sqlstate: '42P07', message: `relation "${name}" already exists, skipping` });
        return { command: 'CREATE TABLE', columns: null, rows: [] };
      }
      throw new PgError('42P07', `relation "${name}" already exists`);
    }
    const columns: Column[] = [];
    const checks: CheckConstraint[] = [];
    const uniques: { cols: string[]; primary: boolean; name?: string }[] = [];
    const checkNames = new Set<string>();
    const serials: { seqName: string; column: string; max: number | bigint }[] = [];
    const pickName = (base: string) => { let nm = base, i = 0; while (checkNames.has(nm) || cat.relationExists(nm)) nm = `${base}${++i}`; checkNames.add(nm); return nm; };
    for (const el of (n.tableElts ?? []) as N[]) {
      if (el.ColumnDef) {
        const cd = el.ColumnDef;
        const tn = cd.typeName;
        const tnames = (tn.names as N[]).map((x) => x.String.sval as string);
        if (tn.arrayBounds?.length) throw notSupported('array columns', posOf(tn.location));
        const last = tnames[tnames.length - 1]!.toLowerCase();
        const serial = SERIAL_TYPES.get(last);
        const mods = ((tn.typmods ?? []) as N[]).map((m) => intConst(m.A_Const) ?? 0);
        const type = serial ? resolveTypeName([serial], [], posOf(tn.location)) : resolveTypeName(tnames, mods, posOf(tn.location));
        if (['xid', 'xid8', 'cid', 'tid', 'pg_snapshot', 'txid_snapshot'].includes(type.name)) throw notSupported(`columns of type ${type.name}`, posOf(tn.location));
        if (columns.some((c) => c.name === cd.colname)) throw new PgError('42701', `column "${cd.colname}" specified more than once`);
        const col: Column = { name: cd.colname, type, notNull: false, defaultExpr: null, attnum: columns.length + 1 };
        if (serial) {
          // a serial column is an integer with NOT NULL and DEFAULT nextval('<table>_<col>_seq') (transformColumnDefinition)
          let seqName = `${name}_${cd.colname}_seq`;
          for (let k = 1; cat.relationExists(seqName) || serials.some((x) => x.seqName === seqName); k++) seqName = `${name}_${cd.colname}_seq${k}`;
          serials.push({ seqName, column: cd.colname, max: type.name === 'int8' ? 9223372036854775807n : type.name === 'int2' ? 32767 : 2147483647 });
          col.notNull = true;
          col.defaultExpr = { FuncCall: { funcname: [{ String: { sval: 'nextval' } }], args: [{ A_Const: { sval: { sval: seqName }, location: -1 } }], location: -1 } };
        }
        for (const cn of (cd.constraints ?? []) as N[]) {
          const c = cn.Constraint;
          switch (c.contype) {
            case 'CONSTR_NOTNULL': col.notNull = true; break;
            case 'CONSTR_NULL': break;
            case 'CONSTR_DEFAULT': col.defaultExpr = materializeLiterals(c.raw_expr); break;
            case 'CONSTR_PRIMARY': col.notNull = true; uniques.push({ cols: [cd.colname], primary: true, name: c.conname }); break;
            case 'CONSTR_UNIQUE': uniques.push({ cols: [cd.colname], primary: false, name: c.conname }); break;
            case 'CONSTR_CHECK': checks.push({ name: c.conname ?? '', expr: materializeLiterals(c.raw_expr), base: `${name}_${cd.colname}_check` } as CheckConstraint & { base: string }); break;
            case 'CONSTR_FOREIGN': throw notSupported('foreign keys', posOf(c.location));
            case 'CONSTR_IDENTITY': throw notSupported('identity columns', posOf(c.location));
            case 'CONSTR_GENERATED': throw notSupported('generated columns', posOf(c.location));
            default: throw notSupported(`column constraint ${c.contype}`, posOf(c.location));
          }
        }
        columns.push(col);
      } else if (el.Constraint) {
        const c = el.Constraint;
        const keys = ((c.keys ?? []) as N[]).map((k) => k.String.sval as string);
        switch (c.contype) {
          case 'CONSTR_PRIMARY': case 'CONSTR_UNIQUE':
            if (c.including?.length) throw notSupported('INCLUDE columns', posOf(c.location));
            uniques.push({ cols: keys, primary: c.contype === 'CONSTR_PRIMARY', name: c.conname });
            break;
          case 'CONSTR_CHECK': {
            const refs = new Set<string>();
            collectColumnRefs(c.raw_expr, refs);
            const base = refs.size === 1 ? `${name}_${[...refs][0]}_check` : `${name}_check`;
            checks.push({ name: c.conname ?? '', expr: materializeLiterals(c.raw_expr), base } as CheckConstraint & { base: string });
            break;
          }
          case 'CONSTR_FOREIGN': throw notSupported('foreign keys', posOf(c.location));
          case 'CONSTR_EXCLUSION': throw notSupported('exclusion constraints', posOf(c.location));
          default: throw notSupported(`table constraint ${c.contype}`, posOf(c.location));
        }
      } else throw notSupported('CREATE TABLE ... LIKE');
    }
    if (uniques.filter((u) => u.primary).length > 1) throw new PgError('42P16', `multiple primary keys for table "${name}" are not allowed`);
    this.eng.ensureXid(s);
    // serial columns' sequences are created first (CREATE SEQUENCE runs before CREATE TABLE)
    for (const sq of serials) {
      const seq = new Sequence(cat.allocOid(), sq.seqName, sq.max, name);
      cat.sequences.set(sq.seqName, seq);
      s.tx!.undo.push(() => cat.sequences.delete(sq.seqName));
      this.eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, seq.oid, -1, 0);
    }
    // OIDs in PostgreSQL's order: the table, its array type and row type, one per DEFAULT and CHECK,
    // the TOAST table and its index (when a column is unbounded), then an index + a constraint per key.
    const oid = cat.allocOid();
    cat.allocOid(); cat.allocOid();
    const nDefaults = columns.filter((c) => c.defaultExpr).length;
    for (let i = 0; i < nDefaults + checks.length; i++) cat.allocOid();
    const toast = needsToast(columns);
    if (toast) { cat.allocOid(); cat.allocOid(); }
    for (const ch of checks as (CheckConstraint & { base: string })[]) ch.name ||= pickName(ch.base);
    const table: Table = {
      oid, name, columns, checks: checks.map(({ name: nm, expr }) => ({ name: nm, expr })), indexes: [], heap: new HeapRelation(),
      keyColumns: new Set(), indexedColumns: new Set(), types: columns.map((c) => c.type),
    };
    if (columns.every((c) => ['int2', 'int4', 'int8', 'bool'].includes(c.type.name))) {
      table.fixedLength = tupleLengthPacked(columns.map(() => 0), table.types);
    }
    for (const u of uniques) {
      const colIdx = u.cols.map((cn) => {
        const i = columns.findIndex((c) => c.name === cn);
        if (i < 0) throw new PgError('42703', `column "${cn}" named in key does not exist`);
        return i;
      });
      if (u.primary) for (const i of colIdx) columns[i]!.notNull = true;
      const iname = u.name ?? pickName(u.primary ? `${name}_pkey` : `${name}_${u.cols.join('_')}_key`);
      const index = new BtreeIndex(cat.allocOid(), iname, colIdx, true, u.primary);
      cat.allocOid(); // its pg_constraint row
      table.indexes.push(index);
      for (const i of colIdx) { table.keyColumns.add(i); table.indexedColumns.add(i); }
    }
    // validate CHECK and DEFAULT expressions now, as PostgreSQL does at CREATE time
    const snapshot = () => this.eng.snapshotFor(s);
    for (const ch of table.checks) {
      const c = compileExpr(ch.expr as N, { ...this.tableScope(table, null, s, snapshot, ''), hasSystem: false });
      if (c.type.name !== 'bool') throw new PgError('42804', `argument of CHECK must be type boolean, not type ${typeDisplayName(c.type)}`);
      ch.compiled = c;
    }
    for (const c of columns) if (c.defaultExpr) this.assign(compileExpr(c.defaultExpr as N, { relName: null, alias: null, columns: [], hasSystem: false, env: this.env(s, snapshot), sql: '' }), c, undefined);
    cat.tables.set(name, table);
    s.tx!.undo.push(() => cat.tables.delete(name));
    this.eng.locks.acquire(s.id, { type: 'relation', rel: oid }, LockMode.AccessExclusive, this.eng.clock.now);
    this.eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, oid, -1, 0);
    // CREATE TABLE runs several catalog commands internally (CommandCounterIncrement between them): the next
    // command's cid moves on by 1, +1 for defaults, +1 for checks, +4 for a TOAST table, +2 per index.
    const cids = 1 + (nDefaults ? 1 : 0) + (checks.length ? 1 : 0) + (toast ? 4 : 0) + 2 * table.indexes.length + 3 * serials.length;
    s.tx!.curcid += cids - 1;
    s.tx!.cidUsed = true;
    return { command: 'CREATE TABLE', columns: null, rows: [] };
  }

  private *dropStmt(s: Session, n: N): Gen<QueryResult> {
    if (n.removeType === 'OBJECT_INDEX') return yield* this.dropIndex(s, n);
    if (n.removeType !== 'OBJECT_TABLE') throw notSupported(`DROP ${String(n.removeType).replace('OBJECT_', '')}`);
    this.checkReadOnly(s, 'DROP TABLE');
    const cat = this.eng.catalog;
    for (const obj of n.objects as N[]) {
      const parts = (obj.List.items as N[]).map((x) => x.String.sval as string);
      const name = parts[parts.length - 1]!;
      const t = cat.get(name);
      if (!t) {
        if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `table "${name}" does not exist, skipping` }); continue; }
        throw new PgError('42P01', `table "${name}" does not exist`);
      }
      yield* this.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.AccessExclusive, null, `waiting for AccessExclusiveLock on ${name} to drop it`);
      this.eng.ensureXid(s);
      cat.tables.delete(name);
      s.tx!.undo.push(() => cat.tables.set(name, t));
      for (const [sn, sq] of [...cat.sequences]) {
        if (sq.ownedBy !== name) continue;
        cat.sequences.delete(sn);
        s.tx!.undo.push(() => cat.sequences.set(sn, sq));
      }
      s.tx!.cidUsed = true;
    }
    return { command: 'DROP TABLE', columns: null, rows: [] };
  }

  /**
   * CREATE [UNIQUE] INDEX: a B-tree over the table's current rows (one entry per HOT chain, for its newest
   * version). It takes a ShareLock on the table — writers wait for it, and it waits for writers. From then on an
   * UPDATE of the indexed columns is no longer HOT.
   */
  private *createIndex(s: Session, n: N): Gen<QueryResult> {
    if (n.concurrent) throw notSupported('CREATE INDEX CONCURRENTLY');
    if (n.accessMethod && n.accessMethod !== 'btree') throw notSupported(`index access method ${n.accessMethod}`);
    if (n.whereClause) throw notSupported('partial indexes');
    if (n.indexIncludingParams?.length) throw notSupported('INCLUDE columns');
    this.checkReadOnly(s, 'CREATE INDEX');
    const t = this.table(n.relation);
    const cat = this.eng.catalog;
    const cols = ((n.indexParams ?? []) as N[]).map((p) => {
      const e = p.IndexElem;
      if (!e.name) throw notSupported('expression indexes');
      const idx = t.columns.findIndex((c) => c.name === e.name);
      if (idx < 0) throw new PgError('42703', `column "${e.name}" does not exist`);
      return idx;
    });
    let name: string = n.idxname ?? '';
    if (name && cat.relationExists(name)) {
      if (n.if_not_exists) {
        s.acc.notices.push({ severity: 'NOTICE', sqlstate: '42P07', message: `relation "${name}" already exists, skipping` });
        return { command: 'CREATE INDEX', columns: null, rows: [] };
      }
      throw new PgError('42P07', `relation "${name}" already exists`);
    }
    if (!name) {
      const base = `${t.name}_${cols.map((c) => t.columns[c]!.name).join('_')}_idx`;
      name = base;
      for (let k = 1; cat.relationExists(name); k++) name = `${base}${k}`;
    }
    yield* this.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.Share, null, `waiting for ShareLock on ${t.name} to build an index`);
    this.eng.ensureXid(s);
    const index = new BtreeIndex(cat.allocOid(), name, cols, !!n.unique, false);
    const vctx = this.eng.visibilityContext(s);
    const liveKeys = new Set<string | number>();
    for (const page of t.heap.pages) {
      page.items.forEach((item, i) => {
        if (item.lpFlags !== LpFlags.NORMAL || item.infomask2 & HEAP_ONLY_TUPLE) return;
        // the chain's newest member that is not known dead gives the key
        let last = item;
        for (const m of hotChain(t, page.blkno, i + 1, this.eng.multis)) last = m.item;
        const d = satisfiesDirty({ ...last }, vctx);
        if (n.unique && d.visible) {
          const key = index.keyOf(last.values);
          if (key !== null && liveKeys.has(key)) {
            throw new PgError('23505', `could not create unique index "${name}"`, { detail: `Key ${index.describeKey(last.values, t.columns.map((c) => c.name))} is duplicated.` });
          }
          if (key !== null) liveKeys.add(key);
        }
        index.insert(last.values, packTid(page.blkno, i + 1));
      });
    }
    t.indexes.push(index);
    cat.standaloneIndexes.add(index.name);
    // index_update_stats: the build records relpages/reltuples — except that an empty, never-vacuumed table stays
    // "never vacuumed" (reltuples -1), so a table indexed before it is loaded does not look small to the planner
    const before = t.stats;
    this.updateStats(s, t);
    if (!before && t.stats!.reltuples === 0) t.stats = undefined;
    const addedIndexed = cols.filter((c) => !t.indexedColumns.has(c));
    const addedKeys = n.unique ? cols.filter((c) => !t.keyColumns.has(c)) : [];
    for (const c of cols) { t.indexedColumns.add(c); if (n.unique) t.keyColumns.add(c); }
    s.tx!.undo.push(() => {
      t.indexes.splice(t.indexes.indexOf(index), 1);
      for (const c of addedIndexed) t.indexedColumns.delete(c);
      for (const c of addedKeys) t.keyColumns.delete(c);
    });
    this.eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, index.oid, -1, 0);
    index.leafLsn = this.eng.wal.insertLsn;
    index.disk = indexImage(index); // the build is written straight to disk and synced (not replayed from WAL)
    s.tx!.curcid += 1; // index_build runs two catalog commands
    s.tx!.cidUsed = true;
    return { command: 'CREATE INDEX', columns: null, rows: [] };
  }

  /**
   * ANALYZE only feeds the planner, which this engine does not have: it is accepted, and like PostgreSQL it gives
   * its transaction an xid when it writes statistics (the table has rows). VACUUM is accepted while there is
   * nothing for it to remove (it then only sets hint bits, as reading does); removing dead versions is not modelled.
   */
  private vacuumStmt(s: Session, n: N): QueryResult {
    const isVacuum = n.is_vacuumcmd === true;
    const opts = ((n.options ?? []) as N[]).map((o) => String(o.DefElem.defname));
    // ExecVacuum: PostgreSQL 15's options (16 added process_main, buffer_usage_limit, skip_database_stats, ...)
    const known = isVacuum ? VACUUM_OPTIONS : ANALYZE_OPTIONS;
    for (const o of (n.options ?? []) as N[]) {
      if (!known.has(o.DefElem.defname)) throw new PgError('42601', `unrecognized ${isVacuum ? 'VACUUM' : 'ANALYZE'} option "${o.DefElem.defname}"`, { position: posOf(o.DefElem.location) });
    }
    if (((n.options ?? []) as N[]).some((o) => o.DefElem.defname === 'index_cleanup' && /^(off|false|0|no)$/i.test(String(o.DefElem.arg?.String?.sval ?? o.DefElem.arg?.A_Const?.sval?.sval ?? o.DefElem.arg?.A_Const?.boolval?.boolval ?? '')))) {
      throw notSupported('VACUUM (INDEX_CLEANUP OFF)');
    }
    if (isVacuum && s.block !== 'none') throw new PgError('25001', 'VACUUM cannot run inside a transaction block');
    if (opts.includes('full')) throw notSupported('VACUUM FULL');
    if (opts.includes('freeze')) throw notSupported('VACUUM FREEZE');
    const analyze = !isVacuum || opts.includes('analyze');
    const rels = ((n.rels ?? []) as N[]).map((r) => this.table(r.VacuumRelation.relation));
    const tables = rels.length ? rels : [...this.eng.catalog.tables.values()];
    if (isVacuum) for (const t of tables) this.vacuumTable(s, t);
    for (const t of tables) this.updateStats(s, t);
    if (analyze) {
      const snap = this.eng.snapshotFor(s);
      const vctx = this.eng.visibilityContext(s);
      const anyRows = tables.some((t) => t.heap.pages.some((p) => p.items.some((it) => it.lpFlags === LpFlags.NORMAL && VIS_VISIBLE[satisfiesMVCC(it, snap, vctx)])));
      if (anyRows) this.eng.ensureTopXid(s);
    }
    return { command: isVacuum ? 'VACUUM' : 'ANALYZE', columns: null, rows: [] };
  }

  /** relpages / reltuples as VACUUM, ANALYZE and index builds record them. */
  private updateStats(s: Session, t: Table) {
    t.heap.targetBlock = -1; // pg_class is updated: the relation's cache entry is rebuilt (relcache invalidation)
    let live = 0;
    for (const p of t.heap.pages) for (const it of p.items) if (it.lpFlags === LpFlags.NORMAL && !(it.infomask & 0x0200) && (it.infomask & 0x0800 || it.infomask & HEAP_XMAX_LOCK_ONLY || it.xmax === 0)) live++;
    t.stats = { relpages: t.heap.pages.length, reltuples: live };
    void s;
  }

  /** Lazy VACUUM of one table: prune every page, clean the index, reclaim dead line pointers (vacuum/). */
  private vacuumTable(s: Session, t: Table) {
    const eng = this.eng;
    const oldestXmin = removableHorizon(eng);
    const ctx = vacuumContext(eng, oldestXmin);
    const deadByPage = new Map<number, number[]>();
    const deadTids = new Set<number>();
    let removed = 0, visible = 0;
    const setVisible = (blk: number) => {
      const page = t.heap.pages[blk]!;
      if (page.flags & PD_ALL_VISIBLE) return;
      page.flags |= PD_ALL_VISIBLE;
      const fpi = eng.wal.fullPageWrites && (t.vmLsn ?? 0) <= eng.wal.redoLsn ? 8192 : 0; // first change of the VM page since the checkpoint
      t.vmLsn = eng.wal.insert(WalKind.Heap2Visible, 0, 64, t.oid, blk, 0, fpi);
      visible++;
    };
    // a Heap2 record carries the page's line pointers after the operation, and a full-page image if it is the
    // page's first change since the checkpoint (like every registered buffer)
    const logHeap2 = (kind: WalKind, len: number, page: Page) => {
      const fpi = eng.wal.needsFpi(page.lsn) ? page.lower + (8192 - page.upper) : 0;
      page.lsn = eng.wal.insert(kind, 0, len, t.oid, page.blkno, 0, fpi, heap2Payload(page, fpi > 0, kind === WalKind.Heap2FreezePage));
    };
    // first pass, page by page: prune (+ freeze what must be), and mark pages without dead items all-visible
    for (const page of t.heap.pages) {
      if (isPinned(eng, t.oid, page.blkno, s.id)) continue; // lazy_scan_noprune: no cleanup lock on a pinned page
      const r = prunePage(page, ctx);
      if (r.pruned) { logHeap2(WalKind.Heap2Prune, 58, page); removed += r.unused + r.deadItems.length + r.redirected; }
      if (r.frozen) logHeap2(WalKind.Heap2FreezePage, 64, page);
      // every LP_DEAD line pointer, also those a reader's pruning left earlier (lazy_scan_prune collects them all)
      const deadItems: number[] = [];
      page.items.forEach((it, k) => { if (it.lpFlags === LpFlags.DEAD) deadItems.push(k + 1); });
      if (deadItems.length) {
        deadByPage.set(page.blkno, deadItems);
        for (const off of deadItems) deadTids.add(packTid(page.blkno, off));
      } else if (r.allVisible) setVisible(page.blkno);
    }
    // index vacuum, then the second heap pass over pages that had dead line pointers
    if (deadTids.size) {
      const before = t.indexes.map((i) => i.count);
      removeIndexEntries(t, deadTids);
      t.indexes.forEach((i, k) => { if (i.count !== before[k]) i.leafLsn = eng.wal.insert(WalKind.BtreeVacuum, 0, 56, i.oid, i.leafBlock, 0, 0, { deadTids } satisfies BtreeVacuumPayload); });
      for (const [blk, offs] of deadByPage) {
        const page = t.heap.pages[blk]!;
        reclaimDead(page, offs);
        logHeap2(WalKind.Heap2Vacuum, 58, page);
        if (prunePage(page, ctx).allVisible) setVisible(blk);
      }
    }
    // the free space map learns each page's room; updating pg_class rebuilds the relation's cache entry, which
    // forgets the target block — the next INSERT asks the FSM and may go back to an earlier page
    for (const page of t.heap.pages) t.heap.fsm.set(page.blkno, HeapRelation.freeSpace(page));
    t.heap.targetBlock = -1;
    if (eng.tracer.wants('wal')) eng.tracer.emit({ kind: 'wal', session: s.name, rel: t.name, text: `VACUUM ${t.name}: horizon ${oldestXmin}; ${removed} dead version(s) pruned, ${deadTids.size} index entr${deadTids.size === 1 ? 'y' : 'ies'} removed, ${visible} page(s) now all-visible` });
  }

  private *dropIndex(s: Session, n: N): Gen<QueryResult> {
    const cat = this.eng.catalog;
    for (const obj of n.objects as N[]) {
      const name = (obj.List.items as N[]).map((x) => x.String.sval as string).pop()!;
      const t = [...cat.tables.values()].find((x) => x.indexes.some((i) => i.name === name));
      if (!t) {
        if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `index "${name}" does not exist, skipping` }); continue; }
        throw new PgError('42704', `index "${name}" does not exist`);
      }
      const index = t.indexes.find((i) => i.name === name)!;
      if (!cat.standaloneIndexes.has(index.name)) {
        throw new PgError('2BP01', `cannot drop index ${name} because constraint ${name} on table ${t.name} requires it`, { hint: `You can drop constraint ${name} on table ${t.name} instead.` });
      }
      yield* this.eng.acquireLock(s, { type: 'relation', rel: t.oid }, LockMode.AccessExclusive);
      this.eng.ensureXid(s);
      t.indexes.splice(t.indexes.indexOf(index), 1);
      s.tx!.undo.push(() => t.indexes.push(index));
      s.tx!.cidUsed = true;
    }
    return { command: 'DROP INDEX', columns: null, rows: [] };
  }

  private *lockStmt(s: Session, n: N): Gen<QueryResult> {
    if (s.block === 'none') throw new PgError('25P01', 'LOCK TABLE can only be used in transaction blocks');
    if (n.nowait) throw notSupported('LOCK ... NOWAIT');
    const mode = n.mode as LockMode;
    for (const r of n.relations as N[]) {
      const t = this.table(r.RangeVar);
      yield* this.eng.acquireLock(s, { type: 'relation', rel: t.oid }, mode);
    }
    return { command: 'LOCK TABLE', columns: null, rows: [] };
  }

  /** CHECKPOINT (RequestCheckpoint with CHECKPOINT_IMMEDIATE | CHECKPOINT_WAIT): see checkpoint/checkpointer.ts. */
  private checkpoint(s: Session): QueryResult {
    this.eng.checkpoint('immediate', s.name);
    return { command: 'CHECKPOINT', columns: null, rows: [] };
  }
}

/** Members of a HOT chain starting at a root line pointer (following redirects and heap-only successors). */
export function* hotChain(t: Table, blk: number, off: number, multis: MultiXacts): Generator<{ blk: number; off: number; item: Item }> {
  const page = t.heap.pages[blk];
  if (!page) return;
  let item = page.items[off - 1];
  if (item && item.lpFlags === LpFlags.REDIRECT) { off = item.lpOff; item = page.items[off - 1]; }
  let prevXmax = -1;
  while (item && item.lpFlags === LpFlags.NORMAL) {
    if (prevXmax >= 0 && item.xmin !== prevXmax) return;
    yield { blk, off, item };
    if (!(item.infomask2 & HEAP_HOT_UPDATED) || item.ctidBlock !== blk) return;
    prevXmax = updateXidOf(item, multis);
    off = item.ctidOffset;
    item = page.items[off - 1];
    if (item && !(item.infomask2 & HEAP_ONLY_TUPLE)) return;
  }
}

/**
 * HeapCheckForSerializableConflictOut: which transaction's write did this read skip over? (The inserter of a
 * version we cannot see, or the deleter of one we still see.) 0 when none matters.
 */
function conflictOutXid(item: Item, visible: boolean, snap: Snapshot, eng: Engine): number {
  const clog = eng.xacts.clog;
  if (item.infomask & 0x0200 /* XMIN_INVALID */) return 0;
  const xminRunning = eng.xacts.isInProgress(item.xmin);
  if (!xminRunning && !(item.infomask & 0x0100) && !clog.didCommit(item.xmin)) return 0; // aborted inserter: dead
  if (xminRunning) return item.xmin; // HEAPTUPLE_INSERT_IN_PROGRESS
  const lockOnly = (item.infomask & HEAP_XMAX_LOCK_ONLY) !== 0 || (item.infomask & 0x0800) !== 0 || item.xmax === 0;
  const xmax = updateXidOf(item, eng.multis);
  const xmaxLive = !lockOnly && xmax !== 0 && (eng.xacts.isInProgress(xmax) || clog.didCommit(xmax));
  if (!xmaxLive) return visible ? 0 : item.xmin; // HEAPTUPLE_LIVE
  const xid = visible ? xmax : item.xmin; // RECENTLY_DEAD / DELETE_IN_PROGRESS
  return xid < snap.xmin ? 0 : xid;
}

const failingRow = (vals: Value[]) => `Failing row contains (${vals.map((v) => formatValue(v) ?? 'null').join(', ')}).`;

function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (a instanceof Numeric && b instanceof Numeric) return a.cmp(b) === 0 && a.scale === b.scale;
  return formatValue(a) === formatValue(b);
}


const SERIAL_TYPES = new Map([['serial', 'int4'], ['serial4', 'int4'], ['bigserial', 'int8'], ['serial8', 'int8'], ['smallserial', 'int2'], ['serial2', 'int2']]);
const VACUUM_OPTIONS = new Set(['verbose', 'skip_locked', 'analyze', 'freeze', 'full', 'disable_page_skipping', 'index_cleanup', 'process_toast', 'truncate', 'parallel']);
const ANALYZE_OPTIONS = new Set(['verbose', 'skip_locked']);

/** transformValuesClause / transformInsertStmt: every VALUES row has the same length (error at the first that differs). */
function checkValuesLists(lists: N[]): void {
  const width = (lists[0]!.List.items as N[]).length;
  for (const l of lists) {
    const items = l.List.items as N[];
    if (items.length !== width) throw new PgError('42601', 'VALUES lists must all be the same length', { position: posOf(exprLocation(items[0])) });
  }
}

/** A target expression's identity for equal(): a plain column by its position, anything else by its parse tree. */
function expressionKey(n: N, scope: Scope): string {
  const f = n.ColumnRef?.fields as N[] | undefined;
  if (f && f.every((x) => x.String)) {
    const name = f[f.length - 1]!.String.sval;
    const qual = f.length === 2 ? f[0]!.String.sval : null;
    if (scope.rels) {
      const rel = qual ? scope.rels.find((r) => r.name === qual) : undefined;
      const hits = scope.columns.map((c, i) => (c.name === name && (!rel || (i >= rel.offset && i < rel.offset + rel.count)) ? i : -1)).filter((i) => i >= 0);
      if (hits.length === 1 && (!qual || rel)) return `column ${hits[0]}`;
    } else if (!qual || qual === (scope.alias ?? scope.relName)) {
      const i = scope.columns.findIndex((c) => c.name === name);
      if (i >= 0) return `column ${i}`;
    }
  }
  return JSON.stringify(n, (k, v) => (k === 'location' ? undefined : v));
}

function firstLocation(n: N | undefined): number | undefined {
  if (!n || typeof n !== 'object') return undefined;
  if (typeof n.location === 'number') return n.location;
  for (const v of Object.values(n)) {
    if (v && typeof v === 'object') {
      const l = firstLocation(v as N);
      if (l !== undefined) return l;
    }
  }
  return undefined;
}

/** needs_toast_table: could a row exceed TOAST_TUPLE_THRESHOLD (2032 bytes)? Unbounded varlena columns can. */
function needsToast(columns: Column[]): boolean {
  let max = 24;
  for (const c of columns) {
    switch (c.type.name) {
      case 'int2': max += 2; break;
      case 'int4': max += 4; break;
      case 'int8': max += 8; break;
      case 'bool': max += 1; break;
      case 'varchar': case 'bpchar': if (c.type.typmod < 0) return true; max += c.type.typmod * 4 + 4; break;
      case 'numeric': if (c.type.typmod < 0) return true; max += Math.ceil(Math.floor(c.type.typmod / 65536) / 4) * 2 + 8; break;
      default: return true;
    }
  }
  return max > 2032;
}

const AGG_NAMES = new Set(['count', 'sum', 'avg', 'min', 'max']);
/** Does this parse tree call an aggregate function (outside a subquery)? */
function containsAggregate(n: unknown): boolean {
  if (!n || typeof n !== 'object') return false;
  const o = n as N;
  if (o.FuncCall) {
    const names = (o.FuncCall.funcname as N[]).map((x) => x.String.sval as string);
    if (AGG_NAMES.has(names[names.length - 1]!.toLowerCase()) && !o.FuncCall.over) return true;
  }
  if (o.SubLink) return false;
  return Object.values(o).some(containsAggregate);
}

function collectColumnRefs(n: unknown, out: Set<string>) {
  if (!n || typeof n !== 'object') return;
  const o = n as N;
  if (o.ColumnRef) {
    const f = o.ColumnRef.fields;
    if (f[f.length - 1].String) out.add(f[f.length - 1].String.sval);
    return;
  }
  for (const v of Object.values(o)) collectColumnRefs(v, out);
}
