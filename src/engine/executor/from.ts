/**
 * FROM: a single table, a function (generate_series, or any function of the catalog: functionScan), a WITH query or a subquery (read by name from its
 * materialized rows, nodeCtescan.ts), or joins — inner, left, right and full joins and comma lists. A view's name is
 * replaced by its query's rows and a sequence's by its one row (commands/view.ts: relationSource).
 *
 * Outer joins a strict WHERE condition makes pointless are first reduced (optimizer/prepjointree.ts: a LEFT JOIN
 * filtered on its nullable side is an inner join, a FULL JOIN a LEFT / RIGHT / inner one).
 * A join of two tables runs as the planner chooses (optimizer/joinpath.ts): a hash join (nodeHashjoin.ts), a
 * merge join (nodeMergejoin.ts) or a nested loop (nodeNestloop.ts); the choice decides the row order without
 * ORDER BY. A nested loop may probe the inner table's index once per outer row instead (a parameterized Index
 * Scan, optimizer/paramjoin.ts): only the versions the probes reach are read. The join tree it built is kept for
 * EXPLAIN (JoinPlan). A LATERAL subquery is nodeSubqueryscan.ts.
 * UPDATE ... FROM / DELETE ... USING join their target the same way, its rows carrying their TID (JoinContext.target).
 *
 * Mirrors: parser/parse_clause.c (transformFromClause), executor/nodeFunctionscan.c; the join paths of
 * optimizer/path/joinrels.c. Three or more plain tables joined by inner joins go to the join order search
 * (optimizer/joinrels.ts; the problem posed by initsplan.ts, the plan run by searchjoin.ts). Simplifications: a
 * join of three or more relations the search cannot vouch for runs as nested loops in the written order (a FULL
 * JOIN there as a merge join; EXPLAIN refuses it with 0A000). [CROSS | LEFT] JOIN LATERAL and a function in a JOIN
 * that names the left side's columns run per row of the left side (nodeSubqueryscan.ts lateralInput).
 * JOIN ... USING and NATURAL JOIN join on the condition the USING list makes, their merged columns added in front
 * (executor/joinusing.ts).
 */
import { expandsInheritance } from '../optimizer/inherit.js';
import { plannerIndexes } from '../catalog/catalogsnapshot.js';
import type { Executor } from './executor.js';
import type { Table } from '../catalog/catalog.js';
import { PgError, notSupported, posOf } from '../errors.js';
import type { Session } from '../session/session.js';
import type { Compiled, Scope, Row } from '../sql/expr.js';
import { type Value, T } from '../sql/types.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { relationSource } from '../commands/view.js';
import { chooseJoin, joinTypeLabel, PARAM_UNSURE, type JoinKind, type JoinSide, type ParamProbe } from '../optimizer/joinpath.js';
import { equiJoinChoice, rangeParamSide } from '../optimizer/paramjoin.js';
import { analyzedJoinChoice } from '../optimizer/joinpathcost.js';
import { hasUniqueIndex } from '../optimizer/selfuncs.js';
import { estimateRelSize, columnUnique } from '../optimizer/plancat.js';
import { restrictionSelectivity } from '../optimizer/clausesel.js';
import { nestLoop, type JoinPair } from './nodeNestloop.js';
import { hashJoin, hashFunctionFor, bucketCount } from './nodeHashjoin.js';
import { mergeJoin, mergeJoinCounts, sortOnKey } from './nodeMergejoin.js';
import { sortSpaceUsedKb } from './nodeSort.js';
import { lateralJoin, lateralSubquery, lateralInput, lateralRefusal, type LateralItem } from './nodeSubqueryscan.js';
import { functionScan, multixactMembers } from './nodeFunctionscan.js';
import { reduceOuterJoins } from '../optimizer/prepjointree.js';
import { isImmutableFunction } from '../sql/funcs/registry.js';
import { checkJoinOnScope } from '../sql/parse_clause.js';
import { commutator } from '../sql/operators.js';
import { usingJoin, expandMergedRefs } from './joinusing.js';
import { lookupCte } from './nodeCtescan.js';
import type { QResult } from './nodeSetOp.js';
import { N, Source, JoinInput, firstLocation } from './util.js';
import { type JoinContext, conjuncts, relsOf, columnRefs, resolveColumn, leafName, leavesOf, unqualify, joinableTypes, BITS, searchJoins } from './initsplan.js';

export type { JoinContext } from './initsplan.js';

/** A WITH query or a subquery in FROM, read by name: its materialized rows (nodeCtescan.ts). */
function derived(f: N, s: Session, pre: Map<N, QResult> | undefined): { name: string; alias: string | null; r: QResult } | null {
  if (f.RangeSubselect) { const r = pre?.get(f); return r ? { name: f.RangeSubselect.alias.aliasname, alias: f.RangeSubselect.alias.aliasname, r } : null; }
  if (f.RangeFunction) {
    const r = pre?.get(f);
    const fname = f.RangeFunction.functions?.[0]?.List?.items?.[0]?.FuncCall?.funcname?.map((x: N) => x.String.sval).pop() as string;
    return r ? { name: fname, alias: f.RangeFunction.alias?.aliasname ?? null, r } : null;
  }
  if (f.RangeVar && !f.RangeVar.schemaname) {
    const r = lookupCte(s, f.RangeVar.relname);
    if (!r) return null;
    const cols = ((f.RangeVar.alias?.colnames ?? []) as N[]).map((x) => x.String.sval as string);
    return { name: f.RangeVar.relname, alias: f.RangeVar.alias?.aliasname ?? null, r: cols.length ? { ...r, names: r.names.map((x, i) => cols[i] ?? x) } : r };
  }
  return null;
}

export function source(ex: Executor, s: Session, from: N[] | undefined, snap: () => Snapshot, sql: string, pre?: Map<N, QResult>, ctx?: JoinContext): Source {
  const env = ex.env(s, snap);
  if (!from || from.length === 0) return { scope: { relName: null, alias: null, columns: [], hasSystem: false, env, sql }, table: null, rows: () => [[]] };
  const f = from[0]!;
  if (from.length > 1 || f.JoinExpr) return joinSource(ex, s, from, snap, sql, pre, ctx);
  const d = derived(f, s, pre);
  if (d) {
    return {
      scope: { relName: d.name, alias: d.alias, columns: d.r.names.map((name, i) => ({ name, type: d.r.types[i]! })), hasSystem: false, env, sql },
      table: null, rows: () => d.r.rows };
  }
  if (f.RangeVar) {
    const other = relationSource(ex, s, f.RangeVar, snap, sql); // a view or a sequence (commands/view.ts)
    if (other) return other;
    const t = ex.table(f.RangeVar);
    const scope = ex.tableScope(t, f.RangeVar.alias?.aliasname ?? null, s, snap, sql);
    if (!f.RangeVar.inh) scope.inhOnly = true; // FROM ONLY t
    return { scope, table: t };
  }
  if (f.RangeFunction) {
    const mfc = f.RangeFunction.functions?.[0]?.List?.items?.[0]?.FuncCall;
    if (mfc && mfc.funcname?.map((x: N) => x.String.sval).pop() === 'pg_get_multixact_members' && f.RangeFunction.functions.length === 1) return multixactMembers(ex, mfc, f.RangeFunction, env, sql);
    const fs = functionScan(s, f.RangeFunction, env, sql);
    return { scope: { relName: fs.relName, alias: fs.alias, columns: fs.columns, hasSystem: false, env, sql }, table: null, rows: fs.rows };
  }
  throw notSupported('this FROM item');
}

/** The planner's join method switches (costsize.c enable_hashjoin & co.). */
const JOIN_METHOD_SETTINGS = [
  { setting: 'enable_hashjoin', method: 'HashJoin' }, { setting: 'enable_mergejoin', method: 'MergeJoin' }, { setting: 'enable_nestloop', method: 'NestLoop' },
] as const;

/** The hidden column of an UPDATE / DELETE target's rows in a join (marked dropped: no `*` shows it, no name reaches it). */
export const TARGET_TID = { name: '\u0000ctid', type: T.int8, dropped: true };

/**
 * `a.x < b.y` between the two sides of a nested loop: when one side's column has a unique index (and that side no
 * WHERE conditions of its own, and is not the preserved side of a LEFT JOIN), it is the inner side, probed by range
 * with each outer row's value (optimizer/paramjoin.ts rangeParamSide). Integer columns of one type only.
 */
function rangeParamProbe(q: N, inp: JoinInput, lw: number, l: { table: Table; quals: N[] }, r: { table: Table; quals: N[] }, kind: JoinKind,
  sameRows: boolean): { inner: 'left' | 'right'; probe: ParamProbe } | null {
  const e = q.A_Expr;
  if (e?.kind !== 'AEXPR_OP' || e.name?.length !== 1 || !e.lexpr?.ColumnRef || !e.rexpr?.ColumnRef) return null;
  const op0 = e.name[0].String?.sval as string;
  if (!['<', '<=', '>', '>='].includes(op0)) return null;
  const a = resolveColumn((e.lexpr.ColumnRef.fields as N[]).map((x) => x.String?.sval), inp);
  const b = resolveColumn((e.rexpr.ColumnRef.fields as N[]).map((x) => x.String?.sval), inp);
  if (!a || !b || (a.col < lw) === (b.col < lw)) return null;
  const ta = inp.columns[a.col]!.type.name, tb = inp.columns[b.col]!.type.name;
  if (ta !== tb || (ta !== 'int4' && ta !== 'int2')) return null;
  const [lcol, rcol] = a.col < lw ? [a.col, b.col - lw] : [b.col, a.col - lw];
  const opLeftFirst = a.col < lw ? op0 : commutator(op0)!; // lcol op rcol
  if (kind === 'full') return null;
  const inner = rangeParamSide({ ...l, col: lcol }, { ...r, col: rcol }, kind, sameRows);
  if (!inner) return null;
  const probe: ParamProbe = inner.side === 'right'
    ? { index: inner.index, innerKey: rcol, outerKey: lcol, op: commutator(opLeftFirst) as ParamProbe['op'] }
    : { index: inner.index, innerKey: lcol, outerKey: rcol, op: opLeftFirst as ParamProbe['op'] };
  return { inner: inner.side, probe };
}

/**
 * Joins of the FROM list: two tables as the planner chooses (hash / merge / nested loop), more as nested loops in
 * the written order. Each join's rows are built when the query reads them; the plan is known before.
 */
export function joinSource(ex: Executor, s: Session, from: N[], snap: () => Snapshot, sql: string, pre?: Map<N, QResult>, ctx: JoinContext = {}): Source {
  checkJoinOnScope(from, (rv) => { try { return ex.table(rv).columns.filter((c) => !c.dropped).map((c) => c.name); } catch { return null; } });
  const env = ex.env(s, snap);
  // the planner's enable_* join switches: the join search (optimizer/joinrels.ts) charges disable_cost to a
  // switched-off method's paths; the rules below keep their choice when it is not switched off (the cheapest
  // path stays the cheapest when others cost more) and refuse it when it is
  const disabled = new Set(JOIN_METHOD_SETTINGS.filter((x) => ex.eng.currentSetting(s, x.setting, true) === 'off').map((x) => x.method));
  if (disabled.size) ctx = { ...ctx, disabled };
  // the FROM items an outer join may null-extend: their whole row is then NULL (sql/rowexpr.ts)
  const nullable = new Set<string>();
  const markNullable = (f: N, under: boolean) => {
    if (!f.JoinExpr) { if (under) nullable.add(leafName(f)); return; }
    const k = f.JoinExpr.jointype;
    markNullable(f.JoinExpr.larg, under || k === 'JOIN_RIGHT' || k === 'JOIN_FULL');
    markNullable(f.JoinExpr.rarg, under || k === 'JOIN_LEFT' || k === 'JOIN_FULL');
  };
  for (const f of from) markNullable(f, false);
  const combinedScope = (inp: JoinInput): Scope => {
    let offset = 0;
    return {
      relName: null, alias: null, columns: inp.columns, hasSystem: false, env, sql,
      rels: inp.rels.map((r) => {
        const x = { name: r.name, offset, count: r.count, table: r.table, ...(nullable.has(r.name) ? { nullable: true } : {}) };
        offset += r.count;
        return x;
      }),
    };
  };
  const whereConj = conjuncts(ctx.where);
  let searchUnsure: string | null = null;
  /** a join the search could not plan: the WHERE conditions on one table alone, filtering its scan (see below) */
  let pushdown: Map<string, N[]> | null = null;
  const topLevel = (from.length === 2 && !from.some((f) => f.JoinExpr || f.RangeSubselect?.lateral)) ||
    (from.length === 1 && !!from[0]!.JoinExpr && !from[0]!.JoinExpr.larg.JoinExpr && !from[0]!.JoinExpr.rarg.JoinExpr);
  const base = (item: N): JoinInput => {
    const d = derived(item, s, pre);
    if (d) {
      const name = d.alias ?? d.name;
      return { names: [name], columns: d.r.names.map((nm, i) => ({ name: nm, type: d.r.types[i]! })), rels: [{ name, count: d.r.names.length }], tables: [], rows: () => d.r.rows, plan: { kind: 'Other', name, what: 'a WITH query or a subquery in FROM' } };
    }
    if (item.RangeVar) {
      const other = relationSource(ex, s, item.RangeVar, snap, sql);
      if (other) {
        const name = item.RangeVar.alias?.aliasname ?? item.RangeVar.relname;
        const rows = other.rows!;
        return { names: [name], columns: other.scope.columns, rels: [{ name, count: other.scope.columns.length }], tables: [], rows: () => [...rows()], plan: { kind: 'Other', name, what: 'a view or a sequence' } };
      }
      const t = ex.table(item.RangeVar);
      const alias = item.RangeVar.alias?.aliasname ?? null;
      const name = alias ?? t.name;
      const scope = ex.tableScope(t, name, s, snap, sql);
      if (!item.RangeVar.inh) scope.inhOnly = true;
      else if (expandsInheritance(ex.eng.catalog, t, true)) throw notSupported('joins with an inheritance parent (an Append of its tables in a join)', posOf(item.RangeVar.location));
      const target = ctx.target;
      if (target?.item === item) {
        return {
          names: [name], columns: [...scope.columns, TARGET_TID], rels: [{ name, count: t.columns.length + 1, table: t }], tables: [t],
          rows: () => target.rows(t, scope), probe: (path) => target.rows(t, scope, path), plan: { kind: 'Scan', table: t, name, alias, quals: [] },
        };
      }
      const own = pushdown?.get(name);
      const restrict = own?.length ? ex.compileWhere(own.length === 1 ? own[0] : { BoolExpr: { boolop: 'AND_EXPR', args: own } }, scope) : null;
      return {
        names: [name], columns: scope.columns, rels: [{ name, count: t.columns.length, table: t }], tables: [t],
        rows: () => ex.scan(s, t, snap(), restrict, undefined, scope).map((c) => c.vals),
        probe: (path) => ex.scan(s, t, snap(), null, undefined, scope, path).map((c) => c.vals),
        plan: { kind: 'Scan', table: t, name, alias, quals: [] },
      };
    }
    if (item.RangeFunction) {
      const fs = functionScan(s, item.RangeFunction, env, sql);
      const name = fs.alias ?? fs.relName;
      return { names: [name], columns: fs.columns, rels: [{ name, count: fs.columns.length }], tables: [], rows: () => [...fs.rows()], plan: { kind: 'Other', name, what: 'a function in FROM' } };
    }
    if (item.JoinExpr) {
      const j = item.JoinExpr;
      if (j.alias) throw notSupported('aliases for joins');
      const kind0 = j.jointype as string;
      if (kind0 !== 'JOIN_INNER' && kind0 !== 'JOIN_LEFT' && kind0 !== 'JOIN_RIGHT' && kind0 !== 'JOIN_FULL') throw notSupported(`${kind0.replace('JOIN_', '')} JOIN`, posOf(firstLocation(item)));
      const kind: JoinKind = kind0 === 'JOIN_LEFT' ? 'left' : kind0 === 'JOIN_RIGHT' ? 'right' : kind0 === 'JOIN_FULL' ? 'full' : 'inner';
      const l = base(j.larg);
      const lat = lateralRight(j, kind, l);
      if (lat) return lat;
      const r = base(j.rarg);
      if (j.usingClause?.length || j.isNatural) {
        const u = usingJoin(j, l, r, kind); // parse_clause.c: the condition and the merged columns (executor/joinusing.ts)
        return u.wrap(join(l, r, kind, u.qual, u.refs));
      }
      return join(l, r, kind, j.quals ?? null);
    }
    throw notSupported('this FROM item in a join', posOf(firstLocation(item)));
  };

  /** Join two inputs: plan (optimizer/joinpath.ts), then run the chosen node when the rows are read. */
  const join = (left: JoinInput, right: JoinInput, kind: JoinKind, onQual: N | null, merged?: Map<string, N>): JoinInput => {
    const names = [...left.names, ...right.names];
    const dup = names.find((x, i) => names.indexOf(x) !== i);
    if (dup) throw new PgError('42712', `table name "${dup}" specified more than once`);
    const combined: JoinInput = {
      names, columns: [...left.columns, ...right.columns], rels: [...left.rels, ...right.rels], tables: [...left.tables, ...right.tables],
      rows: () => [], plan: { kind: 'Other', name: '', what: '' },
    };
    const on = onQual ? ex.compileWhere(onQual, combinedScope(combined)) : null;
    const lw = left.columns.length, rw = right.columns.length;
    const nLeftRels = left.rels.length;
    const sideOf = (rels: Set<number>): 'left' | 'right' | 'both' | 'none' => {
      const l = [...rels].some((r) => r < nLeftRels), r = [...rels].some((x) => x >= nLeftRels);
      return l && r ? 'both' : l ? 'left' : r ? 'right' : 'none';
    };
    // the quals that decide the join: ON, and for an inner join of two tables also WHERE's (PostgreSQL treats them alike)
    const onConj = conjuncts(onQual);
    const planned = topLevel && left.plan.kind === 'Scan' && right.plan.kind === 'Scan';
    // WHERE's merged USING columns as the sides' own (a.x, or COALESCE(a.x, b.x) for a FULL JOIN)
    const whereHere = merged ? whereConj.map((q) => expandMergedRefs(q, merged)) : whereConj;
    const joinQuals = [...onConj, ...(planned && kind === 'inner' ? whereHere : [])];
    let unsure: string | null = planned ? null : left.plan.kind === 'Join' || right.plan.kind === 'Join' || !topLevel
      ? `a join of more than two relations${searchUnsure ? ` with ${searchUnsure}` : ' (PostgreSQL chooses the join order by cost)'}` : 'a join whose input is not a plain table';
    const own: { left: N[]; right: N[] } = { left: [], right: [] };
    const filter: N[] = [];
    /** WHERE conditions evaluated on the outer join's output */
    const upper: N[] = [];
    let equi: { lcol: number; rcol: number; qual: N } | null = null;
    for (const q of joinQuals) {
      const rels = relsOf(q, combined);
      if (!rels) { unsure ??= 'a join condition with a subquery or a whole-row reference'; continue; }
      const side = sideOf(rels);
      if (side === 'both') {
        const e = q.A_Expr;
        if (e?.kind === 'AEXPR_OP' && e.name?.length === 1 && e.name[0].String?.sval === '=' && e.lexpr?.ColumnRef && e.rexpr?.ColumnRef) {
          const a = resolveColumn((e.lexpr.ColumnRef.fields as N[]).map((x) => x.String?.sval), combined);
          const b = resolveColumn((e.rexpr.ColumnRef.fields as N[]).map((x) => x.String?.sval), combined);
          if (a && b && joinableTypes(combined.columns[a.col]!.type.name, combined.columns[b.col]!.type.name)) {
            const [l, r] = a.col < lw ? [a.col, b.col - lw] : [b.col, a.col - lw];
            // a second key pair: PostgreSQL hashes / merges on all of them (not modelled: the plan is not vouched for)
            if (l >= 0 && l < lw && r >= 0 && r < rw && equi) unsure ??= 'a join on more than one pair of equal columns (PostgreSQL hashes or merges on all of them)';
            else if (l >= 0 && l < lw && r >= 0 && r < rw) { equi = { lcol: l, rcol: r, qual: q }; continue; }
          }
        }
        filter.push(q);
      } else if (side === 'left' || side === 'right') {
        const onlyOn = onConj.includes(q);
        // an ON condition on the preserved side of an outer join stays a join filter (both sides of a FULL JOIN
        // are preserved); on the nullable side it filters that scan
        if (onlyOn && (kind === 'full' || (kind !== 'inner' && (kind === 'left') === (side === 'left')))) filter.push(q);
        else own[side].push(q);
      } else filter.push(q);
    }
    if (planned && kind !== 'inner') {
      // WHERE conditions above an outer join: on the preserved side they filter its scan; the others (not strict,
      // else optimizer/prepjointree.ts had reduced the join) filter the join's output ("Filter:" on the join node)
      for (const q of whereHere) {
        const rels = relsOf(q, combined);
        const side = rels ? sideOf(rels) : null;
        if ((kind === 'left' && side === 'left') || (kind === 'right' && side === 'right')) own[side].push(q);
        else if (side) upper.push(q);
        else unsure ??= 'a WHERE condition with a subquery above an outer join';
      }
    }
    const sideInfo = (inp: JoinInput, quals: N[], keyCol: number | null): JoinSide => {
      const t = inp.plan.kind === 'Scan' ? inp.plan.table : null;
      if (!t) return { rows: null, analyzed: false, restricted: quals.length > 0, keyUnique: false, keyDistinct: null, indexOnJoinColumn: false };
      const size = estimateRelSize(t);
      const sel = restrictionSelectivity(t, quals);
      if (sel === null) unsure ??= 'a join with a WHERE condition whose selectivity the simulator does not estimate';
      const keyDistinct = keyCol === null || !t.stats?.distinct ? null : t.stats.distinct[keyCol] === -1 ? t.stats.reltuples : t.stats.distinct[keyCol]!;
      const joinCols = new Set<number>();
      for (const q of [...filter, ...(equi ? [equi.qual] : [])]) collectCols(q, inp, joinCols);
      return {
        rows: Math.max(1, Math.round(size.tuples * (sel ?? 1))), analyzed: !!t.stats, columnStats: !!t.stats?.distinct, restricted: quals.length > 0,
        keyUnique: keyCol !== null && columnUnique(t, keyCol), keyDistinct,
        indexOnJoinColumn: plannerIndexes(t).some((i) => joinCols.has(i.columns[0]!)),
      };
    };
    const collectCols = (q: N, inp: JoinInput, into: Set<number>) => {
      const walk = (x: unknown): void => {
        if (!x || typeof x !== 'object') return;
        if (Array.isArray(x)) { x.forEach(walk); return; }
        const o = x as N;
        if (o.ColumnRef) {
          const r = resolveColumn((o.ColumnRef.fields as N[]).map((y) => y.String?.sval), inp);
          if (r) into.add(r.col);
          return;
        }
        for (const v of Object.values(o)) walk(v);
      };
      // column positions relative to this input: resolve against the input alone
      walk(q);
    };
    const ls = sideInfo(left, own.left, equi?.lcol ?? null), rs = sideInfo(right, own.right, equi?.rcol ?? null);
    let choice = chooseJoin(ls, rs, kind, !!equi, !!ctx.orderedOrLimited);
    // two analyzed tables: by cost (optimizer/joinpathcost.ts)
    let material = true;
    // two never-analyzed ones too where the rules are not sure (a filtered side: a small side may be hashed), with
    // the planner's defaults for what statistics would say (200 distinct values, a bucket of a tenth of the rows)
    // an ANALYZEd table (column statistics, not only the counts an index build or VACUUM leaves) with a
    // never-analyzed one: costed the same way, the never-analyzed side on the defaults
    const columnStats = (inp: JoinInput) => inp.plan.kind === 'Scan' && !!inp.plan.table.stats?.columns;
    const mixed = ls.analyzed !== rs.analyzed && (ls.analyzed ? columnStats(left) : columnStats(right));
    const costed = ls.analyzed ? rs.analyzed || mixed : rs.analyzed ? mixed
      : choice.unsure !== null && choice.unsure.startsWith('a join of non-unique keys with WHERE');
    if (planned && equi && costed && left.plan.kind === 'Scan' && right.plan.kind === 'Scan') {
      const a = { table: left.plan.table, quals: own.left, key: equi.lcol }, b = { table: right.plan.table, quals: own.right, key: equi.rcol };
      const c = kind === 'right' ? analyzedJoinChoice(b, a, 'left') : kind === 'full' ? analyzedJoinChoice(a, b, 'inner') : analyzedJoinChoice(a, b, kind);
      if (c) {
        const outer = kind === 'right' ? (c.outer === 'left' ? 'right' : 'left') : c.outer;
        choice = { method: c.method, outer, unsure: ctx.orderedOrLimited ? choice.unsure : c.unsure };
        material = c.material;
      } else choice = { ...choice, unsure: choice.unsure ?? 'a join of analyzed tables whose costs the simulator does not estimate' };
    }
    if (!planned) choice = kind === 'full' ? { method: 'MergeJoin', outer: 'left', unsure } : { method: 'NestLoop', outer: kind === 'right' ? 'right' : 'left', unsure };
    if (kind === 'full') {
      // a FULL JOIN needs a hash or merge key: PostgreSQL has no nested loop that NULL-extends its inner side
      // ... unless there is no join condition at all (ON true): every row pairs with every row, or is null-extended
      // when the other side is empty (PostgreSQL: a Merge Full Join with no merge clauses)
      const constTrue = (q: N) => q.A_Const?.boolval?.boolval === true;
      const noQuals = !own.left.length && !own.right.length && filter.every(constTrue) && !upper.length;
      if (!equi && noQuals) unsure ??= 'a FULL JOIN without join conditions (PostgreSQL: a Merge Full Join with no merge clauses)';
      else if (!equi) throw new PgError('0A000', 'FULL JOIN is only supported with merge-joinable or hash-joinable join conditions');
      if (choice.method === 'MergeJoin' && filter.length) choice = { ...choice, unsure: choice.unsure ?? 'a FULL JOIN of non-unique keys with a Join Filter (PostgreSQL may hash one side instead)' };
    }
    // `WHERE nullable.key IS NULL` above an outer join: PostgreSQL reduces it to an anti join, the preserved side
    // outer (Hash Anti Join), so the rows that survive come out in the preserved side's order
    if (planned && equi && (kind === 'left' || kind === 'right')) {
      const nullableKey = kind === 'left' ? lw + equi.rcol : equi.lcol;
      const anti = whereHere.some((q) => q.NullTest?.nulltesttype === 'IS_NULL' && q.NullTest.arg?.ColumnRef
        && resolveColumn((q.NullTest.arg.ColumnRef.fields as N[]).map((x) => x.String?.sval), combined)?.col === nullableKey);
      if (anti) choice = { method: 'HashJoin', outer: kind === 'left' ? 'left' : 'right', unsure: 'an outer join PostgreSQL reduces to an anti join (Hash Anti Join)' };
    }
    // a key of bit strings cannot be hashed: merged (the rules' choice when they hash is not vouched for)
    if (equi && BITS.has(left.columns[equi.lcol]!.type.name)) {
      if (choice.method === 'HashJoin') choice = { method: 'MergeJoin', outer: (rs.rows ?? 0) < (ls.rows ?? 0) ? 'right' : 'left', unsure: choice.unsure ?? 'a join on bit strings where PostgreSQL would hash other keys' };
      // bit against bit varying: merged on the varbit operators, one side cast (its Sort's USING < not printed here)
      if (left.columns[equi.lcol]!.type.name !== right.columns[equi.rcol]!.type.name) choice = { ...choice, unsure: choice.unsure ?? 'a merge join of bit with bit varying' };
    }
    unsure ??= choice.unsure;
    // a small outer side may probe the inner side's unique index instead of hashing it (optimizer/paramjoin.ts)
    let param: ParamProbe | undefined;
    if (planned && !unsure && kind === 'inner' && equi && choice.method === 'HashJoin' && left.plan.kind === 'Scan' && right.plan.kind === 'Scan') {
      const sameType = left.columns[equi.lcol]!.type.name === right.columns[equi.rcol]!.type.name;
      const p = equiJoinChoice({ table: left.plan.table, quals: own.left, key: equi.lcol }, { table: right.plan.table, quals: own.right, key: equi.rcol });
      if (p === 'unsure') unsure = 'a join whose hash and parameterized nested loop paths cost too close to call';
      else if (p?.kind === 'hash') choice = { method: 'HashJoin', outer: p.hashed === 'b' ? 'left' : 'right', unsure: null };
      else if (p && !sameType) unsure = 'a parameterized nested loop over keys of different types';
      else if (p) {
        const outerLeft = p.outer === 'a';
        choice = { method: 'NestLoop', outer: outerLeft ? 'left' : 'right', unsure: null };
        param = { index: p.index, outerKey: outerLeft ? equi.lcol : equi.rcol, innerKey: outerLeft ? equi.rcol : equi.lcol, op: '=' };
      }
    }
    // a comparison between the sides, an index on one side's column: that side is probed by range for each outer row
    if (planned && !equi && choice.unsure === PARAM_UNSURE && unsure === PARAM_UNSURE && filter.length === 1 && left.plan.kind === 'Scan' && right.plan.kind === 'Scan') {
      const r = rangeParamProbe(filter[0]!, combined, lw, { table: left.plan.table, quals: own.left }, { table: right.plan.table, quals: own.right },
        kind, ls.rows === rs.rows);
      if (r) {
        choice = { method: 'NestLoop', outer: r.inner === 'right' ? 'left' : 'right', unsure: null };
        param = r.probe;
        unsure = null;
        filter.length = 0;
      }
    }
    for (const [side, p] of [['left', left.plan], ['right', right.plan]] as const) {
      if (p.kind === 'Scan') p.quals = own[side].map(unqualify);
    }
    const outerIsLeft = choice.outer === 'left';
    const [outerInp, innerInp] = outerIsLeft ? [left, right] : [right, left];
    const fillOuter = kind === 'full' || (kind !== 'inner' && (kind === 'left') === outerIsLeft);
    const fillInner = kind === 'full' || (kind !== 'inner' && !fillOuter);
    const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    const combine = (p: JoinPair): Value[] => {
      const o = p.o ?? new Array<Value>(outerIsLeft ? lw : rw).fill(null), i = p.i ?? new Array<Value>(outerIsLeft ? rw : lw).fill(null);
      return outerIsLeft ? o.concat(i) : i.concat(o);
    };
    const match = (o: Value[], i: Value[]) => {
      if (!on) return true;
      row.vals = outerIsLeft ? o.concat(i) : i.concat(o);
      return on.fn(row) === true;
    };
    const method = choice.method === 'NestLoop' || !equi ? 'NestLoop' : choice.method;
    if (ctx.disabled?.has(method)) {
      const setting = JOIN_METHOD_SETTINGS.find((x) => x.method === method)!.setting;
      throw notSupported(`a join planned with ${setting} = off that the join search cannot cost (${searchUnsure ?? 'not a join of plain tables'})`);
    }
    combined.plan = {
      kind: 'Join', method, label: joinTypeLabel(kind, choice.outer), outer: outerInp.plan, inner: innerInp.plan,
      cond: equi && method !== 'NestLoop' ? { outerIsLeft, qual: equi.qual, left: equi.lcol, right: equi.rcol } : null,
      filter: method === 'NestLoop' && equi && !param ? [equi.qual, ...filter] : filter, unsure, kindName: kind,
      ...(upper.length ? { upper } : {}),
      ...(param ? { param } : {}), ...(method === 'NestLoop' && !material ? { material: false } : {}),
    };
    // each side's own conditions filter its rows before the join (pushed down into the scan, as the planner does)
    const andOf = (qs: N[]) => (qs.length === 1 ? qs[0]! : { BoolExpr: { boolop: 'AND_EXPR', args: qs } });
    const ownFilter = (inp: JoinInput, quals: N[]) => (quals.length ? ex.compileWhere(andOf(quals), combinedScope(inp)) : null);
    const filters = { left: ownFilter(left, own.left), right: ownFilter(right, own.right) };
    /** a side's rows that pass its own conditions — up to `upTo` of them (the rest never filtered: not pulled) */
    const readSide = (inp: JoinInput, f: Compiled | null, upTo = Infinity, rows = inp.rows()): Value[][] => {
      let kept = rows, seen = rows.length;
      if (f) {
        const r: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
        kept = [];
        for (seen = 0; seen < rows.length && kept.length < upTo; seen++) { r.vals = rows[seen]!; if (f.fn(r) === true) kept.push(rows[seen]!); }
      } else if (upTo < rows.length) { kept = rows.slice(0, upTo); seen = upTo; }
      if (inp.plan.kind === 'Scan') inp.plan.actual = { rows: kept.length, removed: seen - kept.length };
      return kept;
    };
    const outerFilter = outerIsLeft ? filters.left : filters.right, innerFilter = outerIsLeft ? filters.right : filters.left;
    /**
     * The join pulls its outer side first, and a side it never needs is never run (ExecHashJoin, ExecNestLoop,
     * ExecMergeJoin): an empty outer side ends the join before the inner side is read — unless the inner side is
     * preserved (RIGHT / FULL). A Hash Join fetches only the first outer row before building its hash table; an
     * empty inner side then ends it unless the outer side is preserved, and the outer rows after the first are
     * never filtered. (With the inner side preserved the hash table is built first.) Returns null: no pairs.
     * Where the simulator cannot vouch for the plan (`unsure`: which side is outer may differ) both sides are read
     * in full: an error PostgreSQL might not raise, rather than rows where it might raise one.
     */
    type Pulled = { outerRows: Value[][]; innerRows: Value[][]; ended?: 'no outer rows' | 'no inner rows' };
    const pullSides = (): Pulled => {
      if (unsure) return { outerRows: readSide(outerInp, outerFilter), innerRows: readSide(innerInp, innerFilter) };
      if (method === 'HashJoin' && fillInner) {
        const innerRows = readSide(innerInp, innerFilter);
        if (!innerRows.length && !fillOuter) return { outerRows: [], innerRows, ended: 'no inner rows' };
        return { outerRows: readSide(outerInp, outerFilter), innerRows };
      }
      const outerAll = outerInp.rows();
      const first = readSide(outerInp, outerFilter, method === 'HashJoin' ? 1 : Infinity, outerAll);
      if (!first.length && !fillInner) return { outerRows: first, innerRows: [], ended: 'no outer rows' };
      const innerRows = readSide(innerInp, innerFilter);
      if (method === 'HashJoin' && !innerRows.length && !fillOuter) return { outerRows: first, innerRows, ended: 'no inner rows' };
      return { outerRows: method === 'HashJoin' ? readSide(outerInp, outerFilter, Infinity, outerAll) : first, innerRows };
    };
    combined.rows = () => {
      if (param && innerInp.plan.kind === 'Scan') {
        const outerRows = readSide(outerInp, outerFilter);
        // each outer row's key looked up in the inner side's index: only the versions the probes reach are read
        const probe = innerInp.probe!;
        const pairs: JoinPair[] = [];
        let innerRead = 0;
        for (const o of outerRows) {
          const v = o[param.outerKey] ?? null;
          if (v === null) { if (fillOuter) pairs.push({ o, i: null }); continue; }
          const vals: Value[] = [];
          vals[param.innerKey] = v;
          let rows: Value[][] = [];
          if (param.op === '=') {
            const key = param.index.keyOf(vals);
            if (key !== null) rows = probe({ kind: 'IndexScan', index: param.index, key, cond: equi!.qual });
          } else if (typeof v === 'number') {
            const op = param.op;
            const range = (k: string | number) => typeof k === 'number' && (op === '<' ? k < v : op === '<=' ? k <= v : op === '>' ? k > v : k >= v);
            rows = probe({ kind: 'IndexScanOrdered', index: param.index, backward: false, range });
          }
          innerRead += rows.length;
          let matched = false;
          for (const i of rows) if (match(o, i)) { pairs.push({ o, i }); matched = true; }
          if (!matched && fillOuter) pairs.push({ o, i: null });
        }
        innerInp.plan.actual = { rows: innerRead, removed: 0 };
        if (combined.plan.kind === 'Join') combined.plan.actual = { rows: pairs.length, outerRows: outerRows.length, innerRows: innerRead };
        return pairs.map(combine);
      }
      const { outerRows, innerRows, ended } = pullSides();
      if (ended) {
        if (combined.plan.kind === 'Join') {
          combined.plan.actual = { rows: 0, outerRows: outerRows.length, innerRows: innerRows.length, innerRun: ended !== 'no outer rows' };
        }
        return [];
      }
      let pairs: JoinPair[];
      if (method === 'HashJoin') {
        const innerKey = outerIsLeft ? equi!.rcol : equi!.lcol;
        const hash = hashFunctionFor(innerInp.columns[innerKey]!.type.name);
        const buckets = hash ? { hash, nbuckets: bucketCount((outerIsLeft ? rs : ls).rows ?? 1) } : undefined;
        pairs = hashJoin(outerRows, innerRows, outerIsLeft ? equi!.lcol : equi!.rcol, innerKey, match, fillOuter, fillInner, buckets);
      } else if (method === 'MergeJoin') pairs = mergeJoin(outerRows, innerRows, outerIsLeft ? equi!.lcol : equi!.rcol, outerIsLeft ? equi!.rcol : equi!.lcol, match, fillOuter, fillInner);
      else pairs = nestLoop(outerRows, innerRows, match, fillOuter, fillInner);
      if (combined.plan.kind === 'Join') {
        combined.plan.actual = { rows: pairs.length, outerRows: outerRows.length, innerRows: innerRows.length };
        // EXPLAIN ANALYZE of a merge join: what ExecMergeJoin pulled from each Sort, and the Sorts' memory (worked out when asked)
        if (method === 'MergeJoin') {
          const ok = outerIsLeft ? equi!.lcol : equi!.rcol, ik = outerIsLeft ? equi!.rcol : equi!.lcol;
          const it = innerInp.plan.kind === 'Scan' ? innerInp.plan.table : null;
          const itCol = it ? it.columns.findIndex((c) => !c.dropped && c.name === innerInp.columns[ik]!.name) : -1;
          const unique = !!it && itCol >= 0 && hasUniqueIndex(it, itCol); // inner_unique: one match per outer row, no mark / restore
          combined.plan.actual.merge = () => ({
            ...mergeJoinCounts(sortOnKey(outerRows, ok).map((r) => r[ok]!), sortOnKey(innerRows, ik).map((r) => r[ik]!), fillOuter, fillInner, unique),
            outerKb: sortSpaceUsedKb(outerRows, outerInp.columns.map((c) => c.type)),
            innerKb: sortSpaceUsedKb(innerRows, innerInp.columns.map((c) => c.type)),
          });
        }
      }
      return pairs.map(combine);
    };
    return combined;
  };

  /** a function in FROM, its arguments able to name the columns of `a` (a function in FROM is implicitly LATERAL) */
  const functionItem = (a: JoinInput, rf: N): LateralItem => {
    const fs = functionScan(s, rf, env, sql, combinedScope(a));
    const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    return { name: fs.alias ?? fs.relName, columns: fs.columns, perRow: (vals) => { row.vals = vals; return [...fs.rows(row)]; } };
  };
  /** FROM a, f(a.x): a function after other items runs once per row of what precedes it (nodeNestloop + Function Scan) */
  const lateralFunction = (a: JoinInput, rf: N): JoinInput => lateralInput(a, functionItem(a, rf), 'a function in FROM', 'inner');
  /**
   * `l JOIN LATERAL (...) x ON ...`, `l LEFT JOIN LATERAL (...) x ON true`, `l JOIN f(l.col) g ON ...`: the right
   * side runs per row of the left (null when the right side is an ordinary item: planned as a join of two inputs).
   * A RIGHT or FULL JOIN cannot null-extend a side that is computed from the other (parse_clause.c: 42P01).
   */
  const lateralRight = (j: N, kind: JoinKind, l: JoinInput): JoinInput | null => {
    const ra = j.rarg as N;
    let item: LateralItem | null = null, what = '';
    if (ra.RangeSubselect?.lateral && !pre?.has(ra)) {
      item = lateralSubquery(ex, s, l, ra.RangeSubselect, combinedScope(l), snap, sql);
      what = 'a LATERAL subquery';
    } else if (ra.RangeFunction && !pre?.has(ra) && namesOuterColumn(() => functionScan(s, ra.RangeFunction, env, sql))) {
      if (kind === 'right' || kind === 'full') lateralRefusal(() => functionScan(s, ra.RangeFunction, env, sql), l);
      item = functionItem(l, ra.RangeFunction);
      what = 'a function in FROM';
    }
    if (!item) return null;
    if (j.usingClause?.length || j.isNatural) throw notSupported('JOIN LATERAL with USING or NATURAL', posOf(firstLocation(ra)));
    return lateralInput(l, item, what, kind === 'left' ? 'left' : 'inner', (joined) => {
      if (!j.quals) return null;
      const c = ex.compileWhere(j.quals, combinedScope(joined));
      const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
      if (!c) return null;
      return (v) => { row.vals = v; return c.fn(row) === true; };
    });
  };
  // three or more plain tables joined by inner joins: the join order search (optimizer/joinrels.ts)
  // outer joins a strict WHERE condition makes pointless are planned as inner (or one-sided) joins (optimizer/prepjointree.ts)
  let leafColumns: { name: string; columns: string[] }[] | null = null;
  const relOf = (fields: string[]): string | null => {
    if (fields.length === 2) return fields[0]!;
    if (fields.length !== 1) return null;
    // a leaf computed per row of another (a LATERAL subquery, a function naming another item's columns) cannot be
    // read alone: its columns are not attributed (no condition is taken as its own)
    const visible = (l: N) => {
      try { return base(l).columns.filter((c) => !(c as { dropped?: boolean }).dropped).map((c) => c.name); } catch (e) {
        if (e instanceof PgError && (l.RangeFunction || l.RangeSubselect?.lateral)) return [];
        throw e;
      }
    };
    leafColumns ??= from.flatMap(leavesOf).map((l) => ({ name: leafName(l), columns: visible(l) }));
    const hits = leafColumns.filter((l) => l.columns.includes(fields[0]!));
    return hits.length === 1 ? hits[0]!.name : null;
  };
  from = reduceOuterJoins(from, ctx.where, relOf, leafName);
  const searched = searchJoins(ex, from, base, whereConj, combinedScope, ctx);
  if (searched && 'input' in searched) {
    const final0 = searched.input;
    return { scope: combinedScope(final0), table: null, rows: () => final0.rows(), tables: final0.tables, joinPlan: final0.plan };
  }
  searchUnsure = searched?.unsure ?? null;
  if (!topLevel) pushdown = restrictionQuals(from, whereConj, relOf);
  let acc = base(from[0]!);
  for (const item of from.slice(1)) {
    if (item.RangeSubselect?.lateral) { acc = lateralJoin(ex, s, acc, item.RangeSubselect, combinedScope(acc), snap, sql); continue; }
    if (item.RangeFunction) { acc = lateralFunction(acc, item.RangeFunction); continue; }
    acc = join(acc, base(item), 'inner', null);
  }
  const final = acc;
  return { scope: combinedScope(final), table: null, rows: () => final.rows(), tables: final.tables, joinPlan: final.plan };
}

/**
 * distribute_restrictinfo_to_rels for the joins the search could not plan (run as nested loops in the written
 * order): a WHERE condition on one table alone filters that table's scan — as PostgreSQL's plan would, whatever
 * its join order — so it runs on every row of the table (its errors too: a division by zero in a row the joins
 * would have dropped), unless the table is on the nullable side of an outer join (the condition must then see
 * the NULL-extended rows). WHERE still tests the joined rows as well: the same answer. Only conditions safe to
 * evaluate twice: no subquery, no function that is not immutable.
 */
function restrictionQuals(from: N[], whereConj: N[], relOf: (fields: string[]) => string | null): Map<string, N[]> {
  const nullable = new Set<string>();
  const mark = (f: N, nul: boolean): void => {
    if (!f.JoinExpr) { if (nul) nullable.add(leafName(f)); return; }
    const k = f.JoinExpr.jointype as string;
    mark(f.JoinExpr.larg, nul || k === 'JOIN_RIGHT' || k === 'JOIN_FULL');
    mark(f.JoinExpr.rarg, nul || k === 'JOIN_LEFT' || k === 'JOIN_FULL');
  };
  for (const f of from) mark(f, false);
  const out = new Map<string, N[]>();
  const notImmutable = (o: N) => !!o.FuncCall && !isImmutableFunction((o.FuncCall.funcname as N[]).map((y) => y.String.sval as string).pop()!);
  for (const q of whereConj) {
    const refs = columnRefs(q, notImmutable);
    const rels = new Set(refs?.map(relOf));
    const ok = !!refs && !rels.has(null);
    if (!ok || rels.size !== 1) continue;
    const rel = [...rels][0]!;
    if (nullable.has(rel)) continue;
    out.set(rel, [...(out.get(rel) ?? []), q]);
  }
  return out;
}

/** Does compiling this FROM item alone fail for want of a column or table of the items before it? */
function namesOuterColumn(compile: () => unknown): boolean {
  try { compile(); return false; } catch (e) {
    if (e instanceof PgError && (e.sqlstate === '42P01' || e.sqlstate === '42703')) return true;
    throw e;
  }
}
