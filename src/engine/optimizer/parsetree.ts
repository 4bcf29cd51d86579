/**
 * Small tools over the parse tree shared by the planner's parse-tree rewrites (pullup.ts, subquerypush.ts):
 * finding nodes, the FROM items a query reads and which of them a column reference names, replacing column
 * references, AND-ing conditions. PostgreSQL does this on its analyzed Query trees (rewriteManip.c,
 * nodeFuncs.c expression_tree_walker / mutator); here the trees are libpg-query's raw parse trees, so a name is
 * resolved by looking at the FROM items' column lists.
 */
export type N = Record<string, any>;

export const SYSTEM_COLUMNS = new Set(['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid']);

/** Thrown inside the rewrite when it is not sure: the query is left as it is. */
export class GiveUp extends Error {}
export const giveUp = (): never => { throw new GiveUp(); };

export const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
export const str = (s: string) => ({ String: { sval: s } });
export const funcName = (f: N) => (f.funcname as N[]).map((x) => x.String.sval as string).pop()!;

/** Does this tree hold a node of one of these kinds (not looking into the kinds in `stop`)? */
export function contains(x: unknown, test: (o: N) => boolean): boolean {
  if (!x || typeof x !== 'object') return false;
  if (Array.isArray(x)) return x.some((y) => contains(y, test));
  const o = x as N;
  if (test(o)) return true;
  return Object.values(o).some((v) => contains(v, test));
}
export const hasSublink = (x: unknown) => contains(x, (o) => !!o.SubLink);

/** A FROM item that stays (table or WITH query), or a subquery, with the column names it offers. */
export interface Leaf<S = unknown> { node: N; name: string; cols: string[]; system: boolean; sub?: S | null }

export const plainSelect = (q: N) => (!q.op || q.op === 'SETOP_NONE') && !q.withClause && !q.valuesLists && !q.intoClause
  && !q.lockingClause?.length;

/** The leaves of a FROM tree; JOIN USING / NATURAL / an aliased join: give up. */
export function leavesOf(f: N, out: N[] = []): N[] {
  if (f.JoinExpr) {
    const j = f.JoinExpr;
    if (j.usingClause?.length || j.isNatural || j.alias) giveUp();
    leavesOf(j.larg, out); leavesOf(j.rarg, out);
  } else out.push(f);
  return out;
}

/** A reference resolved against the leaves: which leaf, which column. */
export function resolve<L extends Leaf<any>>(fields: N[], leaves: L[]): { leaf: L; col: string } | null {
  if (!fields.every((x) => x.String)) return null;
  const names = fields.map((x) => x.String.sval as string);
  if (names.length === 2) {
    const leaf = leaves.find((l) => l.name === names[0]);
    if (!leaf) return null;
    return leaf.cols.includes(names[1]!) || (leaf.system && SYSTEM_COLUMNS.has(names[1]!)) ? { leaf, col: names[1]! } : null;
  }
  if (names.length !== 1) return null;
  const hits = leaves.filter((l) => l.cols.includes(names[0]!) || (l.system && SYSTEM_COLUMNS.has(names[0]!)));
  return hits.length === 1 ? { leaf: hits[0]!, col: names[0]! } : null;
}

/** Replace every column reference below x (not into sublinks: there are none) by what `ref` makes of it. */
export function mapRefs(x: unknown, ref: (cr: N) => N): unknown {
  if (Array.isArray(x)) return x.map((y) => mapRefs(y, ref));
  if (!x || typeof x !== 'object') return x;
  const o = x as N;
  if (o.ColumnRef) return ref(o.ColumnRef);
  const out: N = {};
  for (const [k, v] of Object.entries(o)) out[k] = mapRefs(v, ref);
  return out;
}

export const andOf = (parts: (N | null | undefined)[]): N | undefined => {
  const args = parts.flatMap((p) => (!p ? [] : p.BoolExpr?.boolop === 'AND_EXPR' ? p.BoolExpr.args as N[] : [p]));
  return args.length === 0 ? undefined : args.length === 1 ? args[0] : { BoolExpr: { boolop: 'AND_EXPR', args, location: -1 } };
};

/** The name a select-list entry gets from a column reference it shows (FigureColname), or null. */
export function refName(e: N): { cr: N; name: string } | null {
  if (e.ColumnRef) {
    const last = (e.ColumnRef.fields as N[])[e.ColumnRef.fields.length - 1];
    return last?.String ? { cr: e.ColumnRef, name: last.String.sval } : null;
  }
  if (e.TypeCast) return refName(e.TypeCast.arg);
  if (e.CollateClause) return refName(e.CollateClause.arg);
  return null;
}
