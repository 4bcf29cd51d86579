/**
 * Subqueries in expressions (PostgreSQL's parser/parse_expr.c transformSubLink, run by executor/nodeSubplan.ts):
 * EXISTS, IN / op ANY / op ALL (SELECT ...) (NOT IN is NOT (x IN ...)), a scalar (SELECT ...) — one column, at
 * most one row (21000) — and ARRAY(SELECT ...), the column's values as an array.
 * The subquery is prepared through ExprEnv.subquery, which runs it once (an InitPlan) or per outer row.
 * Simplification: the subquery's rows are all computed before the comparisons; PostgreSQL's non-hashed SubPlan
 * pulls them one at a time and stops at ANY's first true or ALL's first false, so an error in a later row of the
 * subquery (a division by zero) is raised here and not there.
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { type Value, type SqlType, PgArray, T, arrayOf, isArray } from './types.js';
import { compileComparison } from './operators.js';
import type { Row, Compiled, Scope } from './primnodes.js';
type N = Record<string, any>;
/** compileExpr, passed in (this module is below parse_expr's dispatcher: no import cycle) */
type Rec = (n: N, scope: Scope) => Compiled;

/** Subqueries: EXISTS (...), x IN (SELECT ...), (SELECT ...) as a value (ExecSubPlan / InitPlan). */
export function compileSubLink(n: N, scope: Scope, rec: Rec): Compiled {
  const kind = n.subLinkType as string;
  const pos = posOf(n.location);
  const sub = scope.env.subquery(n.subselect.SelectStmt ?? n.subselect, scope, { exists: kind === 'EXISTS_SUBLINK' });
  switch (kind) {
    case 'EXISTS_SUBLINK':
      return { fn: (r) => sub.run(r).length > 0, type: T.bool, name: 'exists', strength: 2 };
    case 'EXPR_SUBLINK': {
      if (sub.types.length !== 1) throw new PgError('42601', 'subquery must return only one column', pos !== undefined ? { position: pos } : {});
      return {
        fn: (r) => {
          const rows = sub.run(r);
          if (rows.length > 1) throw new PgError('21000', 'more than one row returned by a subquery used as an expression');
          return rows.length ? rows[0]![0]! : null;
        }, type: sub.types[0]!, name: sub.names?.[0] ?? '?column?', strength: 0,
      };
    }
    case 'ANY_SUBLINK':
    case 'ALL_SUBLINK': {
      const rowArgs = (n.testexpr?.RowExpr?.args ?? null) as N[] | null;
      if (rowArgs && rowArgs.length > 1 && rowArgs.length === sub.types.length) return rowSublink(n, kind, rowArgs, sub, scope, rec, pos);
      if (rowArgs && rowArgs.length > 1) throw new PgError('42601', sub.types.length > rowArgs.length ? 'subquery has too many columns' : 'subquery has too few columns', pos !== undefined ? { position: pos } : {});
      if (sub.types.length !== 1) throw new PgError('42601', sub.types.length > 1 ? 'subquery has too many columns' : 'subquery has too few columns', pos !== undefined ? { position: pos } : {});
      const op = n.operName ? (n.operName as N[]).map((x) => x.String.sval).join('') : '=';
      const left = rec(n.testexpr, scope);
      const slot: Row = { vals: [null], item: null, blk: 0, off: 0, aggs: null };
      const cmp = compileComparison(op, left, { fn: () => slot.vals[0]!, type: sub.types[0]!, name: '', strength: 0 }, pos).fn;
      // ANY: true at the first comparison that is true; ALL: false at the first that is false; else NULL if one
      // was NULL (ExecScanSubPlan's three-valued OR / AND over the rows; an empty subquery: false / true)
      const stopAt = kind === 'ANY_SUBLINK';
      return {
        fn: (r) => {
          let nul = false;
          for (const row of sub.run(r)) { slot.vals[0] = row[0]!; const v = cmp(r); if (v === stopAt) return stopAt; if (v === null) nul = true; }
          return nul ? null : !stopAt;
        }, type: T.bool, name: '?column?', strength: 0,
      };
    }
    case 'ARRAY_SUBLINK': {
      // ARRAY(SELECT ...): the one column's values in the subquery's order; no rows is '{}' (ExecScanSubPlan)
      if (sub.types.length !== 1) throw new PgError('42601', 'subquery must return only one column', pos !== undefined ? { position: pos } : {});
      const t = sub.types[0]!.name === 'unknown' ? T.text : sub.types[0]!;
      if (isArray(t)) throw notSupported('ARRAY(SELECT ...) of an array-valued column', pos);
      return { fn: (r) => new PgArray(sub.run(r).map((row) => row[0]! as Exclude<Value, PgArray>)), type: arrayOf(t), name: 'array', strength: 2 };
    }
    default: throw notSupported(`${kind.replace('_SUBLINK', '')} subqueries`, pos);
  }
}

/**
 * (a, b) IN (SELECT x, y ...), (a, b) NOT IN / <> ALL (...): the row compared with each of the subquery's rows
 * column by column — = is true when every column is equal, false when one differs, else NULL; <> the opposite —
 * and those combined over the rows as ANY / ALL combine them (ExecScanSubPlan, make_row_comparison_op).
 */
function rowSublink(n: N, kind: string, args: N[], sub: { types: SqlType[]; run(r: Row): Value[][] }, scope: Scope, rec: Rec, pos?: number): Compiled {
  const op = n.operName ? (n.operName as N[]).map((x) => x.String.sval).join('') : '=';
  if (op !== '=' && op !== '<>') throw notSupported(`a row compared with ${op} to a subquery's rows`, pos);
  const slot: Row = { vals: sub.types.map(() => null), item: null, blk: 0, off: 0, aggs: null };
  const cmps = args.map((a, i) => compileComparison(op, rec(a, scope), { fn: () => slot.vals[i]!, type: sub.types[i]!, name: '', strength: 0 }, pos).fn);
  const eq = op === '=';
  const rowCmp = (r: Row): boolean | null => {
    let nul = false;
    for (const c of cmps) { const v = c(r); if (v === !eq) return !eq; if (v === null) nul = true; }
    return nul ? null : eq;
  };
  const stopAt = kind === 'ANY_SUBLINK';
  return {
    fn: (r) => {
      let nul = false;
      for (const row of sub.run(r)) {
        for (let i = 0; i < row.length; i++) slot.vals[i] = row[i]!;
        const v = rowCmp(r);
        if (v === stopAt) return stopAt;
        if (v === null) nul = true;
      }
      return nul ? null : !stopAt;
    }, type: T.bool, name: '?column?', strength: 0,
  };
}
