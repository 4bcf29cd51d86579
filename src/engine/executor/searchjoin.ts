/**
 * Running the join tree the join order search chose (optimizer/joinrels.ts) for three or more relations: each
 * join node as nodeHashjoin / nodeMergejoin / nodeNestloop runs it, the outer side first, the inner side's rows
 * joined to each outer row on the equivalence class clause the search made for that pair (`t.k = n.a` even where
 * the query wrote `t.k = m.a AND m.a = n.a`). The rows come out in the plan's order — which is PostgreSQL's row
 * order without ORDER BY — and the columns are then put back in FROM's order, as SELECT * lists them
 * (the planner's target list, not the join tree, decides the column order).
 *
 * Mirrors: executor/execMain.c running the plan of createplan.c. Simplifications: inner joins only; one join
 * clause a pair (the search refuses more).
 */
import type { Compiled, Row } from '../sql/expr.js';
import type { Value } from '../sql/types.js';
import type { SearchPlan, SearchVar } from '../optimizer/joinrels.js';
import type { JoinPlan } from '../optimizer/joinpath.js';
import { nestLoop, type JoinPair } from './nodeNestloop.js';
import { hashJoin, hashFunctionFor, bucketCount } from './nodeHashjoin.js';
import { mergeJoin } from './nodeMergejoin.js';
import type { JoinInput, N } from './util.js';

/** The base relations of the search: each input (in FROM's order), its own conditions compiled, their text unqualified. */
export interface SearchedBase { input: JoinInput; filter: Compiled | null; quals: N[] }

/** The equality `outer = inner` as a qualified parse node (EXPLAIN prints it "(t.k = n.a)"). */
function clauseNode(o: { rel: string; col: string }, i: { rel: string; col: string }): N {
  const ref = (x: { rel: string; col: string }) => ({ ColumnRef: { fields: [{ String: { sval: x.rel } }, { String: { sval: x.col } }] } });
  return { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: ref(o), rexpr: ref(i) } };
}

export function runSearchedJoin(bases: SearchedBase[], plan: SearchPlan, otherQuals: N[], compile: (q: N, inp: JoinInput) => Compiled): JoinInput {
  const colName = (v: SearchVar) => {
    const inp = bases[v.rel]!.input;
    return { rel: inp.rels[0]!.name, col: inp.columns[v.col]!.name };
  };
  /** the position of a base relation's column in a join input's rows */
  const pos = (inp: JoinInput, v: SearchVar): number => {
    const name = bases[v.rel]!.input.rels[0]!.name;
    let off = 0;
    for (const r of inp.rels) { if (r.name === name) return off + v.col; off += r.count; }
    throw new Error('join search: column not under this join');
  };
  const build = (p: SearchPlan): JoinInput => {
    if (p.kind === 'scan') {
      const b = bases[p.rel]!;
      const inp = b.input;
      const ix = p.index;
      if (inp.plan.kind === 'Scan') {
        inp.plan.quals = b.quals;
        if (ix) inp.plan.searchedIndex = { index: ix.index, col: ix.col, by: ix.by && colName(ix.by), cost: p.cost, ...(ix.eq ? { eq: ix.eq } : {}) };
      }
      return {
        ...inp,
        rows: () => {
          // a full Index Scan: every entry in key order (a parameterized one is probed by its nested loop instead)
          const rows = !ix ? inp.rows() : ix.eq ? inp.probe!({ kind: 'IndexScan', index: ix.index, key: ix.eq.key, cond: ix.eq.cond })
            : inp.probe!({ kind: 'IndexScanOrdered', index: ix.index, backward: false });
          let kept = rows;
          if (b.filter) {
            const r: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
            kept = rows.filter((v) => { r.vals = v; return b.filter!.fn(r) === true; });
          }
          if (inp.plan.kind === 'Scan') inp.plan.actual = { rows: kept.length, removed: rows.length - kept.length };
          return kept;
        },
      };
    }
    const o = build(p.outer), i = build(p.inner);
    const keys = p.clauses.map((c) => ({ o: pos(o, c.o), i: pos(i, c.i) }));
    const quals = p.clauses.map((c) => clauseNode(colName(c.o), colName(c.i)));
    const filters: N[] = p.others.map((k) => otherQuals[k]!);
    const row: Row = { vals: [], item: null, blk: 0, off: 0, aggs: null };
    const joined = { names: [...o.names, ...i.names], columns: [...o.columns, ...i.columns], rels: [...o.rels, ...i.rels] };
    const compiled = filters.map((q) => compile(q, { ...joined, tables: [], rows: () => [], plan: { kind: 'Other', name: '', what: '' } }));
    const match = (ov: Value[], iv: Value[]) => {
      if (!keys.every((k) => ov[k.o] !== null && ov[k.o] === iv[k.i])) return false;
      if (!compiled.length) return true;
      row.vals = ov.concat(iv);
      return compiled.every((c) => c.fn(row) === true);
    };
    const fillOuter = p.jointype === 'left', fillInner = p.jointype === 'right';
    const jp: JoinPlan = {
      kind: 'Join', method: p.method, label: fillOuter ? ' Left' : fillInner ? ' Right' : '', kindName: p.jointype ?? 'inner', outer: o.plan, inner: i.plan,
      cond: p.method !== 'NestLoop' && keys.length ? { outerIsLeft: true, qual: quals[0]!, left: keys[0]!.o, right: keys[0]!.i } : null,
      filter: p.method === 'NestLoop' ? [...filters, ...quals] : [...filters, ...quals.slice(1)], unsure: null, searched: p,
    };
    const paramScan = p.method === 'NestLoop' && p.inner.kind === 'scan' && p.inner.index?.by ? p.inner.index : null;
    return {
      ...joined, tables: [...o.tables, ...i.tables],
      plan: jp,
      rows: () => {
        const outerRows = o.rows();
        if (paramScan) {
          // a parameterized nested loop: each outer row's value looked up in the inner table's index
          const at = pos(o, paramScan.by!), out: Value[][] = [];
          let innerRead = 0;
          for (const ov of outerRows) {
            const v = ov[at] ?? null;
            if (v === null) continue;
            const vals: Value[] = [];
            vals[paramScan.col] = v;
            const key = paramScan.index.keyOf(vals);
            if (key === null) continue;
            const by = colName(paramScan.by!), inner = colName({ rel: (p.inner as { rel: number }).rel, col: paramScan.col });
            const found = i.probe!({ kind: 'IndexScan', index: paramScan.index, key, cond: clauseNode(inner, by) });
            innerRead += found.length;
            let hit = false;
            for (const iv of found) if (match(ov, iv)) { out.push(ov.concat(iv)); hit = true; }
            // a LEFT JOIN: an outer row nothing matched, NULL-extended
            if (!hit && fillOuter) out.push(ov.concat(new Array<Value>(i.columns.length).fill(null)));
          }
          if (i.plan.kind === 'Scan') i.plan.actual = { rows: innerRead, removed: 0 };
          jp.actual = { rows: out.length, outerRows: outerRows.length, innerRows: innerRead };
          return out;
        }
        const innerRows = i.rows();
        let pairs: JoinPair[];
        if (p.method === 'HashJoin') {
          const hash = hashFunctionFor(i.columns[keys[0]!.i]!.type.name);
          const buckets = hash ? { hash, nbuckets: bucketCount(p.inner.cost.rows) } : undefined;
          pairs = hashJoin(outerRows, innerRows, keys[0]!.o, keys[0]!.i, match, fillOuter, fillInner, buckets);
        } else if (p.method === 'MergeJoin') {
          pairs = mergeJoin(outerRows, innerRows, keys[0]!.o, keys[0]!.i, match, fillOuter, fillInner, { outer: !p.sortOuter, inner: !p.sortInner });
        } else pairs = nestLoop(outerRows, innerRows, match, fillOuter, fillInner);
        jp.actual = { rows: pairs.length, outerRows: outerRows.length, innerRows: innerRows.length };
        // an outer join's unmatched rows NULL-extended on the other side
        const ow = o.columns.length, iw = i.columns.length;
        return pairs.map((x) => (x.o ?? new Array<Value>(ow).fill(null)).concat(x.i ?? new Array<Value>(iw).fill(null)));
      },
    };
  };
  const top = build(plan);
  // back to FROM's column order
  const order = bases.map((b) => b.input.rels[0]!.name);
  const offsets = new Map<string, { off: number; count: number }>();
  let off = 0;
  for (const r of top.rels) { offsets.set(r.name, { off, count: r.count }); off += r.count; }
  const perm = order.flatMap((nm) => { const x = offsets.get(nm)!; return Array.from({ length: x.count }, (_, k) => x.off + k); });
  return {
    names: order, columns: perm.map((k) => top.columns[k]!), rels: bases.map((b) => b.input.rels[0]!), tables: bases.flatMap((b) => b.input.tables),
    plan: top.plan, rows: () => top.rows().map((r) => perm.map((k) => r[k]!)),
  };
}
