/**
 * Selectivity of a table's own WHERE conditions (PostgreSQL's optimizer/path/clausesel.c over utils/adt/selfuncs.c
 * eqsel / scalarineqsel): the fraction of the table's rows the planner expects to pass, multiplied over the
 * AND-ed conditions.
 *
 *     col = constant     1 / (distinct values of col): a unique column 1 / rows; without statistics 200 distinct
 *                        values are assumed (DEFAULT_NUM_DISTINCT): 0.005 — 2,260 rows x 0.005 = 11 ("rows=11")
 *     col < constant     1/3 without statistics (DEFAULT_INEQ_SEL)
 *
 * Anything else — a range with statistics (PostgreSQL reads the histogram), two ranges on one column (a range
 * pair), OR, functions, LIKE — is not estimated: null, and the caller treats its plan as one EXPLAIN cannot vouch
 * for (optimizer/joinpath.ts).
 */
import type { Table } from '../catalog/catalog.js';
import { estimateRelSize, columnUnique } from './plancat.js';

type N = Record<string, any>;

const DEFAULT_NUM_DISTINCT = 200;
const DEFAULT_INEQ_SEL = 1 / 3;
const COMPARISONS = new Set(['<', '<=', '>', '>=']);

export function restrictionSelectivity(t: Table, quals: N[]): number | null {
  let sel = 1;
  const ranged = new Set<number>();
  for (const q of quals) {
    const e = q.A_Expr;
    if (!e || e.kind !== 'AEXPR_OP' || e.name?.length !== 1) return null;
    const op = e.name[0].String?.sval as string;
    const colOf = (x: N | undefined) => {
      const f = x?.ColumnRef?.fields as N[] | undefined;
      if (!f || !f.every((y) => y.String)) return -1;
      return t.columns.findIndex((c) => !c.dropped && c.name === f[f.length - 1]!.String.sval);
    };
    const isConst = (x: N | undefined) => !!x?.A_Const && !x.A_Const.isnull;
    let col = colOf(e.lexpr);
    if (col < 0 || !isConst(e.rexpr)) { col = colOf(e.rexpr); if (col < 0 || !isConst(e.lexpr)) return null; }
    if (op === '=') {
      if (columnUnique(t, col)) { sel *= 1 / Math.max(1, t.stats ? t.stats.reltuples : estimateRelSize(t).tuples); continue; }
      if (t.stats) return null; // var_eq_const reads the MCV list
      sel *= 1 / DEFAULT_NUM_DISTINCT;
    } else if (COMPARISONS.has(op)) {
      if (t.stats || ranged.has(col)) return null; // the histogram, or a range pair (DEFAULT_RANGE_INEQ_SEL)
      ranged.add(col);
      sel *= DEFAULT_INEQ_SEL;
    } else return null;
  }
  return sel;
}
