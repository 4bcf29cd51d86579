/**
 * Automatically updatable views: INSERT, UPDATE and DELETE on a simple view become the same command on the table
 * under it (rewriteTargetView).
 *
 *     CREATE VIEW v AS SELECT a, b AS bb FROM t WHERE c > 5;
 *     INSERT INTO v VALUES (3, 'z');        -- INSERT INTO t (a, b) VALUES (3, 'z'): c gets its default, and the
 *                                           --  row need not satisfy the view's WHERE (no CHECK OPTION)
 *     UPDATE v SET bb = 'q' WHERE a = 1;    -- UPDATE t SET b = 'q' WHERE (a = 1) AND (c > 5)
 *     DELETE FROM v;                        -- DELETE FROM t WHERE c > 5
 *
 * A view is automatically updatable when it selects from one table (or one updatable view) with no DISTINCT,
 * GROUP BY, HAVING, LIMIT / OFFSET, UNION / INTERSECT / EXCEPT, WITH, aggregate or window function; otherwise the
 * command fails with 55000 and the reason in the DETAIL. Its columns that are plain columns of the table may be
 * written; one computed by an expression may be read (in WHERE, in SET's values) but not written (0A000 "cannot
 * insert into / update column ... of view"). A view on a view is rewritten again until a table is reached.
 *
 * Mirrors: src/backend/rewrite/rewriteHandler.c (view_query_is_auto_updatable, view_cols_are_auto_updatable,
 * rewriteTargetView). Simplifications: refused with 0A000 — WITH CHECK OPTION (at CREATE VIEW), ON CONFLICT, WITH, UPDATE ... FROM,
 * DELETE ... USING, a subquery in the command, a function call in the view's select list (PostgreSQL: a
 * non-updatable column, unless it is an aggregate), a view with ORDER BY or a locking clause; the view itself is
 * not locked (PostgreSQL: RowExclusiveLock on it and the table), and the table's privileges are checked for the
 * current role (PostgreSQL: for the view's owner, the view's for the current role).
 */
import { PgError, notSupported } from '../errors.js';
import type { Catalog, View } from '../catalog/catalog.js';
import type { N } from '../executor/util.js';

const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'bool_and', 'bool_or', 'every', 'json_agg', 'jsonb_agg',
  'json_object_agg', 'jsonb_object_agg', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'bit_and', 'bit_or', 'xmlagg']);

type Kind = 'InsertStmt' | 'UpdateStmt' | 'DeleteStmt';
const VERB: Record<Kind, [string, string, string]> = {
  InsertStmt: ['insert into', 'inserting into', 'INSERT'], UpdateStmt: ['update', 'updating', 'UPDATE'], DeleteStmt: ['delete from', 'deleting from', 'DELETE'],
};

function has(n: unknown, key: string): boolean {
  if (!n || typeof n !== 'object') return false;
  if (Array.isArray(n)) return n.some((x) => has(x, key));
  return key in (n as N) || Object.values(n as N).some((x) => has(x, key));
}

/** The view's select list as (view column → its expression), or the reason it is not automatically updatable. */
function viewShape(cat: Catalog, v: View, kind: Kind): { base: N; where: N | undefined; cols: Map<string, N> } {
  const q = (v.query as N).SelectStmt ?? v.query as N;
  const notUpdatable = (detail: string) => {
    const [verb, gerund, cmd] = VERB[kind];
    return new PgError('55000', `cannot ${verb} view "${v.name}"`, { detail, hint: `To enable ${gerund} the view, provide an INSTEAD OF ${cmd} trigger or an unconditional ON ${cmd} DO INSTEAD rule.` });
  };
  if (q.distinctClause) throw notUpdatable('Views containing DISTINCT are not automatically updatable.');
  if (q.groupClause) throw notUpdatable('Views containing GROUP BY are not automatically updatable.');
  if (q.havingClause) throw notUpdatable('Views containing HAVING are not automatically updatable.');
  if (q.op && q.op !== 'SETOP_NONE') throw notUpdatable('Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.');
  if (q.withClause) throw notUpdatable('Views containing WITH are not automatically updatable.');
  if (q.limitCount || q.limitOffset) throw notUpdatable('Views containing LIMIT or OFFSET are not automatically updatable.');
  const targets = (q.targetList ?? []) as N[];
  const funcs: N[] = [];
  const collect = (n: unknown) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) { n.forEach(collect); return; }
    const o = n as N;
    if (o.FuncCall) funcs.push(o.FuncCall);
    Object.values(o).forEach(collect);
  };
  collect(targets);
  if (funcs.some((f) => AGGREGATES.has((f.funcname as N[]).map((x) => x.String.sval).pop()) && !f.over)) throw notUpdatable('Views that return aggregate functions are not automatically updatable.');
  if (funcs.some((f) => f.over)) throw notUpdatable('Views that return window functions are not automatically updatable.');
  const from = (q.fromClause ?? []) as N[];
  if (from.length !== 1 || !from[0]!.RangeVar) throw notUpdatable('Views that do not select from a single table or view are not automatically updatable.');
  if (q.valuesLists) throw notUpdatable('Views that do not select from a single table or view are not automatically updatable.');
  if (funcs.length) throw notSupported(`writing through the view "${v.name}" (a function call in its select list)`);
  if (q.sortClause || q.lockingClause || q.windowClause || has(targets, 'SubLink') || has(q.whereClause, 'SubLink')) {
    throw notSupported(`writing through the view "${v.name}" (ORDER BY, FOR UPDATE or a subquery in the view)`);
  }
  const base = from[0]!.RangeVar as N;
  const baseCols = cat.get(base.relname)?.columns.filter((c) => !c.dropped).map((c) => c.name) ?? cat.view(base.relname)?.columns.map((c) => c.name) ?? [];
  const cols = new Map<string, N>();
  let i = 0;
  for (const t of targets) {
    const rt = t.ResTarget as N;
    const ref = rt.val?.ColumnRef?.fields as N[] | undefined;
    if (ref?.some((f) => f.A_Star)) {
      for (const c of baseCols) if (i < v.columns.length) cols.set(v.columns[i++]!.name, { ColumnRef: { fields: [{ String: { sval: c } }] } });
      continue;
    }
    if (i < v.columns.length) cols.set(v.columns[i++]!.name, rt.val as N);
  }
  return { base, where: q.whereClause as N | undefined, cols };
}

/** The base column a view column is, or null when it is computed. */
function baseColumn(e: N | undefined): string | null {
  const f = e?.ColumnRef?.fields as N[] | undefined;
  return f && f.length <= 2 && f.every((x) => x.String) ? f[f.length - 1]!.String.sval as string : null;
}

/** `n` with every reference to a view column (bare, or qualified by the view's name or alias) replaced by its expression. */
function substitute(n: unknown, names: Set<string>, cols: Map<string, N>): unknown {
  if (Array.isArray(n)) return n.map((x) => substitute(x, names, cols));
  if (!n || typeof n !== 'object') return n;
  const o = n as N;
  if (o.ColumnRef) {
    const f = o.ColumnRef.fields as N[];
    const name = f[f.length - 1]?.String?.sval as string | undefined;
    const q = f.length === 2 ? f[0]!.String?.sval : undefined;
    if (name !== undefined && (f.length === 1 || (f.length === 2 && names.has(q)))) {
      const e = cols.get(name);
      if (!e && f.length === 1 && names.has(name)) throw notSupported(`a whole-row reference to the view "${name}"`);
      if (!e) throw new PgError('42703', `column "${name}" does not exist`);
      return e;
    }
    return o;
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, substitute(v, names, cols)]));
}

/** An AND of two conditions (either may be absent). */
const and = (a: N | undefined, b: N | undefined): N | undefined => (a && b ? { BoolExpr: { boolop: 'AND_EXPR', args: [a, b] } } : a ?? b);

/**
 * rewriteTargetView: the command with its target view replaced by the view's table, or null when the target is
 * not a view. A view on a view comes back naming the inner view: the caller rewrites again.
 */
export function rewriteViewTarget(cat: Catalog, type: string, n: N): N | null {
  const kind = type as Kind;
  const rv = n.relation as N;
  if (rv.schemaname && rv.schemaname !== 'public') return null;
  if ((rv.schemaname ? cat.getIn(rv.schemaname, rv.relname) : cat.get(rv.relname)) || !cat.view(rv.relname, rv.schemaname)) return null;
  const v = cat.view(rv.relname, rv.schemaname)!;
  if (n.onConflictClause) throw notSupported(`ON CONFLICT when writing through the view "${v.name}"`);
  if (n.withClause) throw notSupported(`WITH when writing through the view "${v.name}"`);
  if (n.fromClause?.length || n.usingClause?.length) throw notSupported(`UPDATE ... FROM / DELETE ... USING through the view "${v.name}"`);
  if (has(n.whereClause, 'CurrentOfExpr')) throw notSupported(`WHERE CURRENT OF through the view "${v.name}"`);
  const { base, where, cols } = viewShape(cat, v, kind);
  const names0 = new Set([v.name, rv.alias?.aliasname].filter((x) => x !== undefined));
  // RETURNING in the view's columns: * is the view's columns, a column is its expression under the view's name for it
  const returning = (items: N[]) => items.flatMap((t) => {
    const rt = t.ResTarget as N;
    const f = rt.val?.ColumnRef?.fields as N[] | undefined;
    if (f?.[f.length - 1]?.A_Star && (f.length === 1 || names0.has(f[0]!.String?.sval))) {
      return v.columns.map((c) => ({ ResTarget: { name: c.name, val: cols.get(c.name), location: -1 } }));
    }
    const name = rt.name ?? (f?.[f.length - 1]?.String ? f[f.length - 1]!.String.sval : undefined);
    if (has(rt.val, 'SubLink')) throw notSupported(`a subquery in RETURNING through the view "${v.name}"`);
    return [{ ResTarget: { ...rt, name, val: substitute(rt.val, names0, cols) } }];
  });
  const ret = n.returningList ? { returningList: returning(n.returningList as N[]) } : {};
  const relation = { ...base, location: rv.location }; // with the view's alias for its table, which its expressions use
  const names = names0;
  const writable = (col: string, verb: string) => {
    const e = cols.get(col);
    if (!e) throw new PgError('42703', `column "${col}" of relation "${v.name}" does not exist`);
    const b = baseColumn(e);
    if (b === null) throw new PgError('0A000', `cannot ${verb} column "${col}" of view "${v.name}"`, { detail: 'View columns that are not columns of their base relation are not updatable.' });
    return b;
  };
  if (kind === 'InsertStmt') {
    if (has(n.selectStmt, 'SubLink')) throw notSupported(`a subquery in INSERT through the view "${v.name}"`);
    const target = n.cols?.length ? (n.cols as N[]).map((c) => c.ResTarget.name as string) : v.columns.map((c) => c.name);
    const items = n.selectStmt?.SelectStmt?.valuesLists as N[] | undefined;
    // without a column list, only as many view columns as the VALUES give are written
    const width = n.cols?.length ? target.length : items ? Math.max(...items.map((l) => (l.List.items as N[]).length)) : target.length;
    const baseCols = target.slice(0, width).map((c) => writable(c, 'insert into'));
    return { ...n, ...ret, relation, cols: baseCols.map((name) => ({ ResTarget: { name, location: -1 } })) };
  }
  if (has(n.whereClause, 'SubLink') || has(n.targetList, 'SubLink')) throw notSupported(`a subquery in ${VERB[kind][2]} through the view "${v.name}"`);
  const whereClause = and(substitute(n.whereClause, names, cols) as N | undefined, where);
  if (kind === 'DeleteStmt') return { ...n, ...ret, relation, whereClause };
  const targetList = (n.targetList as N[]).map((t) => {
    const rt = t.ResTarget as N;
    if (rt.indirection?.length) throw notSupported(`UPDATE of a subscript or field through the view "${v.name}"`);
    return { ResTarget: { ...rt, name: writable(rt.name, 'update'), val: substitute(rt.val, names, cols) } };
  });
  return { ...n, ...ret, relation, whereClause, targetList };
}

/**
 * pg_relation_is_updatable's INSERT bit for a view (information_schema's is_insertable_into): automatically
 * updatable with at least one column of its table; null when the engine cannot tell (a function in its select list).
 */
export function viewInsertable(cat: Catalog, v: View): boolean | null {
  try {
    const { cols } = viewShape(cat, v, 'InsertStmt');
    return [...cols.values()].some((e) => baseColumn(e) !== null);
  } catch (e) {
    if (e instanceof PgError && e.sqlstate === '55000') return false;
    return null;
  }
}
