/**
 * SET, RESET, SHOW and current_setting(): the statements around the settings of guc/guc.ts.
 *
 * Most settings are just names with checked values. A few are the transaction's own properties rather than stored
 * values: transaction_isolation and transaction_read_only (SET TRANSACTION ... sets them, only before the
 * transaction's first query), and SET SESSION CHARACTERISTICS AS TRANSACTION ... sets their defaults. Server-wide
 * ones the simulator acts on (full_page_writes) show the engine's value.
 *
 *     SET deadlock_timeout = '1.5s';   SHOW deadlock_timeout;   -- 1500ms
 *     BEGIN; SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; SHOW transaction_isolation;  -- serializable
 *
 * set_config(name, value, is_local) is SET with one string value, as a function: it returns the value SHOW would now
 * give, and is_local outside a transaction block sets the value for the statement's own implicit transaction only
 * (no WARNING, unlike SET LOCAL).
 *
 *     SELECT set_config('application_name', 'loader', false);   -- loader (and pg_stat_activity shows it)
 *
 * Mirrors: src/backend/utils/misc/guc.c (ExecSetVariableStmt, GetPGVariable, ShowAllGUCConfig, current_setting,
 * set_config_by_name),
 * commands/variable.c (check_transaction_isolation: "must be called before any query").
 */
import { PgError, notSupported } from '../errors.js';
import type { Engine } from '../engine.js';
import type { Session, QueryResult } from '../session/session.js';
import type { IsolationLevel } from '../xact/xact.js';
import { intConst } from '../sql/parser.js';
import { intervalIn, intervalOut } from '../adt/datetime.js';
import { transactionOptions, setIsolation } from '../xact/xactblock.js';
import { importSnapshot } from '../snapshot/snapmgr.js';
import { setRole } from './user.js';
import { settingDef, canonicalValue, checkSettable, flattenArgs, isUnmodelled, allSettings, searchPathItems, type SettingDef } from '../guc/guc.js';

type N = Record<string, any>;

const ISOLATION_LEVELS = new Map<string, IsolationLevel>([
  ['read uncommitted', 'read uncommitted'], ['read committed', 'read committed'],
  ['repeatable read', 'repeatable read'], ['serializable', 'serializable'],
]);

/** What SHOW prints when the server says otherwise than the recorded defaults (the simulator's own server state). */
function serverValue(eng: Engine, name: string): string | undefined {
  switch (name) {
    case 'full_page_writes': return eng.wal.fullPageWrites ? 'on' : 'off';
    case 'server_version': return '15.18 (Heapscope)'; // deliberately says which server this is
    default: return undefined;
  }
}

function unknown(name: string): PgError {
  return new PgError('42704', `unrecognized configuration parameter "${name}"`);
}

/** The value SHOW / current_setting() give for a setting in this session. */
export function showValue(eng: Engine, s: Session, name: string): { name: string; value: string } {
  const lower = name.toLowerCase();
  if (lower === 'transaction isolation level' || lower === 'transaction_isolation') {
    return { name: 'transaction_isolation', value: s.tx ? s.tx.isolation : s.gucs.default_transaction_isolation };
  }
  if (lower === 'transaction_read_only') return { name: 'transaction_read_only', value: (s.tx ? s.tx.readOnly : s.gucs.default_transaction_read_only) ? 'on' : 'off' };
  if (lower === 'role') return { name: 'role', value: s.gucs.getHidden('role') ?? 'none' };
  const d = settingDef(lower);
  if (!d) throw unknown(name);
  return { name: d.name, value: serverValue(eng, d.name) ?? s.gucs.get(d.name) };
}

/** SHOW name | SHOW ALL */
export function showStatement(eng: Engine, s: Session, n: N): QueryResult {
  const name = n.name as string;
  if (name.toLowerCase() === 'all') {
    return {
      command: 'SHOW', columns: [{ name: 'name', type: 'text' }, { name: 'setting', type: 'text' }, { name: 'description', type: 'text' }],
      rows: allSettings().map((d) => [d.name, showValue(eng, s, d.name).value, d.desc]),
    };
  }
  const v = showValue(eng, s, name);
  return { command: 'SHOW', columns: [{ name: v.name, type: 'text' }], rows: [[v.value]] };
}

/** current_setting(name [, missing_ok]) */
export function currentSetting(eng: Engine, s: Session, name: string, missingOk = false): string | null {
  try { return showValue(eng, s, name).value; } catch (e) {
    if (missingOk && e instanceof PgError && e.sqlstate === '42704') return null;
    throw e;
  }
}

/** set_config(name, value, is_local): the new value as current_setting() then gives it (NULL name: 22004). */
export function setConfig(eng: Engine, s: Session, name: string | null, value: string | null, isLocal: boolean): string {
  if (name === null) throw new PgError('22004', 'SET requires parameter name');
  // a NULL value sets the default (set_config_option with value NULL)
  const stmt: N = value === null ? { kind: 'VAR_SET_DEFAULT', name, is_local: isLocal }
    : { kind: 'VAR_SET_VALUE', name, is_local: isLocal, args: [{ A_Const: { sval: { sval: value } } }] };
  setStatement(eng, s, stmt, true);
  return showValue(eng, s, name).value;
}

/** The words of SET's argument list, as flatten_set_variable_args reads them. */
function argWords(name: string, args: N[]): { kind: 'int' | 'float' | 'string'; text: string }[] {
  return args.map((a) => {
    const c = a.A_Const ?? a.TypeCast?.arg?.A_Const;
    if (!c) throw notSupported(`SET ${name} to an expression`);
    // SET TIME ZONE INTERVAL '…': flatten_set_variable_args normalises the interval and keeps the word
    const castTo = (a.TypeCast?.typeName?.names as N[] | undefined)?.at(-1)?.String?.sval;
    if (castTo === 'interval' && c.sval !== undefined) return { kind: 'string' as const, text: `INTERVAL '${intervalOut(intervalIn(c.sval.sval as string))}'` };
    if (c.sval !== undefined) return { kind: 'string' as const, text: c.sval.sval as string };
    if (c.fval !== undefined) return { kind: 'float' as const, text: c.fval.fval as string };
    if (c.boolval !== undefined) return { kind: 'string' as const, text: c.boolval.boolval ? 'on' : 'off' };
    return { kind: 'int' as const, text: String(intConst(c) ?? 0) };
  });
}

/** transaction_isolation's values */
function isolationOf(name: string, value: string): IsolationLevel {
  const iso = ISOLATION_LEVELS.get(value.toLowerCase());
  if (!iso) throw new PgError('22023', `invalid value for parameter "${name}": "${value}"`, { hint: 'Available values: serializable, repeatable read, read committed, read uncommitted.' });
  return iso;
}

/**
 * SET [SESSION | LOCAL] name { TO | = } value | DEFAULT, RESET name | ALL, SET TRANSACTION, SET SESSION CHARACTERISTICS.
 * viaFunction: set_config(), whose is_local outside a transaction block sets the value for the statement's own
 * implicit transaction (gone when it commits) without SET LOCAL's WARNING.
 */
export function setStatement(eng: Engine, s: Session, n: N, viaFunction = false): QueryResult {
  const kind = n.kind as string;
  const name = n.name as string | undefined;
  const lower = name?.toLowerCase();
  const tag: QueryResult = { command: kind === 'VAR_RESET' || kind === 'VAR_RESET_ALL' ? 'RESET' : 'SET', columns: null, rows: [] };
  // inside a function or procedure the statement's transaction is open whatever the block state (not top level:
  // no "can only be used in transaction blocks" warnings)
  const inBlock = s.block !== 'none' || s.plDepth > 0;
  if (kind === 'VAR_SET_MULTI' && lower === 'transaction') {
    if (!inBlock) {
      s.acc.notices.push({ severity: 'WARNING', sqlstate: '25P01', message: 'SET TRANSACTION can only be used in transaction blocks' });
      return tag;
    }
    eng.ensureTx(s);
    const o = transactionOptions(n.args ?? []);
    if (o.isolation) setIsolation(eng, s, o.isolation);
    if (o.readOnly !== undefined) s.tx!.readOnly = o.readOnly;
    if (o.deferrable !== undefined) s.tx!.deferrable = o.deferrable;
    return tag;
  }
  if (kind === 'VAR_SET_MULTI' && lower === 'transaction snapshot') {
    // ExecSetVariableStmt: warned outside a transaction block, then imported all the same (snapshot/snapmgr.ts)
    if (!inBlock) s.acc.notices.push({ severity: 'WARNING', sqlstate: '25P01', message: 'SET TRANSACTION can only be used in transaction blocks' });
    if (s.plDepth > 0) throw notSupported('SET TRANSACTION SNAPSHOT inside a function');
    importSnapshot(eng, s, String((n.args as N[])[0]!.A_Const.sval.sval));
    return tag;
  }
  if (kind === 'VAR_SET_MULTI' && lower === 'session characteristics') {
    const o = transactionOptions(n.args ?? []);
    if (o.isolation) s.gucs.set(settingDef('default_transaction_isolation')!, o.isolation, { inTransaction: inBlock, local: false });
    if (o.readOnly !== undefined) s.gucs.set(settingDef('default_transaction_read_only')!, o.readOnly ? 'on' : 'off', { inTransaction: inBlock, local: false });
    return tag;
  }
  if (kind === 'VAR_RESET_ALL') { s.gucs.resetAll(inBlock); return tag; }
  if (!name || !lower) throw notSupported(`SET form ${kind}`);
  const reset = kind === 'VAR_SET_DEFAULT' || kind === 'VAR_RESET';
  const local = !!n.is_local;
  if (local && !inBlock && !viaFunction) {
    // PostgreSQL 15 warns and does it anyway: the implicit transaction ends with the statement, and so does the value
    s.acc.notices.push({ severity: 'WARNING', sqlstate: '25P01', message: 'SET LOCAL can only be used in transaction blocks' });
    return tag;
  }
  const words = reset ? [] : argWords(name, (n.args ?? []) as N[]);
  const value = reset ? '' : flattenArgs(name, words);
  // the transaction's own properties
  if (lower === 'transaction_isolation') {
    if (reset || !inBlock) return tag;
    eng.ensureTx(s);
    setIsolation(eng, s, isolationOf(name, value));
    return tag;
  }
  if (lower === 'transaction_read_only') {
    const d = settingDef('transaction_read_only')!;
    const v = reset ? false : canonicalValue(d, value, 'off') === 'on';
    if (s.tx) s.tx.readOnly = v;
    return tag;
  }
  if (lower === 'role') { setRole(eng, s, reset ? null : value, { inTransaction: inBlock || local, local }); return tag; }
  const d: SettingDef | undefined = settingDef(lower);
  if (!d) throw unknown(lower);
  checkSettable(d);
  const shown = reset ? undefined : d.name === 'default_transaction_isolation' ? isolationOf(d.name, value) : canonicalValue(d, value, d.name === 'DateStyle' ? s.gucs.get(d.name) : '');
  if (isUnmodelled(d, shown) && shown !== undefined && shown !== d.shown) {
    throw notSupported(d.name === 'extra_float_digits' ? 'extra_float_digits below 1 (float output is always the shortest exact form)' : `${d.name} (the simulator does not model it: only its default, ${d.shown}, can be set)`);
  }
  if (d.name === 'search_path' && shown !== undefined) checkSearchPath(shown);
  // set_config(…, true) outside a block: kept on the implicit transaction's undo stack, so its end takes it away
  s.gucs.set(d, shown, { inTransaction: inBlock || local, local });
  return tag;
}

/**
 * search_path: names are looked up in the session's pg_temp_N, then the path's schemas that exist, in order (a
 * CREATE SCHEMA one holds tables: catalog.get, commands/schemacmds.ts); PostgreSQL skips an entry naming a schema
 * that does not exist. Views and sequences live in public or pg_temp only, so a path without public, or with pg_temp
 * after it, would change their lookup: refused, not modelled.
 */
function checkSearchPath(value: string): void {
  const items = searchPathItems(value);
  const pub = items.indexOf('public'), tmp = items.indexOf('pg_temp');
  if (pub < 0 || (tmp >= 0 && tmp > pub)) {
    throw notSupported(`search_path = ${value} (names are looked up in pg_temp, then public: a path without public, or with pg_temp after it, is not modelled)`);
  }
}
