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
 * Simplifications: a FROM item of a join whose columns are all NULL reads as a NULL row (PostgreSQL: only the
 * null-extended side of an outer join does; a real row whose every column is NULL is "(,)" there); the row type of
 * a join member is `record`, not its table's name; field selection (t).col and ROW(...)::type casts are not
 * modelled (0A000).
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { T, type SqlType } from './types.js';
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
    first = rel.offset; count = rel.count; relName = null; join = scope.rels!.length > 1;
  } else if (!scope.rels && name === (scope.alias ?? scope.relName)) {
    first = 0; count = scope.columns.length; relName = scope.relOid !== undefined ? scope.relName : null; join = false;
  } else return null;
  const idxs: number[] = [];
  const fields: RowField[] = [];
  for (let i = first; i < first + count; i++) {
    const c = scope.columns[i]!;
    if (c.dropped) continue;
    idxs.push(i);
    fields.push({ name: c.name, type: c.type });
  }
  if (scope.aggs && !scope.inAgg) {
    throw new PgError('42803', `column "${name}.*" must appear in the GROUP BY clause or be used in an aggregate function`, { position: posOf(location) });
  }
  const type = recordType(fields, relName);
  return {
    fn: (r) => {
      const vals = idxs.map((i) => r.vals[i]!);
      return join && vals.every((v) => v === null) ? null : new PgRecord(vals);
    },
    type, name, strength: 2,
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
  const type: SqlType = recordType(args.map((a, i) => ({ name: `f${i + 1}`, type: a.type })), null);
  const fs = args.map((a) => a.fn);
  const c: Compiled = { fn: (r) => new PgRecord(fs.map((g) => g(r))), type, name: 'row', strength: 2, rowArgs: raw };
  if (args.every((a) => a.isConst)) { const v = c.fn(null as never); return { ...c, fn: () => v, isConst: true }; }
  return c;
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
