/**
 * Subqueries in expressions (PostgreSQL's parser/parse_expr.c transformSubLink, run by executor/nodeSubplan.ts):
 * EXISTS, IN / = ANY / op ALL (SELECT ...), and a scalar (SELECT ...) — one column, at most one row (21000).
 * The subquery is prepared through ExprEnv.subquery, which runs it once (an InitPlan) or per outer row.
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { T } from './types.js';
import { compileComparison } from './operators.js';
import type { Row, Compiled, Scope } from './primnodes.js';
type N = Record<string, any>;
/** compileExpr, passed in (this module is below parse_expr's dispatcher: no import cycle) */
type Rec = (n: N, scope: Scope) => Compiled;

/** Subqueries: EXISTS (...), x IN (SELECT ...), (SELECT ...) as a value (ExecSubPlan / InitPlan). */
export function compileSubLink(n: N, scope: Scope, rec: Rec): Compiled {
  const kind = n.subLinkType as string;
  const pos = posOf(n.location);
  const sub = scope.env.subquery(n.subselect.SelectStmt ?? n.subselect, scope);
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
    case 'ANY_SUBLINK': {
      if (sub.types.length !== 1) throw new PgError('42601', sub.types.length > 1 ? 'subquery has too many columns' : 'subquery has too few columns', pos !== undefined ? { position: pos } : {});
      const op = n.operName ? (n.operName as N[]).map((x) => x.String.sval).join('') : '=';
      const left = rec(n.testexpr, scope);
      const slot: Row = { vals: [null], item: null, blk: 0, off: 0, aggs: null };
      const cmp = compileComparison(op, left, { fn: () => slot.vals[0]!, type: sub.types[0]!, name: '', strength: 0 }, pos).fn;
      return {
        fn: (r) => {
          let nul = false;
          for (const row of sub.run(r)) { slot.vals[0] = row[0]!; const v = cmp(r); if (v === true) return true; if (v === null) nul = true; }
          return nul ? null : false;
        }, type: T.bool, name: '?column?', strength: 0,
      };
    }
    default: throw notSupported(`${kind.replace('_SUBLINK', '')} subqueries`, pos);
  }
}
