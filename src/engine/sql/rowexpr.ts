/**
 * Rows as values in expressions (PostgreSQL's parser/parse_expr.c transformWholeRowRef, transformRowExpr and
 * make_row_comparison_op; the values themselves are adt/rowtypes.ts's PgRecord).
 *
 *     SELECT t FROM t               a whole-row reference: the row of FROM item t, of t's row type
 *     row_to_json(t.*), count(t.*)  the same written t.* (anywhere but at the top of a select list, where t.*
 *                                   stands for the columns)
 *     ROW(1, 'a'), (1, 'a')         a row constructor: an anonymous record with fields f1, f2 ...; ROW(t.*, 2)
 *                                   spreads t's columns into it
 *
 * Two written ROW(...) constructors compared are compared field by field (make_row_comparison_op): = is the AND
 * of the fields' =, <> the OR of their <>, and < <= > >= decide at the first pair of fields that differ (a NULL
 * there makes the answer NULL) — `ROW(1, NULL) < ROW(2, NULL)` is true. Any other comparison of row values is
 * btrecordcmp's (NULL fields equal each other).
 *
 * A whole row in a grouped query is 42803 naming it "t.*", even when each of its columns is grouped (PostgreSQL
 * accepts it only functionally dependent on a grouped primary key, which is not modelled).
 *
 * A FROM item on the nullable side of an outer join reads as a NULL row where the join null-extended it.
 *
 * (row).field reads one field (sql/arrayexpr.ts compileIndirection).
 *
 * Simplifications: on an outer join's nullable side, a real row whose every column is NULL reads as NULL too
 * (PostgreSQL: "(,)"; the join's rows do not say which were null-extended); a LEFT JOIN LATERAL's null-extended
 * side is a row of NULLs; the row type of a join's view or subquery member is `record` (pg_typeof); rows have no
 * hash function here, so a hashed DISTINCT of rows returns them in the order first seen (PostgreSQL: hash_record's order).
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { T, type SqlType, type Value, typeDisplayName } from './types.js';
import { PgRecord, recordType, type RowField } from '../adt/rowtypes.js';
import { castTo } from './coerce.js';
import type { Compiled, Scope } from './primnodes.js';
type N = Record<string, any>;
/** compileExpr, passed in (no import cycle with parse_expr's dispatcher) */
type Rec = (n: N, scope: Scope) => Compiled;

/**
 * The whole row of the FROM item `name` in this scope (a join member or the scope's one relation), or null when
 * the scope has none of that name.
 */
export function compileWholeRow(name: string, scope: Scope, location: number | undefined): Compiled | null {
  let first: number, count: number, relName: string | null, join: boolean;
  const rel = scope.rels?.find((r) => r.name === name);
  if (rel) {
    first = rel.offset; count = rel.count; relName = rel.table?.name ?? null; join = !!rel.nullable;
  } else if (!scope.rels && name === (scope.alias ?? scope.relName)) {
    first = 0; count = scope.rowWidth ?? scope.columns.length; relName = scope.rowType ?? (scope.relOid !== undefined ? scope.relName : null); join = false;
  } else return null;
  const idxs: number[] = [];
  const fields: RowField[] = [];
  for (let i = first; i < first + count; i++) {
    const c = scope.columns[i]!;
    if (c.dropped) continue;
    idxs.push(i);
    fields.push({ name: c.name, type: c.type });
  }
  // a whole row in a grouped query: only when the table's primary key is grouped (check_functional_grouping)
  if (scope.aggs && !scope.inAgg && !idxs.every((i) => scope.groupDependent?.has(i))) {
    throw new PgError('42803', `column "${name}.*" must appear in the GROUP BY clause or be used in an aggregate function`, { position: posOf(location) });
  }
  const type = recordType(fields, relName);
  return {
    fn: (r) => {
      const vals = idxs.map((i) => r.vals[i]!);
      return join && vals.every((v) => v === null) ? null : new PgRecord(vals);
    },
    type, name, strength: 2, wholeRow: true,
  };
}

/** t.* inside ROW(...): the fields of t's whole row, one expression each */
function spreadStar(n: N, scope: Scope, rec: Rec): Compiled[] {
  const whole = rec(n, scope);
  const fields = whole.type.composite?.fields ?? [];
  const f = whole.fn;
  return fields.map((fd, i) => ({
    fn: (r) => { const v = f(r); return v instanceof PgRecord ? v.vals[i]! : null; }, type: fd.type, name: fd.name, strength: 2,
  }));
}

/** ROW(...) / (a, b): an anonymous record of its arguments (an untyped literal is text) */
export function compileRowExpr(n: N, scope: Scope, rec: Rec): Compiled {
  // the fields as written (compared pairwise, an untyped literal takes the other side's type) and as values
  const raw: Compiled[] = [];
  for (const a of (n.args ?? []) as N[]) {
    const f = a.ColumnRef?.fields as N[] | undefined;
    if (f && f.length === 2 && f[1]!.A_Star) { raw.push(...spreadStar(a, scope, rec)); continue; }
    raw.push(rec(a, scope));
  }
  const args = raw.map((c) => (c.type.name === 'unknown' ? castTo(c, T.text, false, c.location) : c));
  if (args.length > 1664) throw new PgError('54011', 'ROW expressions can have at most 1664 entries', { position: posOf(n.location) });
  // the fields keep their types as written (an untyped literal stays unknown, as record_eq sees it)
  const type: SqlType = recordType(raw.map((a, i) => ({ name: `f${i + 1}`, type: a.type })), null);
  const fs = args.map((a) => a.fn);
  const c: Compiled = { fn: (r) => new PgRecord(fs.map((g) => g(r))), type, name: 'row', strength: 2, rowArgs: raw };
  if (args.every((a) => a.isConst)) { const v = c.fn(null as never); return { ...c, fn: () => v, isConst: true }; }
  return c;
}

const sameType = (a: SqlType, b: SqlType): boolean => a.name === b.name && (a.name !== 'record' || a.composite?.relName === b.composite?.relName);

/**
 * record_eq / btrecordcmp between row values of different shapes: they compare column by column and stop at the
 * first pair that differs, raising 42804 only if they get to a pair of columns of different types ("dissimilar
 * column types") or run out of one row's columns ("different numbers of columns"). Null when the shapes match
 * (the plain comparison of values does). `cmp` compares two non-NULL values.
 */
export function compileMismatchedRecords(l: Compiled, r: Compiled, cmp: (a: Value, b: Value) => number, test: (c: number) => boolean): Compiled | null {
  const a = l.type.composite?.fields, b = r.type.composite?.fields;
  if (!a || !b) return null;
  const bad = a.findIndex((f, k) => k < b.length && !sameType(f.type, b[k]!.type));
  if (bad < 0 && a.length === b.length) return null;
  const dissimilar = bad < 0 ? null : new PgError('42804', `cannot compare dissimilar column types ${typeDisplayName(a[bad]!.type)} and ${typeDisplayName(b[bad]!.type)} at record column ${bad + 1}`);
  const n = Math.min(a.length, b.length);
  const lf = l.fn, rf = r.fn;
  return {
    fn: (row) => {
      const x = lf(row), y = rf(row);
      if (x === null || y === null) return null;
      const xs = (x as PgRecord).vals, ys = (y as PgRecord).vals;
      for (let k = 0; k < n; k++) {
        if (k === bad) throw dissimilar!;
        const p = xs[k]!, q = ys[k]!;
        const c = p === null || q === null ? (p === null ? (q === null ? 0 : 1) : -1) : cmp(p, q);
        if (c !== 0) return test(c);
      }
      throw new PgError('42804', 'cannot compare record types with different numbers of columns');
    },
    type: T.bool, name: '?column?', strength: 0,
  };
}

type Cmp = (op: string, l: Compiled, r: Compiled, pos?: number) => Compiled;

/** make_row_comparison_op: ROW(...) op ROW(...) field by field; `cmp` compiles one pair's comparison */
export function compileRowComparison(op: string, l: Compiled, r: Compiled, pos: number | undefined, cmp: Cmp): Compiled {
  const la = l.rowArgs!, ra = r.rowArgs!;
  if (la.length !== ra.length) throw new PgError('42601', 'unequal number of entries in row expressions', pos !== undefined ? { position: pos } : {});
  if (la.length === 0) throw notSupported('comparing empty rows', pos);
  const o = op === '!=' ? '<>' : op;
  if (o === '=' || o === '<>') {
    const pairs = la.map((x, i) => cmp(o, x, ra[i]!, pos).fn);
    const and = o === '=';
    return {
      fn: (row) => {
        let nul = false;
        for (const p of pairs) { const v = p(row); if (v === null) nul = true; else if (v !== and) return !and; }
        return nul ? null : and;
      },
      type: T.bool, name: '?column?', strength: 0,
    };
  }
  // RowCompareExpr: the first pair that is not equal decides with op; all equal: true for <= and >=
  const eqs = la.map((x, i) => cmp('=', x, ra[i]!, pos).fn);
  const ops = la.map((x, i) => cmp(o, x, ra[i]!, pos).fn);
  const orEqual = o === '<=' || o === '>=';
  return {
    fn: (row) => {
      for (let i = 0; i < eqs.length; i++) {
        const e = eqs[i]!(row);
        if (e === null) return null;
        if (e === false) return ops[i]!(row);
      }
      return orEqual;
    },
    type: T.bool, name: '?column?', strength: 0,
  };
}
