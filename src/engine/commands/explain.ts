/**
 * EXPLAIN (PostgreSQL's commands/explain.c): the plan the simulator runs for a statement, printed as PostgreSQL
 * prints it — one node per line, children under "->", each node's conditions beneath it.
 *
 *     EXPLAIN (COSTS OFF) SELECT * FROM t WHERE k >= 2 ORDER BY v LIMIT 1;
 *     Limit
 *       ->  Sort
 *             Sort Key: v
 *             ->  Bitmap Heap Scan on t
 *                   Recheck Cond: (k >= 2)
 *                   ->  Bitmap Index Scan on t_pkey
 *                         Index Cond: (k >= 2)
 *
 * This module is ExplainQuery and ExplainOnePlan: the options, the statement's plan built by the module for its
 * kind — a SELECT (explainselect.ts: scans from explainscan.ts, joins from explainjoin.ts with their costs in
 * explainjoincost.ts, an inheritance parent's Append, a kept CTE or subquery in FROM from explaincte.ts),
 * UPDATE / DELETE / INSERT under ModifyTable (explainmodify.ts) — and the "Query" group around it. The plan is
 * data (plannodes.ts); explainformat.ts writes it as TEXT, JSON, YAML or XML (FORMAT), one ExplainNode walk
 * through explain.c's property writers; VERBOSE adds each node's Output (explainverbose.ts) and schema-qualified
 * relations. The scan path is the one the executor runs (optimizer/planner.ts chooseScan), and so is the join
 * method (optimizer/joinpath.ts). EXPLAIN EXECUTE prints the prepared statement's plan for its values. EXPLAIN
 * ANALYZE runs the statement and adds each node's "(actual rows=N loops=1)" and the rows its filter removed
 * (executor/instrument.ts). Costs (the default) come from optimizer/costsize.ts. After Planning Time, EXPLAIN
 * ANALYZE prints one "Trigger for constraint …: calls=N" line per foreign-key trigger the statement fired
 * (ExplainPrintTriggers, in trigger-name order; deferred ones have not fired yet).
 *
 * Simplifications, each refused with 0A000 rather than printed differently from PostgreSQL: costs of any node
 * but Seq Scan, Aggregate, HashAggregate, Sort, Limit, Result, a hash join on a unique inner key, a merge join
 * over sorts of never-analyzed tables, a nested loop over a Materialize, ModifyTable and LockRows, an Index Scan
 * of one key of a one-page unique index (range and bitmap scans, analyzed indexes, RETURNING …) — use COSTS OFF;
 * TIMING ON, BUFFERS (why: BUFFERS_REFUSAL below), WAL, SETTINGS; VERBOSE of the shapes explainverbose.ts lists; a non-text FORMAT of ANALYZE
 * with a node that never ran or with triggers fired (their names carry OIDs); joins the planner's rules cannot
 * vouch for (three or more relations, index scans under a join, ORDER BY / LIMIT over a join …) and EXPLAIN
 * ANALYZE of joins; subqueries other than explainsubplan.ts's (a correlated SubPlan), CTEs and subqueries in FROM
 * other than explaincte.ts's (WITH RECURSIVE, data-modifying WITH, CTE Scans joined), set operations other than
 * explainappend.ts's; GROUP BY with DISTINCT; UPDATE / DELETE of an inheritance parent; INSERT ... SELECT and ON
 * CONFLICT. Memory figures of Sort and HashAggregate are those PostgreSQL prints for a few small rows (25kB, 40kB).
 */
import { PgError, notSupported, posOf } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Session, QueryResult } from '../session/session.js';
import type { RawStmt } from '../sql/parser.js';
import { compileExpr, castTo, type Scope, type Row } from '../sql/expr.js';
import { ExplainWriter, explainNode } from './explainformat.js';
import type { N, Gen } from '../executor/util.js';
import { afterTriggerState } from '../ri/aftertriggers.js';
import type { PlanNode, Options, Format } from './plannodes.js';
import { explainSelect } from './explainselect.js';
import { explainUpdateDelete, explainInsert, explainMerge } from './explainmodify.js';

function parseOptions(list: N[] | undefined): Options {
  const o: Record<string, boolean | string> = {};
  for (const d of list ?? []) {
    const e = d.DefElem;
    const name = String(e.defname);
    const a = e.arg;
    let v: boolean | string = true;
    if (a?.String) v = String(a.String.sval).toLowerCase();
    else if (a?.Integer) v = !!a.Integer.ival;
    else if (a?.Boolean) v = !!a.Boolean.boolval;
    if (name === 'format') { o.format = v; continue; }
    if (typeof v === 'string') {
      if (['on', 'true', 'yes', '1'].includes(v)) v = true;
      else if (['off', 'false', 'no', '0'].includes(v)) v = false;
      else throw new PgError('22023', `${name} requires a Boolean value`, { position: posOf(e.location) });
    }
    if (!['analyze', 'verbose', 'costs', 'settings', 'buffers', 'wal', 'timing', 'summary'].includes(name)) {
      throw new PgError('22023', `unrecognized EXPLAIN option "${name}"`, { position: posOf(e.location) });
    }
    o[name] = v;
  }
  const analyze = o.analyze === true;
  if (o.wal === true && !analyze) throw new PgError('22023', 'EXPLAIN option WAL requires ANALYZE');
  if (o.timing === true && !analyze) throw new PgError('22023', 'EXPLAIN option TIMING requires ANALYZE');
  const format = o.format === undefined ? 'text' : String(o.format);
  if (!['text', 'xml', 'json', 'yaml'].includes(format)) throw new PgError('22023', `unrecognized value for EXPLAIN option "format": "${format}"`);
  if (analyze && o.timing !== false) throw notSupported('EXPLAIN ANALYZE with timing (use EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF))');
  if (o.buffers === true) throw notSupported(BUFFERS_REFUSAL);
  for (const x of ['wal', 'settings']) if (o[x] === true) throw notSupported(`EXPLAIN (${x.toUpperCase()})`);
  const summary = o.summary === undefined ? analyze : o.summary === true;
  return { analyze, summary, costs: o.costs !== false, format: format as Format, verbose: o.verbose === true };
}

/**
 * Why EXPLAIN (BUFFERS) is refused. Measured on a PostgreSQL 15 cluster (a 1,000-row table of 6 pages with a primary
 * key, in shared buffers since its INSERT): the first EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF)
 * SELECT * prints `Buffers: shared hit=6` under the Seq Scan — one hit per heap page, which the buffer manager here
 * could count — but also `Planning: Buffers: shared hit=50 read=3`, the planner's catalog lookups (relcache and
 * syscache misses: pg_class, pg_attribute, pg_index, pg_statistic ...) that a second identical statement no longer
 * makes; the first one by index prints `Planning: Buffers: shared read=6` (the index's metapage among them, then
 * cached in the relcache), and its Index Scan `shared hit=3` (root, leaf, heap page). The simulator keeps no catalog
 * pages nor a relation cache, a B-tree is one simulated page (its levels are laid out only for pageinspect), the
 * visibility map and FSM are not paged, and a page only hint-bitted is never dirty (PostgreSQL counts it `dirtied`
 * once it was clean) — so the Planning section, index and VM counts and `dirtied` cannot be printed as PostgreSQL
 * would, and even plain EXPLAIN (BUFFERS) prints that Planning section whenever planning missed its caches.
 */
const BUFFERS_REFUSAL = 'EXPLAIN (BUFFERS) (the planner\'s catalog and index metapage reads that PostgreSQL prints as "Planning: Buffers", '
  + 'index, visibility-map and free-space-map pages as buffers are not modelled)';

export function* explainStmt(ex: Executor, s: Session, n: N, raw: RawStmt): Gen<QueryResult> {
  const opts = parseOptions(n.options);
  let q = n.query as N;
  if (q.ExecuteStmt) {
    // EXPLAIN EXECUTE: the prepared statement's plan for these parameter values (a custom plan: the values are
    // constants to the planner, and EXPLAIN prints them so)
    const sub = explainExecute(ex, s, q.ExecuteStmt, raw);
    q = sub.stmt;
    raw = sub.raw;
  }
  const type = Object.keys(q)[0]!;
  const stmt = q[type];
  // a SELECT's select list and WHERE may hold uncorrelated subqueries (InitPlan / hashed SubPlan: explainsubplan.ts)
  const elsewhere = type === 'SelectStmt' && (!stmt.op || stmt.op === 'SETOP_NONE') ? { ...stmt, targetList: undefined, whereClause: undefined } : stmt;
  if (JSON.stringify(elsewhere).includes('"SubLink"')) throw notSupported('EXPLAIN of subqueries (SubPlan / InitPlan) here');
  if (stmt.withClause && type !== 'SelectStmt') throw notSupported('EXPLAIN of WITH queries (CTE Scan)');
  let plan: PlanNode;
  // ExplainPrintTriggers: the AFTER triggers (foreign keys) the analyzed query fired, counted at its query level
  const triggers = opts.analyze ? { level: afterTriggerState(s).levels.length, calls: new Map<string, { constraint: string; calls: number }>() } : null;
  ex.triggerInstr = triggers;
  try {
    switch (type) {
      case 'SelectStmt': plan = yield* explainSelect(ex, s, stmt, raw, opts); break;
      case 'UpdateStmt': case 'DeleteStmt': plan = yield* explainUpdateDelete(ex, s, type, stmt, raw, opts); break;
      case 'InsertStmt': plan = yield* explainInsert(ex, s, stmt, raw, opts); break;
      case 'MergeStmt': plan = yield* explainMerge(ex, s, stmt, raw, opts); break;
      default: throw notSupported(`EXPLAIN of ${type.replace(/Stmt$/, '')}`);
    }
  } finally { ex.triggerInstr = null; }
  // ExplainOnePlan: the plan, Planning Time, the triggers ANALYZE fired, Execution Time — one "Query" group
  const w = new ExplainWriter(opts.format);
  w.begin();
  w.openGroup('Query', null, true);
  explainNode(w, plan, null, null, opts);
  if (opts.summary) w.float('Planning Time', 'ms', 0, 3);
  if (opts.analyze) {
    // ExplainPrintTriggers, in trigger-name order
    const fired = [...(triggers?.calls ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (fired.length && !w.text) throw notSupported(`EXPLAIN (ANALYZE, FORMAT ${opts.format.toUpperCase()}) of a statement that fired triggers (their names carry OIDs)`);
    w.openGroup('Triggers', 'Triggers', false);
    for (const [, t] of fired) w.str += `Trigger for constraint ${t.constraint}: calls=${t.calls}\n`;
    w.closeGroup('Triggers', 'Triggers', false);
  }
  if (opts.summary && opts.analyze) w.float('Execution Time', 'ms', 0, 3);
  w.closeGroup('Query', null, true);
  w.end();
  // text: one row per line (do_text_output_multiline); the other formats: one value
  const rows = w.text ? w.str.replace(/\n$/, '').split('\n').map((l) => [l]) : [[w.str]];
  const colType = opts.format === 'json' ? 'json' : opts.format === 'xml' ? 'xml' : 'text';
  return { command: 'EXPLAIN', columns: [{ name: 'QUERY PLAN', type: colType }], rows };
}

/** The prepared statement of an EXECUTE with each $n replaced by its value as a constant (prepare.c EvaluateParams). */
function explainExecute(ex: Executor, s: Session, e: N, raw: RawStmt): { stmt: N; raw: RawStmt } {
  const p = s.prepared.get(e.name);
  if (!p) throw new PgError('26000', `prepared statement "${e.name}" does not exist`);
  const args = (e.params ?? []) as N[];
  if (args.length !== p.types.length) {
    throw new PgError('42601', `wrong number of parameters for prepared statement "${p.name}"`, { detail: `Expected ${p.types.length} parameters but got ${args.length}.` });
  }
  const scope: Scope = { relName: null, alias: null, columns: [], hasSystem: false, env: ex.env(s, () => ex.eng.snapshotFor(s)), sql: raw.text };
  const consts = args.map((a, i) => {
    const c = compileExpr(a, scope);
    const want = p.types[i];
    const v = (want ? castTo(c, want, false) : c).fn(null as unknown as Row);
    const t = want?.name ?? c.type.name;
    if (typeof v === 'number' && ['int2', 'int4', 'int8'].includes(t) && Number.isSafeInteger(v)) return { A_Const: { ival: { ival: v } } };
    if (typeof v === 'string' && (t === 'text' || t === 'unknown')) return { A_Const: { sval: { sval: v } } };
    throw notSupported('EXPLAIN EXECUTE with a parameter of this type or value');
  });
  const subst = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(subst);
    if (!x || typeof x !== 'object') return x;
    const o = x as N;
    if (o.ParamRef) return consts[o.ParamRef.number - 1] ?? o;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, subst(v)]));
  };
  const stmt = subst(p.stmt) as N;
  return { stmt, raw: { stmt, location: 0, len: p.text.length, text: p.text } };
}
