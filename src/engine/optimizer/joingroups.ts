/**
 * estimate_num_groups over a join (utils/adt/selfuncs.c), for the hash table of a GROUP BY or DISTINCT whose input
 * is a join: its size decides the order the groups come out in (executor/execGrouping.ts).
 *
 * The grouping expressions' columns are sorted by the base relation they come from. Per relation: the product of
 * its columns' distinct values (get_variable_numdistinct), clamped to the relation's tuples (a tenth of them for
 * several columns, never below the largest column's count), reduced for the relation's own conditions by the
 * expected distinct values among the rows they keep, n x (1 - ((N - p) / N)^(N / n)). The relations' figures
 * multiply, and the product is clamped to the rows the join is expected to return:
 *
 *     t (14 rows, c: 5 values)  JOIN  u (20 rows, a: 4 values) ON u.b = t.a      GROUP BY t.c, u.a
 *       t: 5     u: 4     5 x 4 = 20 groups, at most the join's rows (t x u x eqjoinsel)
 *
 * The join's rows are calc_joinrel_size_estimate's: outer x inner x the join clauses' selectivity (eqjoinsel for
 * `a.x = b.y`, a third for a comparison of two columns), at least the preserved side's rows for an outer join
 * (both sides' for a FULL join), each side a base relation's rows after its own conditions or a join below.
 *
 * Simplifications: null (no estimate: the groups keep their first-seen order) for a join condition of any other
 * form, a WHERE condition left above an outer join, a relation that is not a plain table, a column the simulator
 * cannot place; no extended statistics, no expression-index statistics.
 */
import type { Table } from '../catalog/catalog.js';
import type { JoinPlan } from './joinpath.js';
import { whereSelectivity } from './clausesel.js';
import { estimateRelSize, clampRowEst } from './plancat.js';
import { eqjoinsel, variableNumDistinct } from './selfuncs.js';

type N = Record<string, any>;
type ScanLeaf = Extract<JoinPlan, { kind: 'Scan' }>;

/** A relation of the join's row: its visible name, where its columns start, how many there are. */
export interface JoinRel { name: string; offset: number; count: number }

/** A column of a base relation: the leaf of the join tree and the column's position in its table. */
interface RelVar { leaf: ScanLeaf; col: number }

const andOf = (qs: N[]): N | undefined => (qs.length === 0 ? undefined : qs.length === 1 ? qs[0] : { BoolExpr: { boolop: 'AND_EXPR', args: qs } });

function leavesOf(p: JoinPlan, out: ScanLeaf[] = []): ScanLeaf[] | null {
  if (p.kind === 'Scan') { out.push(p); return out; }
  if (p.kind !== 'Join') return null;
  return leavesOf(p.outer, out) && leavesOf(p.inner, out);
}

/** A base relation's tuples and rows after its own conditions (set_baserel_size_estimates). */
function relSize(leaf: ScanLeaf): { tuples: number; rows: number } | null {
  const tuples = estimateRelSize(leaf.table).tuples;
  const ws = whereSelectivity(leaf.table, tuples, andOf(leaf.quals), { sublinks: true });
  return ws ? { tuples, rows: clampRowEst(tuples * ws.sel) } : null;
}

/** The estimator for one join tree: where each column of the join's row comes from, the sizes, the groups. */
export class JoinGroupEstimate {
  private readonly leaves: ScanLeaf[];
  private readonly sizes = new Map<ScanLeaf, { tuples: number; rows: number } | null>();

  private constructor(private readonly plan: JoinPlan, private readonly rels: JoinRel[], leaves: ScanLeaf[]) { this.leaves = leaves; }

  static of(plan: JoinPlan | null | undefined, rels: JoinRel[] | undefined): JoinGroupEstimate | null {
    if (!plan || !rels) return null;
    const leaves = leavesOf(plan);
    return leaves ? new JoinGroupEstimate(plan, rels, leaves) : null;
  }

  private size(leaf: ScanLeaf) {
    if (!this.sizes.has(leaf)) this.sizes.set(leaf, relSize(leaf));
    return this.sizes.get(leaf)!;
  }

  private leafOf(rel: JoinRel): ScanLeaf | null { return this.leaves.find((l) => l.name === rel.name) ?? null; }

  /** The base column at a position of the join's row. */
  varAt(pos: number): RelVar | null {
    const rel = this.rels.find((r) => pos >= r.offset && pos < r.offset + r.count);
    const leaf = rel ? this.leafOf(rel) : null;
    return leaf && pos - rel!.offset < leaf.table.columns.length ? { leaf, col: pos - rel!.offset } : null;
  }

  /** A column reference (`t.c` or `c`) of the join's row. */
  varOf(fields: string[]): RelVar | null {
    const col = fields[fields.length - 1]!;
    const find = (t: Table) => t.columns.findIndex((c) => !c.dropped && c.name === col);
    if (fields.length === 2) {
      const rel = this.rels.find((r) => r.name === fields[0]);
      const leaf = rel ? this.leafOf(rel) : null;
      const c = leaf ? find(leaf.table) : -1;
      return leaf && c >= 0 ? { leaf, col: c } : null;
    }
    if (fields.length !== 1) return null;
    const hits = this.leaves.map((leaf) => ({ leaf, col: find(leaf.table) })).filter((x) => x.col >= 0);
    return hits.length === 1 ? hits[0]! : null;
  }

  /** The columns an expression reads (pull_var_clause); null when one cannot be placed. */
  varsOf(e: N): RelVar[] | null {
    const out: RelVar[] = [];
    let bad = false;
    const walk = (x: unknown): void => {
      if (bad || !x || typeof x !== 'object') return;
      if (Array.isArray(x)) { x.forEach(walk); return; }
      const o = x as N;
      if (o.SubLink) { bad = true; return; }
      if (o.ColumnRef) {
        const f = o.ColumnRef.fields as N[];
        const v = f.every((y) => y.String) ? this.varOf(f.map((y) => y.String.sval as string)) : null;
        if (v) out.push(v); else bad = true;
        return;
      }
      for (const v of Object.values(o)) walk(v);
    };
    walk(e);
    return bad ? null : out;
  }

  /** calc_joinrel_size_estimate for a join tree; null when a clause's selectivity is not modelled. */
  private joinRows(p: JoinPlan): number | null {
    if (p.kind === 'Scan') return this.size(p)?.rows ?? null;
    if (p.kind !== 'Join' || p.upper?.length) return null;
    const o = this.joinRows(p.outer), i = this.joinRows(p.inner);
    if (o === null || i === null) return null;
    let sel = 1;
    for (const q of [...(p.cond ? [p.cond.qual] : []), ...p.filter]) {
      const s = this.clauseSel(q);
      if (s === null) return null;
      sel *= s;
    }
    let rows = o * i * sel;
    if (p.label === ' Left' && rows < o) rows = o;
    if (p.label === ' Right' && rows < i) rows = i;
    if (p.label === ' Full') { if (rows < o) rows = o; if (rows < i) rows = i; }
    return clampRowEst(rows);
  }

  /** A join clause: eqjoinsel for `a.x = b.y`, DEFAULT_INEQ_SEL for a comparison of two columns. */
  private clauseSel(q: N): number | null {
    const e = q.A_Expr;
    if (e?.kind !== 'AEXPR_OP' || e.name?.length !== 1 || !e.lexpr?.ColumnRef || !e.rexpr?.ColumnRef) return null;
    const op = e.name[0].String?.sval as string;
    const a = this.varsOf(e.lexpr)?.[0], b = this.varsOf(e.rexpr)?.[0];
    if (!a || !b) return null;
    if (op === '<' || op === '<=' || op === '>' || op === '>=') return 1 / 3;
    if (op !== '=') return null;
    const sa = this.size(a.leaf), sb = this.size(b.leaf);
    if (!sa || !sb) return null;
    return eqjoinsel({ table: a.leaf.table, col: a.col, ...sa }, { table: b.leaf.table, col: b.col, ...sb });
  }

  /** estimate_num_groups for these columns (each given once or more); null when not modelled. */
  groups(vars: RelVar[]): number | null {
    const input = this.joinRows(this.plan);
    if (input === null || !vars.length) return null;
    const byLeaf = new Map<ScanLeaf, Set<number>>();
    for (const v of vars) { if (!byLeaf.has(v.leaf)) byLeaf.set(v.leaf, new Set()); byLeaf.get(v.leaf)!.add(v.col); }
    let numdistinct = 1;
    for (const [leaf, cols] of byLeaf) {
      const sz = this.size(leaf);
      if (!sz) return null;
      let reldistinct = 1, maxnd = 0;
      for (const c of cols) {
        const nd = variableNumDistinct({ table: leaf.table, col: c, ...sz }).nd;
        reldistinct *= nd;
        maxnd = Math.max(maxnd, nd);
      }
      if (sz.tuples <= 0) continue;
      let clamp = sz.tuples;
      if (cols.size > 1) { clamp *= 0.1; if (clamp < maxnd) clamp = Math.min(maxnd, sz.tuples); }
      if (reldistinct > clamp) reldistinct = clamp;
      if (reldistinct > 0 && sz.rows < sz.tuples) reldistinct *= 1 - Math.pow((sz.tuples - sz.rows) / sz.tuples, sz.tuples / reldistinct);
      numdistinct *= clampRowEst(reldistinct);
    }
    numdistinct = Math.ceil(numdistinct);
    if (numdistinct > input) numdistinct = input;
    return Math.max(1, numdistinct);
  }
}
