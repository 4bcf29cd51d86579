/**
 * Random cases for the differential fuzzer: 2–4 sessions and sometimes a VACUUM session over one or two small
 * tables with contended keys.
 *
 * Each session runs one or two transactions — explicit (BEGIN [ISOLATION LEVEL ...] ... COMMIT | ROLLBACK, with
 * savepoints) or single autocommit statements — made of INSERTs (new keys and duplicates: 23505, waits on the
 * unique check, ON CONFLICT), UPDATEs (by key, key updates, WHERE on the non-key column so EvalPlanQual
 * re-checks), DELETEs, SELECTs (ORDER BY k; FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE, NOWAIT, SKIP
 * LOCKED) and aggregates. With only 2–5 keys, sessions lock the same rows in different orders, so waits and
 * deadlocks are common.
 *
 * Every session keeps the default deadlock_timeout (1 s): how a deadlock gets one clear victim is the
 * scheduler's business (schedule.ts).
 *
 * The interleaving itself is not drawn here: see schedule.ts (it runs the sessions and picks only sessions that
 * are not blocked).
 */
import { Rng } from './prng.js';
import type { FuzzCase, FuzzSession, FuzzStep, FuzzTable, Iso, LockStrength, Pred, Stmt, WaitPolicy } from './model.js';

export const VACUUM_SESSION = 'vac';

interface Ctx { rng: Rng; tables: FuzzTable[]; keys: number; wide: boolean }

/** Options of a run: `wide` adds the wide statement mix (see wideStmt). */
export interface GenOptions { wide?: boolean }

const pickTable = (c: Ctx) => c.rng.pick(c.tables).name;
/** mostly an existing key, sometimes one past the setup rows (an insert target) */
const key = (c: Ctx) => (c.rng.chance(0.8) ? c.rng.int(1, c.keys) : c.rng.int(c.keys + 1, c.keys + 2));
const vPred = (c: Ctx): Pred => {
  const op = c.rng.weighted<Pred['op']>([['>=', 4], ['<', 3], ['<>', 1], ['%2', 2]]);
  if (op === '%2') return { col: 'v', op, val: c.rng.int(0, 1) };
  return { col: 'v', op, val: op === '>=' && c.rng.chance(0.4) ? 0 : 10 * c.rng.int(1, c.keys) + c.rng.int(-5, 5) };
};
const kPred = (c: Ctx): Pred => ({ col: 'k', op: '=', val: key(c) });
const kRange = (c: Ctx): Pred => ({ col: 'k', op: c.rng.pick(['<', '>='] as const), val: c.rng.int(1, c.keys) });

function dml(c: Ctx): Stmt {
  const r = c.rng;
  if (c.wide && r.chance(0.35)) return wideStmt(c);
  const table = pickTable(c);
  const returning = r.chance(0.35);
  const kind = r.weighted([
    ['upd_v_k', 26], ['upd_v_v', 12], ['upd_key', 7], ['upd_all', 3], ['upd_k_range', 2],
    ['del_k', 10], ['del_v', 5],
    ['ins', 12], ['ins_multi', 3], ['ins_oc', 5],
    ['sel', 8], ['sel_lock', 16], ['agg', 3],
  ] as const);
  switch (kind) {
    case 'upd_v_k': return { t: 'update', table, col: 'v', op: r.chance(0.8) ? '+' : '=', val: r.int(1, 9) * (r.chance(0.8) ? 1 : 10), where: kPred(c), returning };
    case 'upd_v_v': return { t: 'update', table, col: 'v', op: '+', val: r.int(1, 9), where: vPred(c), returning };
    case 'upd_all': return { t: 'update', table, col: 'v', op: '+', val: r.int(1, 9), where: null, returning };
    case 'upd_k_range': return { t: 'update', table, col: 'v', op: '+', val: r.int(1, 9), where: kRange(c), returning };
    case 'upd_key': return r.chance(0.6)
      ? { t: 'update', table, col: 'k', op: '+', val: r.int(1, 2), where: kPred(c), returning }
      : { t: 'update', table, col: 'k', op: '=', val: key(c), where: r.chance(0.7) ? kPred(c) : vPred(c), returning };
    case 'del_k': return { t: 'delete', table, where: kPred(c), returning };
    case 'del_v': return { t: 'delete', table, where: vPred(c), returning };
    case 'ins': { const k = key(c); return { t: 'insert', table, rows: [[k, 10 * k + r.int(1, 9)]], onConflict: null, returning }; }
    case 'ins_multi': {
      const k1 = key(c), k2 = key(c);
      return { t: 'insert', table, rows: [[k1, 10 * k1 + r.int(1, 9)], [k2, 10 * k2 + r.int(1, 9)]], onConflict: null, returning };
    }
    case 'ins_oc': { const k = key(c); return { t: 'insert', table, rows: [[k, r.int(1, 9)]], onConflict: r.chance(0.5) ? 'nothing' : 'update', returning }; }
    case 'sel': return { t: 'select', table, where: r.chance(0.5) ? null : r.chance(0.5) ? kPred(c) : vPred(c), lock: null, wait: null };
    case 'sel_lock': {
      const lock = r.pick<LockStrength>(['UPDATE', 'NO KEY UPDATE', 'SHARE', 'KEY SHARE']);
      const wait = r.weighted<WaitPolicy | null>([[null, 6], ['NOWAIT', 2], ['SKIP LOCKED', 2]]);
      return { t: 'select', table, where: r.chance(0.4) ? null : r.chance(0.7) ? kPred(c) : vPred(c), lock, wait };
    }
    case 'agg': return { t: 'aggregate', table };
  }
}

const predText = (p: Pred, alias = '') => (p.op === '%2' ? `${alias}${p.col} % 2 = ${p.val}` : `${alias}${p.col} ${p.op} ${p.val}`);
const LOCK_MODES = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];

/**
 * The wide mix (fuzz:pg --wide): statements beyond single-table DML by key — sublinks and joins in UPDATE /
 * DELETE (EvalPlanQual over more than one relation), MERGE, writable CTEs, LIMIT with row locks, ON CONFLICT
 * DO UPDATE ... WHERE, INSERT ... SELECT, table locks (LOCK TABLE, TRUNCATE, CREATE INDEX, ALTER TABLE) and
 * advisory locks. Kept as SQL text (model.ts 'sql'): the shrinker drops them whole.
 */
function wideStmt(c: Ctx): Stmt {
  const r = c.rng;
  const table = pickTable(c);
  const other = c.tables.length > 1 && r.chance(0.7) ? c.tables.find((t) => t.name !== table)!.name : table;
  const ret = r.chance(0.35) ? ' RETURNING *' : '';
  const kind = r.weighted([
    ['upd_sub', 6], ['upd_from', 4], ['del_using', 3], ['del_sub', 2], ['merge', 6], ['cte', 3],
    ['limit_lock', 4], ['oc_where', 3], ['ins_sel', 2], ['sel_sub_lock', 2],
    ['lock', 5], ['truncate', 1], ['index', 1], ['alter', 1], ['advisory', 3],
  ] as const);
  const sql = (() => {
    switch (kind) {
      case 'upd_sub': return `UPDATE ${table} SET v = v + ${r.int(1, 9)} WHERE k IN (SELECT k FROM ${other} WHERE ${predText(vPred(c))})${ret};`;
      case 'upd_from': return `UPDATE ${table} SET v = ${table}.v + o.v FROM ${other} o WHERE ${table}.k = o.k AND ${predText(vPred(c), 'o.')}${ret ? ` RETURNING ${table}.*` : ''};`;
      case 'del_using': return `DELETE FROM ${table} USING ${other} o WHERE ${table}.k = o.k AND ${predText(vPred(c), 'o.')}${ret ? ` RETURNING ${table}.*` : ''};`;
      case 'del_sub': return `DELETE FROM ${table} WHERE v >= (SELECT max(v) FROM ${other})${ret};`;
      case 'merge': {
        const k = key(c);
        const matched = r.chance(0.25) ? 'DELETE' : `UPDATE SET v = ${table}.v + s.v`;
        const cond = r.chance(0.3) ? ` AND ${predText(vPred(c), `${table}.`)}` : '';
        const notMatched = r.chance(0.8) ? ' WHEN NOT MATCHED THEN INSERT VALUES (s.k, s.v)' : '';
        const src = r.chance(0.7) ? `(VALUES (${k}, ${r.int(1, 9)})) s(k, v)` : `(SELECT k, v FROM ${other} WHERE ${predText(kRange(c))}) s`;
        return `MERGE INTO ${table} USING ${src} ON ${table}.k = s.k WHEN MATCHED${cond} THEN ${matched}${notMatched};`;
      }
      case 'cte': return r.chance(0.5)
        ? `WITH u AS (UPDATE ${table} SET v = v + ${r.int(1, 9)} WHERE ${predText(r.chance(0.5) ? kPred(c) : vPred(c))} RETURNING k, v) SELECT count(*), sum(v) FROM u;`
        : `WITH d AS (DELETE FROM ${table} WHERE ${predText(kPred(c))} RETURNING k, v) INSERT INTO ${table} SELECT k + ${c.keys}, v FROM d ON CONFLICT (k) DO NOTHING RETURNING *;`;
      case 'limit_lock': {
        const lock = r.pick<LockStrength>(['UPDATE', 'NO KEY UPDATE', 'SHARE', 'KEY SHARE']);
        const wait = r.weighted<WaitPolicy | null>([[null, 4], ['NOWAIT', 1], ['SKIP LOCKED', 4]]);
        const w = r.chance(0.5) ? ` WHERE ${predText(vPred(c))}` : '';
        return `SELECT * FROM ${table}${w} ORDER BY k${r.chance(0.3) ? ' DESC' : ''} LIMIT ${r.int(1, 2)} FOR ${lock}${wait ? ` ${wait}` : ''};`;
      }
      case 'oc_where': { const k = key(c); return `INSERT INTO ${table} VALUES (${k}, ${r.int(1, 9)}) ON CONFLICT (k) DO UPDATE SET v = ${table}.v + excluded.v WHERE ${predText(vPred(c), `${table}.`)}${ret};`; }
      case 'ins_sel': return `INSERT INTO ${table} SELECT k + ${r.int(1, 3)}, v + 1 FROM ${other} WHERE ${predText(kRange(c))} ON CONFLICT (k) DO ${r.chance(0.5) ? 'NOTHING' : `UPDATE SET v = ${table}.v + 100`}${ret};`;
      case 'sel_sub_lock': return `SELECT * FROM ${table} WHERE v > (SELECT min(v) FROM ${other}) ORDER BY k FOR ${r.pick(['UPDATE', 'SHARE'])}${r.chance(0.3) ? ' SKIP LOCKED' : ''};`;
      case 'lock': return `LOCK TABLE ${table} IN ${r.pick(LOCK_MODES)} MODE${r.chance(0.25) ? ' NOWAIT' : ''};`;
      case 'truncate': return `TRUNCATE ${table};`;
      case 'index': return `CREATE INDEX ON ${table} (v);`;
      case 'alter': return r.chance(0.5) ? `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS w int DEFAULT 7;` : `ALTER TABLE ${table} ADD CONSTRAINT ${table}_v_pos CHECK (v > 0);`;
      case 'advisory': {
        const n = r.int(1, 2);
        return r.chance(0.6) ? `SELECT pg_advisory_xact_lock(${n});` : r.chance(0.5) ? `SELECT pg_try_advisory_xact_lock(${n});` : `SELECT pg_advisory_xact_lock_shared(${n});`;
      }
    }
  })();
  return { t: 'sql', table, sql };
}

/** One transaction of a session: statements, savepoints, and how it ends. */
function transaction(c: Ctx, spNo: { n: number }): Stmt[] {
  const r = c.rng;
  if (r.chance(0.2)) return Array.from({ length: r.int(1, 2) }, () => dml(c)); // autocommit statements
  const iso = r.weighted<Iso | null>([[null, 3], ['READ COMMITTED', 2], ['REPEATABLE READ', 3], ['SERIALIZABLE', 2]]);
  const out: Stmt[] = [{ t: 'begin', iso }];
  const n = r.int(1, 4);
  const open: string[] = [];
  for (let i = 0; i < n; i++) {
    if (r.chance(0.15)) { const name = `sp${++spNo.n}`; open.push(name); out.push({ t: 'savepoint', name }); }
    out.push(dml(c));
    if (open.length && r.chance(0.3)) {
      const name = open.pop()!;
      out.push(r.chance(0.6) ? { t: 'rollback_to', name } : { t: 'release', name });
    }
  }
  out.push(r.chance(0.7) ? { t: 'commit' } : { t: 'rollback' });
  return out;
}

/** How often a case comes from the stale-ctid template instead of free generation. */
export const STALE_CTID_SHARE = 0.06;

/** A random case (its permutation is still empty: schedule.ts fills it in by running the sessions). */
export function generateCase(rng: Rng, id: string, opts: GenOptions = {}): FuzzCase {
  if (rng.chance(STALE_CTID_SHARE)) return staleCtidCase(rng, id);
  return freeCase(rng, id, opts.wide ?? false);
}

function freeCase(rng: Rng, id: string, wide: boolean): FuzzCase {
  const keys = rng.int(2, 5);
  const tables: FuzzTable[] = [{ name: 'kv', rows: [] }];
  if (rng.chance(0.25)) tables.push({ name: 'kw', rows: [] });
  for (const t of tables) {
    for (let k = 1; k <= keys; k++) if (k <= 2 || rng.chance(0.85)) t.rows.push([k, 10 * k]);
  }
  const c: Ctx = { rng, tables, keys, wide };
  const nSessions = rng.weighted([[2, 4], [3, 4], [4, 2]] as const);
  const sessions: FuzzSession[] = [];
  for (let i = 1; i <= nSessions; i++) {
    const name = `s${i}`;
    const spNo = { n: 0 };
    const stmts = transaction(c, spNo);
    if (rng.chance(0.35)) stmts.push(...transaction(c, spNo));
    const steps: FuzzStep[] = stmts.map((stmt, j) => ({ name: `${name}_${j + 1}`, stmt }));
    sessions.push({ name, steps });
  }
  if (rng.chance(0.6)) {
    const n = rng.int(1, 2);
    sessions.push({
      name: VACUUM_SESSION,
      steps: Array.from({ length: n }, (_, j) => ({ name: `vac_${j + 1}`, stmt: { t: 'vacuum' as const, table: pickTable(c) } })),
    });
  }
  return { id, tables, sessions, permutation: [] };
}

/**
 * The stale-ctid class of issue 9, with random variations: a HOT update of row x rolled back (ROLLBACK, or
 * ROLLBACK TO a savepoint), a DELETE of x by another transaction, then — while the delete is in progress — a
 * VACUUM, an INSERT (a new key, or x again) that may land in the pruned slot, and a READ COMMITTED UPDATE or
 * DELETE with a WHERE on the non-key column that waits for the deleter and must then find x gone. The plan puts
 * the steps in that order; extra random statements go in between, and the scheduler keeps to the plan only
 * where no session is blocked.
 */
function staleCtidCase(rng: Rng, id: string): FuzzCase {
  const keys = rng.int(2, 4);
  const rows: [number, number][] = [];
  for (let k = 1; k <= keys; k++) rows.push([k, 10 * k]);
  const tables: FuzzTable[] = [{ name: 'kv', rows }];
  const c: Ctx = { rng, tables, keys, wide: false };
  const x = rng.int(1, keys);
  const extra = () => (rng.chance(0.25) ? [dml(c)] : []);
  const viaSavepoint = rng.chance(0.3);
  const hot: Stmt = rng.chance(0.85)
    ? { t: 'update', table: 'kv', col: 'v', op: '+', val: rng.int(1, 9), where: { col: 'k', op: '=', val: x }, returning: rng.chance(0.3) }
    : { t: 'update', table: 'kv', col: 'k', op: '=', val: keys + 3, where: { col: 'k', op: '=', val: x }, returning: false };
  const a: Stmt[] = viaSavepoint
    ? [{ t: 'begin', iso: null }, { t: 'savepoint', name: 'sp1' }, hot, { t: 'rollback_to', name: 'sp1' }, { t: 'commit' }]
    : [{ t: 'begin', iso: null }, hot, { t: 'rollback' }];
  const del: Stmt = rng.chance(0.75)
    ? { t: 'delete', table: 'kv', where: { col: 'k', op: '=', val: x }, returning: rng.chance(0.3) }
    : { t: 'delete', table: 'kv', where: { col: 'v', op: '<', val: 10 * x + 5 }, returning: rng.chance(0.3) };
  const b: Stmt[] = [{ t: 'begin', iso: rng.pick([null, 'READ COMMITTED', 'REPEATABLE READ'] as const) }, ...extra(), del, ...extra(), rng.chance(0.85) ? { t: 'commit' } : { t: 'rollback' }];
  const newKey = rng.chance(0.7) ? keys + rng.int(1, 6) : x;
  const ins: Stmt = { t: 'insert', table: 'kv', rows: [[newKey, 10 * newKey]], onConflict: null, returning: rng.chance(0.3) };
  const waiterStmt: Stmt = rng.chance(0.8)
    ? { t: 'update', table: 'kv', col: 'v', op: '+', val: 1000, where: rng.chance(0.7) ? { col: 'v', op: '>=', val: 0 } : null, returning: rng.chance(0.4) }
    : { t: 'delete', table: 'kv', where: { col: 'v', op: '>=', val: 0 }, returning: rng.chance(0.5) };
  const waiterInBlock = rng.chance(0.4);
  const w: Stmt[] = waiterInBlock ? [{ t: 'begin', iso: rng.pick([null, 'READ COMMITTED'] as const) }, waiterStmt, { t: 'commit' }] : [waiterStmt];
  const check: Stmt = { t: 'select', table: 'kv', where: null, lock: null, wait: null };
  // the waiter is session A itself (as in the issue) or a session of its own; the inserter too
  const waiterIsA = rng.chance(0.5);
  const named = (name: string, stmts: Stmt[], first = 1): FuzzStep[] => stmts.map((stmt, j) => ({ name: `${name}_${j + first}`, stmt }));
  const sA = named('s1', waiterIsA ? [...a, ...w] : a);
  const sB = named('s2', [...b, check]);
  const sessions: FuzzSession[] = [{ name: 's1', steps: sA }, { name: 's2', steps: sB }];
  const sW = waiterIsA ? sA.slice(a.length) : named('s3', w);
  if (!waiterIsA) sessions.push({ name: 's3', steps: sW });
  const iName = waiterIsA ? 's3' : 's4';
  const sI = named(iName, [ins]);
  sessions.push({ name: iName, steps: sI });
  const vac: FuzzStep[] = [{ name: 'vac_1', stmt: { t: 'vacuum', table: 'kv' } }];
  sessions.push({ name: VACUUM_SESSION, steps: vac });
  // plan: A's rolled-back update, B up to its delete, then VACUUM / waiter / insert in a random order, B's end, the check
  const delAt = sB.findIndex((st) => st.stmt.t === 'delete');
  const middle = [vac.map((s) => s.name), sW.map((s) => s.name), sI.map((s) => s.name)]; // the issue's order
  if (rng.chance(0.5)) {
    for (let i = middle.length - 1; i > 0; i--) { const j = rng.int(0, i); [middle[i], middle[j]] = [middle[j]!, middle[i]!]; }
  }
  const plan = [
    ...sA.slice(0, a.length).map((s) => s.name),
    ...sB.slice(0, delAt + 1).map((s) => s.name),
    ...middle.flat(),
    ...sB.slice(delAt + 1).map((s) => s.name),
  ];
  return { id, tables, sessions, permutation: [], plan };
}
