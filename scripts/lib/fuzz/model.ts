/**
 * The differential fuzzer's case model: tables with a few rows, sessions with scripted statements, one
 * permutation — and how it renders as an isolation-tester .spec.
 *
 * A case is data, not text, so the shrinker can drop steps, sessions and setup rows or simplify one clause of a
 * statement and render again. Every table is `(k int PRIMARY KEY, v int)`: few distinct keys, so sessions collide
 * on the same rows, and a non-key column `v` for WHERE clauses that EvalPlanQual must re-check.
 * SELECTs always ORDER BY the key, so row order never depends on the physical layout; only RETURNING of a
 * multi-row UPDATE/DELETE shows scan order (which the engine's page model is meant to reproduce too).
 */

export type Iso = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
export type LockStrength = 'UPDATE' | 'NO KEY UPDATE' | 'SHARE' | 'KEY SHARE';
export type WaitPolicy = 'NOWAIT' | 'SKIP LOCKED';
export type Col = 'k' | 'v';
/** `col op val`; '%2' means `col % 2 = val` */
export interface Pred { col: Col; op: '=' | '<' | '>=' | '<>' | '%2'; val: number }

export type Stmt =
  | { t: 'begin'; iso: Iso | null }
  | { t: 'commit' }
  | { t: 'rollback' }
  | { t: 'savepoint'; name: string }
  | { t: 'rollback_to'; name: string }
  | { t: 'release'; name: string }
  | { t: 'insert'; table: string; rows: [number, number][]; onConflict: 'nothing' | 'update' | null; returning: boolean }
  | { t: 'update'; table: string; col: Col; op: '+' | '='; val: number; where: Pred | null; returning: boolean }
  | { t: 'delete'; table: string; where: Pred | null; returning: boolean }
  | { t: 'select'; table: string; where: Pred | null; lock: LockStrength | null; wait: WaitPolicy | null }
  | { t: 'aggregate'; table: string }
  | { t: 'vacuum'; table: string }
  /** a statement of the wide mix (generate.ts, --wide), kept as text: the shrinker only drops it whole */
  | { t: 'sql'; table: string; sql: string };

export interface FuzzStep { name: string; stmt: Stmt }
export interface FuzzSession { name: string; steps: FuzzStep[] }
export interface FuzzTable { name: string; rows: [number, number][] }
export interface FuzzCase {
  /** "seed-index", for file names and messages */
  id: string;
  tables: FuzzTable[];
  sessions: FuzzSession[];
  /**
   * step names in the order they run, and clock advances ("+1100ms", see schedule.ts); a step not listed here is
   * not part of the case
   */
  permutation: string[];
  /** an order the scheduler should follow where it can (cases made from a template); otherwise it draws one */
  plan?: string[];
}

const predSql = (p: Pred) => (p.op === '%2' ? `${p.col} % 2 = ${p.val}` : `${p.col} ${p.op} ${p.val}`);
const where = (p: Pred | null) => (p ? ` WHERE ${predSql(p)}` : '');

export function stmtSql(s: Stmt): string {
  switch (s.t) {
    case 'begin': return s.iso ? `BEGIN ISOLATION LEVEL ${s.iso};` : 'BEGIN;';
    case 'commit': return 'COMMIT;';
    case 'rollback': return 'ROLLBACK;';
    case 'savepoint': return `SAVEPOINT ${s.name};`;
    case 'rollback_to': return `ROLLBACK TO ${s.name};`;
    case 'release': return `RELEASE ${s.name};`;
    case 'insert': {
      const oc = s.onConflict === 'nothing' ? ' ON CONFLICT (k) DO NOTHING'
        : s.onConflict === 'update' ? ` ON CONFLICT (k) DO UPDATE SET v = ${s.table}.v + excluded.v` : '';
      return `INSERT INTO ${s.table} VALUES ${s.rows.map(([k, v]) => `(${k}, ${v})`).join(', ')}${oc}${s.returning ? ' RETURNING *' : ''};`;
    }
    case 'update': {
      const set = s.op === '+' ? `${s.col} = ${s.col} + ${s.val}` : `${s.col} = ${s.val}`;
      return `UPDATE ${s.table} SET ${set}${where(s.where)}${s.returning ? ' RETURNING *' : ''};`;
    }
    case 'delete': return `DELETE FROM ${s.table}${where(s.where)}${s.returning ? ' RETURNING *' : ''};`;
    case 'select': {
      const lock = s.lock ? ` FOR ${s.lock}${s.wait ? ` ${s.wait}` : ''}` : '';
      return `SELECT * FROM ${s.table}${where(s.where)} ORDER BY k${lock};`;
    }
    case 'aggregate': return `SELECT count(*), sum(v) FROM ${s.table};`;
    case 'vacuum': return `VACUUM ${s.table};`;
    case 'sql': return s.sql;
  }
}

/** The setup block: the tables and their rows. */
export function setupSql(c: FuzzCase): string {
  const creates = c.tables.map((t) => `CREATE TABLE ${t.name} (k int PRIMARY KEY, v int);`);
  const inserts = c.tables.filter((t) => t.rows.length).map((t) => `INSERT INTO ${t.name} VALUES ${t.rows.map(([k, v]) => `(${k}, ${v})`).join(', ')};`);
  return [...creates, ...inserts].join(' ');
}

/** The steps that take part (listed in the permutation), in session order. */
export function usedSessions(c: FuzzCase): FuzzSession[] {
  const used = new Set(c.permutation);
  return c.sessions.map((s) => ({ ...s, steps: s.steps.filter((st) => used.has(st.name)) })).filter((s) => s.steps.length > 0);
}

/**
 * Render as an isolation-tester .spec (header lines are written as `# ...` comments before it). There is no
 * teardown: a shrunk case may leave a transaction open, and a DROP TABLE would wait for it forever; the runner
 * closes the sessions at the end, and the fuzzer drops the tables before the next case.
 */
export function renderSpec(c: FuzzCase, header: string[] = []): string {
  let out = header.map((h) => (h.startsWith('#') ? h : `# ${h}`)).join('\n') + (header.length ? '\n' : '');
  out += `setup { ${setupSql(c)} }\n`;
  for (const s of usedSessions(c)) {
    out += `\nsession ${s.name}\n`;
    for (const st of s.steps) out += `step ${st.name} { ${stmtSql(st.stmt)} }\n`;
  }
  out += `\npermutation ${c.permutation.join(' ')}\n`;
  return out;
}

/** Tables a case's steps refer to. */
export function tablesUsed(c: FuzzCase): Set<string> {
  const used = new Set<string>();
  const inPerm = new Set(c.permutation);
  for (const s of c.sessions) {
    for (const st of s.steps) {
      if (!inPerm.has(st.name) || !('table' in st.stmt)) continue;
      used.add(st.stmt.table);
      // a statement of the wide mix may read the other table too
      if (st.stmt.t === 'sql') for (const t of c.tables) if (new RegExp(`\\b${t.name}\\b`).test(st.stmt.sql)) used.add(t.name);
    }
  }
  return used;
}

/**
 * A short name for what a statement does, from its SQL text alone (so it also classifies steps of specs the
 * fuzzer did not write): "UPDATE v WHERE k", "SELECT FOR SHARE NOWAIT", "INSERT ON CONFLICT DO NOTHING", ...
 */
export function stmtKind(sql: string): string {
  const s = sql.trim().replace(/;$/, '');
  let m: RegExpExecArray | null;
  if (/^BEGIN/i.test(s)) return /ISOLATION LEVEL (.*)$/i.exec(s)?.[1] ? `BEGIN ${/ISOLATION LEVEL (.*)$/i.exec(s)![1]}` : 'BEGIN';
  if ((m = /^(COMMIT|ROLLBACK TO|ROLLBACK|SAVEPOINT|RELEASE|VACUUM)\b/i.exec(s))) return m[1]!.toUpperCase();
  const ret = /RETURNING/i.test(s) ? ' RETURNING' : '';
  const whereCol = (() => { const w = /WHERE (\w+)/i.exec(s); return w ? ` WHERE ${w[1]}` : ''; })();
  if (/^INSERT/i.test(s)) {
    const oc = /ON CONFLICT \(k\) DO (NOTHING|UPDATE)/i.exec(s);
    const multi = (s.match(/\),\s*\(/g) ?? []).length ? ' multi-row' : '';
    return `INSERT${multi}${oc ? ` ON CONFLICT DO ${oc[1]!.toUpperCase()}` : ''}${ret}`;
  }
  if ((m = /^UPDATE \w+ SET (\w+)/i.exec(s))) return `UPDATE ${m[1]}${whereCol}${ret}`;
  if (/^DELETE/i.test(s)) return `DELETE${whereCol}${ret}`;
  if (/^SELECT count/i.test(s)) return 'SELECT count/sum';
  if (/^SELECT/i.test(s)) {
    const lock = /FOR (NO KEY UPDATE|KEY SHARE|UPDATE|SHARE)( NOWAIT| SKIP LOCKED)?/i.exec(s);
    return `SELECT${whereCol}${lock ? ` FOR ${lock[1]!.toUpperCase()}${(lock[2] ?? '').toUpperCase()}` : ''}`;
  }
  return s.split(/\s+/)[0]!.toUpperCase();
}
