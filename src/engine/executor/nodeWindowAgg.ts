/**
 * Window functions (PostgreSQL's executor/nodeWindowAgg.c, utils/adt/windowfuncs.c): a function computed over the
 * rows of a partition, ordered, for every row — without collapsing them as GROUP BY does.
 *
 *     SELECT k, v, row_number() OVER w, rank() OVER w, sum(v) OVER (PARTITION BY g ORDER BY v) ...
 *
 *     g  v   row_number  rank  dense_rank  sum (frame: partition start .. last peer of the current row)
 *     1  10  1           1     1           10
 *     1  10  2           1     1           20      <- peers (same ORDER BY value) share rank and running sum
 *     1  30  3           3     2           50
 *     2  5   1           1     1           5       <- a new partition starts over
 *
 * Each call is replaced by a hidden column before the select list is compiled; after the scan and WHERE, the rows
 * are sorted by PARTITION BY then ORDER BY (the Sort under WindowAgg — so without an outer ORDER BY the rows come
 * out in that order), the values computed, and the query goes on (ORDER BY, DISTINCT, LIMIT) as usual.
 * Supported: row_number, rank, dense_rank, percent_rank, cume_dist, ntile, lag, lead, first_value, last_value,
 * nth_value, and the aggregates OVER (with FILTER); named windows (WINDOW w AS ...) and frames (ROWS / RANGE / GROUPS,
 * EXCLUDE: windowframe.ts). In a grouped query they run over the groups, after HAVING. Simplifications: no FOR UPDATE;
 * rows that tie on every sort key are ordered by PostgreSQL's quicksort (executor/qsort.ts), as the Sort below the WindowAgg
 * orders them.
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { ORDERED_SET_AGGS } from '../sql/orderedset.js';
import { compileExpr, castTo, compareValues, newAggState, type AggSpec, type Compiled, type Row, type Scope } from '../sql/expr.js';
import { type SqlType, type Value, T, formatValue } from '../sql/types.js';
import type { N } from './util.js';
import { pgQsort } from './qsort.js';
import { PG15_AGGREGATES } from '../catalog/pg15names.js';
import { commonType } from '../sql/coerce.js';
import { f8 } from '../adt/float.js';
import { resolveWindows, compileFrame, frameOffsets, frameRows, peerGroups, type FrameSpec } from './windowframe.js';

const RANKING = new Set(['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value']);
/** an aggregate used as a window function: any the aggregate machinery computes (sql/funccall.ts) */
const isAgg = (name: string) => PG15_AGGREGATES.has(name) && !RANKING.has(name);

interface Call { node: N; name: string; hidden: string }

/** Replace each window function call in the select list and ORDER BY by a hidden column reference. */
export function extractWindows(n: N): { n: N; calls: Call[] } | null {
  for (const [part, clause] of [[n.whereClause, 'WHERE'], [n.havingClause, 'HAVING'], [n.groupClause, 'GROUP BY']] as [N, string][]) {
    const at = windowCall(part);
    if (at) throw new PgError('42P20', `window functions are not allowed in ${clause}`, { position: posOf(at.FuncCall.location) });
  }
  const resolve = resolveWindows(n.windowClause);
  if (!JSON.stringify([n.targetList, n.sortClause]).includes('"over"')) return null;
  const calls: Call[] = [];
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (!x || typeof x !== 'object') return x;
    const o = x as N;
    if (o.SubLink) return o;
    if (o.FuncCall?.over) {
      const name = (o.FuncCall.funcname as N[]).map((f) => f.String.sval).pop()!.toLowerCase();
      const hidden = `?window${calls.length}?`;
      calls.push({ node: { ...o, FuncCall: { ...o.FuncCall, over: resolve(o.FuncCall.over) } }, name, hidden });
      return { ColumnRef: { fields: [{ String: { sval: hidden } }], location: o.FuncCall.location } };
    }
    const out: N = {};
    for (const [k, v] of Object.entries(o)) out[k] = walk(v);
    return out;
  };
  // a bare call keeps its function's name as the column name (FigureColname)
  const targets = ((n.targetList ?? []) as N[]).map((t) => {
    const fc = t.ResTarget?.val?.FuncCall;
    const w = walk(t) as N;
    if (fc?.over && !t.ResTarget.name) w.ResTarget.name = (fc.funcname as N[]).map((f) => f.String.sval).pop();
    return w;
  });
  const m = { ...n, targetList: targets, sortClause: walk(n.sortClause) };
  return { n: m, calls };
}

/** The first window function call in a tree (outside subqueries), if any. */
function windowCall(x: unknown): N | null {
  if (!x || typeof x !== 'object') return null;
  const o = x as N;
  if (o.SubLink) return null;
  if (o.FuncCall?.over) return o;
  for (const v of Object.values(o)) { const r = windowCall(v); if (r) return r; }
  return null;
}

/**
 * The one window specification every call shares, or null when they differ (PostgreSQL then stacks a WindowAgg
 * and a Sort per specification).
 */
export function windowSpec(calls: { node: N }[]): N | null {
  const key = (c: { node: N }) => JSON.stringify([c.node.FuncCall.over.partitionClause ?? [], c.node.FuncCall.over.orderClause ?? []], (k, v) => (k === 'location' ? undefined : v));
  return calls.length && calls.every((c) => key(c) === key(calls[0]!)) ? calls[0]!.node.FuncCall.over : null;
}

/** Two sort keys that no index satisfies: tells the planner the scan order cannot come from an index walk. */
const NO_WALK: N[] = [{ SortBy: { node: { A_Const: { isnull: true } } } }, { SortBy: { node: { A_Const: { isnull: true } } } }];

/**
 * The order the scan should deliver for the planner (selectScanOptions): a window's ORDER BY when it is the
 * only ordering needed (no PARTITION BY, no ORDER BY of the query itself), so an index walk can replace its Sort.
 */
export function windowOrder(calls: { node: N }[], querySort: N[] | undefined): N[] | undefined {
  if (querySort?.length) return NO_WALK;
  const w = windowSpec(calls);
  if (!w || w.partitionClause?.length) return NO_WALK;
  return w.orderClause;
}

interface Prepared {
  columns: { name: string; type: SqlType }[];
  /** compute every window value: rows in, rows (sorted by the last window) with the values appended */
  run(rows: Row[]): Row[];
}

/**
 * `grouped`: the query has GROUP BY or aggregates — the window functions run over the groups (after HAVING), so
 * `scope` is the grouped one: their arguments, PARTITION BY and ORDER BY may use aggregates and grouped columns
 * only (rank() OVER (ORDER BY sum(v) DESC), sum(sum(v)) OVER ()).
 */
export function prepareWindows(calls: Call[], scope: Scope, grouped = false): Prepared {
  const width = scope.columns.length;
  const specs = calls.map((c) => {
    const fc = c.node.FuncCall;
    const w = fc.over;
    const pos = posOf(fc.location);
    if (ORDERED_SET_AGGS.has(c.name)) throw new PgError('0A000', `OVER is not supported for ordered-set aggregate ${c.name}`, { position: pos });
    if (!RANKING.has(c.name) && !isAgg(c.name)) throw notSupported(`the window function ${c.name}()`, pos);
    if (fc.agg_filter && !isAgg(c.name)) throw new PgError('0A000', 'FILTER is not implemented for non-aggregate window functions', { position: pos });
    if (fc.agg_distinct) throw new PgError('0A000', 'DISTINCT is not implemented for window functions', { position: pos });
    if (fc.agg_order?.length) throw new PgError('0A000', 'aggregate ORDER BY is not implemented for window functions', { position: pos });
    const part = ((w.partitionClause ?? []) as N[]).map((p) => compileExpr(p, scope));
    const order = ((w.orderClause ?? []) as N[]).map((sb) => {
      // (ORDER BY x USING >: descending; another operator orders nothing, as in the query's ORDER BY)
      const using = sb.SortBy.sortby_dir === 'SORTBY_USING' ? ((sb.SortBy.useOp ?? []) as N[]).map((o) => o.String?.sval as string).pop() ?? '' : null;
      if (using !== null && using !== '<' && using !== '>') {
        throw new PgError('42809', `operator ${using} is not a valid ordering operator`, { hint: 'Ordering operators must be "<" or ">" members of btree operator families.' });
      }
      const desc = sb.SortBy.sortby_dir === 'SORTBY_DESC' || using === '>';
      const nf = sb.SortBy.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : sb.SortBy.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc;
      return { c: compileExpr(sb.SortBy.node, scope), desc, nullsFirst: nf };
    });
    const frame = compileFrame(w, order, scope);
    const args = ((fc.args ?? []) as N[]).map((a) => compileExpr(a, scope));
    let type: SqlType;
    let agg: AggSpec | null = null;
    if (isAgg(c.name)) {
      const aggs: AggSpec[] = [];
      const plain: N = { FuncCall: { ...fc, over: undefined } };
      // over groups: the arguments are grouped expressions (an aggregate in them is the query's, computed per group)
      const aggScope: Scope = grouped ? { ...scope, aggs, windowOver: scope } : { ...scope, aggs, groupCols: new Set(scope.columns.map((_, i) => i)) };
      const compiled = compileExpr(plain, aggScope);
      agg = aggs[0]!;
      type = compiled.type;
    } else if (['row_number', 'rank', 'dense_rank', 'ntile'].includes(c.name)) type = c.name === 'ntile' ? T.int4 : T.int8;
    else if (c.name === 'percent_rank' || c.name === 'cume_dist') type = T.float8;
    else {
      if (!args.length) throw new PgError('42883', `function ${c.name}() does not exist`, { position: pos, hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
      // lag / lead (anycompatible, integer, anycompatible): the value and the default resolve to one type
      type = args[2] && (c.name === 'lag' || c.name === 'lead') ? commonType([args[0]!, args[2]], `${c.name}`, pos)
        : args[0]!.type.name === 'unknown' ? T.text : args[0]!.type;
    }
    const expected = c.name === 'lag' || c.name === 'lead' ? [1, 3] : c.name === 'first_value' || c.name === 'last_value' || c.name === 'ntile' ? [1, 1]
      : c.name === 'nth_value' ? [2, 2] : isAgg(c.name) ? [0, 2] : [0, 0];
    if (args.length < expected[0]! || args.length > expected[1]!) {
      throw new PgError('42883', `function ${c.name}(${args.map((a) => a.type.name === 'int4' ? 'integer' : a.type.name).join(', ')}) does not exist`, { position: pos, hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
    }
    const dflt = args[2] ? castTo(args[2], type, false) : null;
    if (dflt) args[0] = castTo(args[0]!, type, false);
    return { c, part, order, args, type, agg, dflt, frame };
  });

  const cmpKeys = (a: Value[], b: Value[], dirs: { desc: boolean; nullsFirst: boolean }[]) => {
    for (let i = 0; i < dirs.length; i++) {
      const x = a[i]!, y = b[i]!, d = dirs[i]!;
      if (x === null || y === null) { if (x === y) continue; return (x === null) === d.nullsFirst ? -1 : 1; }
      const c = compareValues(x, y);
      if (c !== 0) return d.desc ? -c : c;
    }
    return 0;
  };

  // select_active_windows: a window whose sort keys begin another's is computed after it, from the rows that
  // one's Sort left in order (no Sort of its own) — so its ties come out as that sort put them
  const sortKey = (c: Call) => {
    const w = c.node.FuncCall.over;
    const strip = (x: unknown) => JSON.stringify(x, (k, v) => (k === 'location' ? undefined : v));
    return [...((w.partitionClause ?? []) as N[]).map((p) => strip({ p })), ...((w.orderClause ?? []) as N[]).map((o) => strip(o))];
  };
  const keys = calls.map(sortKey);
  const prefixOf = (a: string[], b: string[]) => a.length < b.length && a.every((x, i) => x === b[i]);
  const longerOnes = keys.map((k) => keys.filter((o) => prefixOf(k, o)).length);
  const evalOrder = calls.map((_, i) => i).sort((a, b) => longerOnes[a]! - longerOnes[b]!);

  return {
    columns: calls.map((c, i) => ({ name: c.hidden, type: specs[i]!.type })),
    run(input: Row[]): Row[] {
      // (a group's row of an aggregate without GROUP BY has no columns: padded)
      let rows: Row[] = input.map((r) => ({ ...r, vals: Array.from({ length: width + calls.length }, (_, i) => (i < width ? r.vals[i] ?? null : null)) }));
      for (const wi of evalOrder) {
        const sp = specs[wi]!;
        // the frame offsets, once, before the first row (also over no rows)
        const offs = sp.frame ? frameOffsets(sp.frame) : null;
        const dirs = [...sp.part.map(() => ({ desc: false, nullsFirst: false })), ...sp.order.map((o) => ({ desc: o.desc, nullsFirst: o.nullsFirst }))];
        const keyed = rows.map((r) => ({ r, p: sp.part.map((p) => p.fn(r)), o: sp.order.map((o) => o.c.fn(r)) }));
        // the Sort under WindowAgg: tuplesort's quicksort (executor/qsort.ts), so rows that tie on every key come out as PG's do
        if (dirs.length) pgQsort(keyed, (a, b) => cmpKeys([...a.p, ...a.o], [...b.p, ...b.o], dirs));
        const samePart = (a: typeof keyed[0], b: typeof keyed[0]) =>
          sp.part.every((_, i) => JSON.stringify(formatValue(a.p[i]!)) === JSON.stringify(formatValue(b.p[i]!)));
        const peers = (a: typeof keyed[0], b: typeof keyed[0]) => cmpKeys(a.o, b.o, dirs.slice(sp.part.length)) === 0;
        for (let start = 0; start < keyed.length;) {
          let end = start + 1;
          while (end < keyed.length && samePart(keyed[start]!, keyed[end]!)) end++;
          computePartition(keyed.slice(start, end), sp, width + wi, peers, offs);
          start = end;
        }
        rows = keyed.map((k) => k.r);
      }
      return rows;
    },
  };
}

interface Spec { c: Call; args: Compiled[]; type: SqlType; agg: AggSpec | null; dflt: Compiled | null; order: unknown[]; frame: FrameSpec | null }

function computePartition<K extends { r: Row; o: Value[] }>(part: K[], sp: Spec, col: number, peers: (a: K, b: K) => boolean,
  offs: { start: Value; end: Value } | null) {
  const n = part.length;
  if (sp.frame || sp.c.name === 'nth_value') {
    if (framed(part, sp, col, peers, offs)) return;
  }
  // the last peer of each row: the end of its frame under the default frame (the whole partition without ORDER BY)
  const lastPeer: number[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) lastPeer[i] = sp.order.length === 0 ? n - 1 : i < n - 1 && peers(part[i]!, part[i + 1]!) ? lastPeer[i + 1]! : i;
  let rank = 1, dense = 0;
  // the default frame only grows (partition start .. last peer), so one running aggregate state serves every row
  const st = sp.agg ? newAggState(sp.agg) : null;
  let added = 0;
  for (let i = 0; i < n; i++) {
    const r = part[i]!.r;
    if (i === 0 || !peers(part[i - 1]!, part[i]!)) { rank = i + 1; dense++; }
    let v: Value;
    switch (sp.c.name) {
      case 'row_number': v = i + 1; break;
      case 'rank': v = rank; break;
      case 'dense_rank': v = dense; break;
      // (rank - 1) / (rows - 1); the rows up to the current row's last peer / rows (windowfuncs.c)
      case 'percent_rank': v = f8(n > 1 ? (rank - 1) / (n - 1) : 0); break;
      case 'cume_dist': v = f8((lastPeer[i]! + 1) / n); break;
      case 'ntile': {
        const b = sp.args[0]!.fn(r);
        if (b === null) { v = null; break; }
        const buckets = Number(b);
        if (buckets <= 0) throw new PgError('22014', 'argument of ntile must be greater than zero');
        const per = Math.floor(n / buckets), extra = n % buckets;
        const big = extra * (per + 1);
        v = i < big ? Math.floor(i / (per + 1)) + 1 : extra + Math.floor((i - big) / Math.max(per, 1)) + 1;
        break;
      }
      case 'lag': case 'lead': {
        const off = sp.args[1] ? sp.args[1]!.fn(r) : 1;
        if (off === null) { v = null; break; }
        const j = sp.c.name === 'lag' ? i - Number(off) : i + Number(off);
        v = j >= 0 && j < n ? sp.args[0]!.fn(part[j]!.r) : sp.dflt ? sp.dflt.fn(r) : null;
        break;
      }
      case 'first_value': v = sp.args[0]!.fn(part[0]!.r); break;
      case 'last_value': v = sp.args[0]!.fn(part[lastPeer[i]!]!.r); break;
      default: {
        for (; added <= lastPeer[i]!; added++) addRow(st!, sp.agg!, part[added]!.r);
        v = st!.result();
      }
    }
    r.vals[col] = v;
  }
}

/**
 * The functions that read the frame — aggregates, first_value, last_value, nth_value — under any frame (the
 * default one too, for nth_value): each row's frame computed (windowframe.ts), the function evaluated over it.
 * Returns false for the functions that ignore the frame (computed by computePartition as usual).
 */
function framed<K extends { r: Row; o: Value[] }>(part: K[], sp: Spec, col: number, peers: (a: K, b: K) => boolean,
  offs: { start: Value; end: Value } | null): boolean {
  const name = sp.c.name;
  if (!isAgg(name) && name !== 'first_value' && name !== 'last_value' && name !== 'nth_value') return false;
  const n = part.length;
  const g = peerGroups(n, (i, j) => sp.order.length === 0 || peers(part[i]!, part[j]!));
  const frame: FrameSpec = sp.frame ?? { mode: 'range', start: 'unbounded', end: 'current', exclude: 'none', startOffset: null, endOffset: null, desc: false };
  const o = offs ?? { start: null, end: null };
  for (let i = 0; i < n; i++) {
    const r = part[i]!.r;
    const rows = frameRows(frame, n, i, g, (j) => part[j]!.o[0] ?? null, o);
    let v: Value;
    if (name === 'first_value') v = rows.length ? sp.args[0]!.fn(part[rows[0]!]!.r) : null;
    else if (name === 'last_value') v = rows.length ? sp.args[0]!.fn(part[rows[rows.length - 1]!]!.r) : null;
    else if (name === 'nth_value') {
      const k = sp.args[1]!.fn(r);
      if (k === null) v = null;
      else {
        if (Number(k) <= 0) throw new PgError('22016', 'argument of nth_value must be greater than zero');
        const at = rows[Number(k) - 1];
        v = at === undefined ? null : sp.args[0]!.fn(part[at]!.r);
      }
    } else {
      const st = newAggState(sp.agg!);
      for (const j of rows) addRow(st, sp.agg!, part[j]!.r);
      v = st.result();
    }
    r.vals[col] = v;
  }
  return true;
}

/** One row into a window aggregate's state: its FILTER first, then its argument(s) (string_agg's delimiter too). */
function addRow(st: ReturnType<typeof newAggState>, agg: AggSpec, r: Row): void {
  if (agg.filter && agg.filter.fn(r) !== true) return;
  st.add(agg.arg ? agg.arg.fn(r) : null, agg.extra ? agg.extra.fn(r) : undefined);
}
