/**
 * Shrinking a failing case: delta debugging over steps, sessions, setup rows and statement clauses.
 *
 * `ddmin` is Zeller's minimizing delta debugging: split the list into n chunks, keep a chunk or drop it if the
 * failure persists, refine the granularity until no single element can go (the result is 1-minimal: removing
 * any one element makes the failure disappear). `shrinkCase` applies it to a fuzz case, pass after pass, until
 * nothing changes or the test budget is spent:
 *   1. steps of the permutation (a dropped step leaves its session too),
 *   2. whole sessions,
 *   3. setup rows of each table, then tables no step uses,
 *   4. one clause of one statement at a time (RETURNING, ON CONFLICT, a lock's NOWAIT / SKIP LOCKED, the lock
 *      itself, WHERE, the isolation level, one row of a multi-row INSERT) — only ever simpler, so it ends.
 * Clock advances in the permutation are items like steps: pass 1 drops those that are not needed.
 * The predicate is the caller's ("PostgreSQL still prints the same transcript twice and the engine still differs
 * at the same kind of line"); every candidate the shrinker keeps has passed it.
 */
import type { FuzzCase, Stmt } from './model.js';
import { tablesUsed } from './model.js';

export type Test<T> = (candidate: T) => Promise<boolean>;

/**
 * A 1-minimal sublist of `items` for which `test` still holds (`test(items)` is assumed to hold). With
 * `allowEmpty`, the empty list is tried first.
 */
export async function ddmin<T>(items: T[], test: Test<T[]>, allowEmpty = false): Promise<T[]> {
  if (allowEmpty && items.length && await test([])) return [];
  let cur = items.slice();
  let n = 2;
  while (cur.length >= 2) {
    const size = Math.ceil(cur.length / n);
    const chunks: T[][] = [];
    for (let i = 0; i < cur.length; i += size) chunks.push(cur.slice(i, i + size));
    let reduced = false;
    // try each chunk alone, then each complement
    for (const ch of chunks) {
      if (ch.length < cur.length && await test(ch)) { cur = ch; n = 2; reduced = true; break; }
    }
    if (!reduced) {
      for (let i = 0; i < chunks.length; i++) {
        const comp = chunks.filter((_, j) => j !== i).flat();
        if (comp.length < cur.length && await test(comp)) { cur = comp; n = Math.max(n - 1, 2); reduced = true; break; }
      }
    }
    if (!reduced) {
      if (n >= cur.length) break;
      n = Math.min(cur.length, n * 2);
    }
  }
  return cur;
}

// ---- case edits (pure: each returns a new case) ----

export function withPermutation(c: FuzzCase, perm: string[]): FuzzCase {
  const keep = new Set(perm);
  return {
    ...c,
    permutation: perm.slice(),
    sessions: c.sessions.map((s) => ({ ...s, steps: s.steps.filter((st) => keep.has(st.name)) })).filter((s) => s.steps.length),
  };
}

export function withoutSession(c: FuzzCase, name: string): FuzzCase {
  const gone = new Set(c.sessions.find((s) => s.name === name)?.steps.map((st) => st.name) ?? []);
  return withPermutation(c, c.permutation.filter((p) => !gone.has(p)));
}

export function withRows(c: FuzzCase, table: string, rows: [number, number][]): FuzzCase {
  return { ...c, tables: c.tables.map((t) => (t.name === table ? { ...t, rows: rows.slice() } : t)) };
}

export function withoutUnusedTables(c: FuzzCase): FuzzCase {
  const used = tablesUsed(c);
  const tables = c.tables.filter((t) => used.has(t.name));
  return tables.length && tables.length < c.tables.length ? { ...c, tables } : c;
}

export function withStmt(c: FuzzCase, step: string, stmt: Stmt): FuzzCase {
  return { ...c, sessions: c.sessions.map((s) => ({ ...s, steps: s.steps.map((st) => (st.name === step ? { ...st, stmt } : st)) })) };
}


/** Strictly simpler variants of a statement: one clause removed (or one row of a multi-row INSERT). */
export function simplerStmts(s: Stmt): Stmt[] {
  const out: Stmt[] = [];
  switch (s.t) {
    case 'begin': if (s.iso) out.push({ ...s, iso: null }); break;
    case 'insert':
      if (s.returning) out.push({ ...s, returning: false });
      if (s.onConflict) out.push({ ...s, onConflict: null });
      if (s.rows.length > 1) for (const r of s.rows) out.push({ ...s, rows: [r] });
      break;
    case 'update':
      if (s.returning) out.push({ ...s, returning: false });
      if (s.where) out.push({ ...s, where: null });
      break;
    case 'delete':
      if (s.returning) out.push({ ...s, returning: false });
      if (s.where) out.push({ ...s, where: null });
      break;
    case 'select':
      if (s.wait) out.push({ ...s, wait: null });
      if (s.lock) out.push({ ...s, lock: null, wait: null });
      if (s.where) out.push({ ...s, where: null });
      break;
    default: break;
  }
  return out;
}

export interface ShrinkStats { tests: number; accepted: number }

/**
 * Shrink `c` while `test` holds; stops after `budget` tests. `test(c)` is assumed to hold for the input.
 * Identical candidates are tested once (memoized by the caller's `key`).
 */
export async function shrinkCase(c: FuzzCase, test: Test<FuzzCase>, key: (c: FuzzCase) => string, budget = 400,
  onTest?: (cand: FuzzCase, ok: boolean) => void): Promise<{ result: FuzzCase; stats: ShrinkStats }> {
  const stats: ShrinkStats = { tests: 0, accepted: 0 };
  const memo = new Map<string, boolean>();
  const t = async (cand: FuzzCase): Promise<boolean> => {
    const k = key(cand);
    const m = memo.get(k);
    if (m !== undefined) return m;
    if (stats.tests >= budget) return false;
    stats.tests++;
    const ok = await test(cand);
    memo.set(k, ok);
    if (ok) stats.accepted++;
    onTest?.(cand, ok);
    return ok;
  };
  let cur = c;
  memo.set(key(cur), true);
  for (let pass = 0; pass < 8; pass++) {
    const before = key(cur);
    // 1. steps
    const perm = await ddmin(cur.permutation, (p) => t(withPermutation(cur, p)));
    cur = withPermutation(cur, perm);
    // 2. sessions
    for (const s of cur.sessions.slice()) {
      const cand = withoutSession(cur, s.name);
      if (cand.permutation.length && await t(cand)) cur = cand;
    }
    // 3. rows, tables
    for (const tb of cur.tables.slice()) {
      const base = cur;
      const rows = await ddmin(tb.rows, (r) => t(withRows(base, tb.name, r)), true);
      cur = withRows(cur, tb.name, rows);
    }
    const fewer = withoutUnusedTables(cur);
    if (fewer !== cur && await t(fewer)) cur = fewer;
    // 4. clauses
    for (const s of cur.sessions) {
      for (const st of s.steps) {
        let stmt = st.stmt;
        for (let progress = true; progress;) {
          progress = false;
          for (const simpler of simplerStmts(stmt)) {
            const cand = withStmt(cur, st.name, simpler);
            if (await t(cand)) { cur = cand; stmt = simpler; progress = true; break; }
          }
        }
      }
    }
    if (key(cur) === before || stats.tests >= budget) break;
  }
  return { result: cur, stats };
}
