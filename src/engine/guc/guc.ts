/**
 * Settings (GUC, "grand unified configuration"): SET, SHOW, RESET, current_setting, as PostgreSQL 15 has them.
 *
 * Every one of PostgreSQL 15's 354 settings is known (pg15settings.ts, read from a real server): its type, unit,
 * range, allowed values and context. A value is parsed and checked as guc.c does — units ("1.5MB" is 1536 kB),
 * ranges ("10 kB is outside the valid range for parameter "work_mem" (64 .. 2147483647)"), booleans (on, off,
 * true, yes, 1 and their unique prefixes), enums (case-insensitive, "Available values: ..."), and shown as SHOW
 * shows it (the largest unit that divides the value: 1000 ms → "1s", 16384 × 8kB → "128MB").
 *
 * Who may change what (the context): user and superuser settings by SET; sighup settings only in the server's
 * configuration ("cannot be changed now"), postmaster ones only with a restart, internal ones never.
 *
 * SET is transactional: inside a transaction block, a SET is undone if the transaction (or the savepoint around it)
 * rolls back; SET LOCAL lasts until the end of the transaction, whatever its outcome:
 *
 *     BEGIN; SET work_mem = '64MB'; ROLLBACK;   SHOW work_mem;  -- 4MB again
 *     BEGIN; SET LOCAL work_mem = '64MB'; COMMIT; SHOW work_mem; -- 4MB again
 *
 * Mirrors: src/backend/utils/misc/guc.c (set_config_option, parse_int, parse_real, parse_bool, _ShowOption,
 * flatten_set_variable_args, AtEOXact_GUC, NewGUCNestLevel), variable.c (check_datestyle). The simulator acts on
 * a few settings (deadlock_timeout, lock_timeout, statement_timeout, idle_in_transaction_session_timeout,
 * synchronous_commit, default_transaction_isolation / _read_only, full_page_writes, and from the server's
 * configuration (ServerConf, below) autovacuum, autovacuum_naptime, the autovacuum thresholds and scale factors,
 * autovacuum_freeze_max_age);
 * the others are kept and shown but change nothing, and those whose behaviour it does not model (idle_session_timeout,
 * transaction_deferrable, ...) refuse any value but their default with 0A000. TimeZone and log_timezone take what check_timezone
 * takes (adt/pgtz.ts: zone names, POSIX strings, hours, INTERVALs). Simplifications: no per-role or per-database
 * defaults; no GUC_REPORT to the client.
 */
import { PgError } from '../errors.js';
import { pgTzset, pgTzsetOffset } from '../adt/pgtz.js';
import { intervalIn } from '../adt/datetime.js';
import { PG15_SETTING_DEFS, type SettingDef } from './pg15settings.js';
import type { IsolationLevel } from '../xact/xact.js';

export type { SettingDef };

const BY_NAME = new Map<string, SettingDef>(PG15_SETTING_DEFS.map((d) => [d.name.toLowerCase(), d]));

/**
 * The definition of a setting by (case-insensitive) name, or undefined. A name with a dot is a custom placeholder
 * (SET myapp.user_id = 42): any string, for anyone, as PostgreSQL allows.
 */
export function settingDef(name: string): SettingDef | undefined {
  const exact = BY_NAME.get(name); // most callers name a setting in lower case already
  if (exact) return exact;
  const lower = name.toLowerCase();
  const d = BY_NAME.get(lower);
  if (d || !/^[a-z_][a-z0-9_$]*(\.[a-z_][a-z0-9_$]*)+$/.test(lower)) return d;
  return { name: lower, shown: '', vartype: 'string', unit: null, min: null, max: null, enumvals: null, context: 'user', category: 'Customized Options', desc: '' };
}
const isPlaceholder = (d: SettingDef) => d.category === 'Customized Options' && !BY_NAME.has(d.name);
export function allSettings(): readonly SettingDef[] { return PG15_SETTING_DEFS; }

/** Settings that would change behaviour the simulator does not model: only their default is accepted. */
const UNMODELLED = new Set(['idle_session_timeout',
  'default_transaction_deferrable', 'transaction_deferrable', 'default_transaction_isolation_level',
  // interval output is always IntervalStyle postgres (adt/datetime.ts)
  'IntervalStyle']);
/** GUC_LIST_INPUT: may be given several values (SET search_path = a, b); GUC_LIST_QUOTE: each is an identifier */
const LIST_INPUT = new Set(['datestyle', 'search_path', 'temp_tablespaces', 'session_preload_libraries', 'local_preload_libraries', 'shared_preload_libraries', 'log_destination', 'wal_consistency_checking', 'debug_io_direct']);
const LIST_QUOTE = new Set(['search_path', 'temp_tablespaces', 'session_preload_libraries', 'local_preload_libraries', 'shared_preload_libraries']);

// ------------------------------------------------------------------ units (guc.c memory_unit_conversion_table, time_unit_conversion_table)

const MEMORY_UNITS: [string, number][] = [['TB', 1024 ** 4], ['GB', 1024 ** 3], ['MB', 1024 ** 2], ['kB', 1024], ['B', 1]];
const TIME_UNITS: [string, number][] = [['d', 86_400_000_000], ['h', 3_600_000_000], ['min', 60_000_000], ['s', 1_000_000], ['ms', 1000], ['us', 1]];
/** the size of a setting's unit in bytes or microseconds, and which table it belongs to */
function unitInfo(unit: string | null): { table: [string, number][]; base: number } | null {
  switch (unit) {
    case 'B': return { table: MEMORY_UNITS, base: 1 };
    case 'kB': return { table: MEMORY_UNITS, base: 1024 };
    case '8kB': return { table: MEMORY_UNITS, base: 8192 };
    case 'MB': return { table: MEMORY_UNITS, base: 1024 ** 2 };
    case 'ms': return { table: TIME_UNITS, base: 1000 };
    case 's': return { table: TIME_UNITS, base: 1_000_000 };
    case 'min': return { table: TIME_UNITS, base: 60_000_000 };
    default: return null;
  }
}
const unitHint = (u: { table: [string, number][] }) => u.table === MEMORY_UNITS
  ? 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".'
  : 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".';

const invalid = (name: string, value: string, hint?: string) =>
  new PgError('22023', `invalid value for parameter "${name}": "${value}"`, hint ? { hint } : {});

/** parse_int / parse_real: a number, optionally with a unit, in the setting's unit. */
function parseNumber(d: SettingDef, value: string, integer: boolean): number {
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z]*)\s*$/.exec(value);
  const hex = /^\s*0x[0-9a-fA-F]+\s*$/.test(value);
  if (hex && integer) return checkRange(d, parseInt(value, 16), value);
  if (!m) throw invalid(d.name, value);
  let n = Number(m[1]);
  const u = unitInfo(d.unit);
  if (m[2]) {
    if (!u) throw invalid(d.name, value);
    const to = u.table.find(([name]) => name === m[2]);
    if (!to) throw invalid(d.name, value, unitHint(u));
    n = (n * to[1]) / u.base;
  }
  if (integer) n = Math.round(n);
  return checkRange(d, n, value);
}
function checkRange(d: SettingDef, n: number, _value: string): number {
  if ((d.min !== null && n < d.min) || (d.max !== null && n > d.max)) {
    const unit = d.unit ? ` ${d.unit}` : '';
    const fmt = (x: number) => (d.vartype === 'real' ? formatReal(x) : String(x));
    throw new PgError('22023', `${fmt(n)}${unit} is outside the valid range for parameter "${d.name}" (${fmt(d.min!)} .. ${fmt(d.max!)})`);
  }
  return n;
}

/** %g, as snprintf prints a double (real settings) */
function formatReal(x: number): string {
  if (x === 0) return '0';
  const s = x.toPrecision(6);
  if (s.includes('e')) {
    const [mant, exp] = s.split('e');
    const m = mant!.includes('.') ? mant!.replace(/0+$/, '').replace(/\.$/, '') : mant!;
    const e = Number(exp);
    return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** _ShowOption for a number in the setting's unit: the largest unit the value is a whole number of. */
function showNumber(d: SettingDef, n: number): string {
  const u = unitInfo(d.unit);
  if (d.vartype === 'integer') {
    if (!u || n <= 0) return String(n);
    const bytes = n * u.base;
    for (const [name, size] of u.table) if (size >= u.base && bytes % size === 0) return `${bytes / size}${name}`;
    return `${n}${d.unit}`;
  }
  if (!u || n <= 0) return formatReal(n);
  const v = n * u.base;
  for (const [name, size] of u.table) if (size >= u.base / 1000 && Number.isInteger(v / size) ) return `${formatReal(v / size)}${name}`;
  return `${formatReal(n)}${d.unit}`;
}

/** parse_bool: true, false, yes, no, on, off, 1, 0 — and unique prefixes of the words ("t", "of") */
export function parseBool(value: string): boolean | null {
  const v = value.trim().toLowerCase();
  if (!v) return null;
  const prefix = (word: string, min: number) => v.length >= min && word.startsWith(v);
  if (prefix('true', 1) || prefix('yes', 1) || prefix('on', 2) || v === '1') return true;
  if (prefix('false', 1) || prefix('no', 1) || prefix('off', 2) || v === '0') return false;
  return null;
}

/** check_datestyle: output style (ISO, SQL, Postgres, German) and field order (DMY, MDY, YMD), canonically. */
function parseDateStyle(value: string, current: string): string {
  let [style, order] = current.split(', ') as [string, string];
  let styleSet = false, orderSet = false;
  for (const raw of value.split(/[\s,]+/).filter(Boolean)) {
    const t = raw.toLowerCase();
    const setStyle = (x: string) => { if (styleSet && style !== x) throw new PgError('22023', `invalid value for parameter "DateStyle": "${value}"`, { detail: 'Conflicting "datestyle" specifications.' }); style = x; styleSet = true; };
    const setOrder = (x: string) => { if (orderSet && order !== x) throw new PgError('22023', `invalid value for parameter "DateStyle": "${value}"`, { detail: 'Conflicting "datestyle" specifications.' }); order = x; orderSet = true; };
    if (t === 'iso') setStyle('ISO');
    else if (t === 'sql') setStyle('SQL');
    else if (t.startsWith('postgres')) setStyle('Postgres');
    else if (t === 'german') { setStyle('German'); if (!orderSet) order = 'DMY'; } else if (t === 'ymd') setOrder('YMD');
    else if (t === 'dmy' || t.startsWith('euro')) setOrder('DMY');
    else if (t === 'mdy' || t === 'us' || t.startsWith('noneuro')) setOrder('MDY');
    else if (t === 'default') { style = 'ISO'; order = 'MDY'; } else throw new PgError('22023', `invalid value for parameter "DateStyle": "${value}"`, { detail: `Unrecognized key word: "${raw}".` });
  }
  return `${style}, ${order}`;
}

/** quote_identifier */
export function quoteIdentifier(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}

/** search_path's schema names, as SHOW prints them split and unquoted (SplitIdentifierString's reading of the list) */
export function searchPathItems(value: string): string[] {
  let items = SEARCH_PATHS.get(value);
  if (!items) {
    items = value.split(',').map((x) => x.trim().replace(/^"(.*)"$/, '$1')).filter((x) => x !== '');
    if (SEARCH_PATHS.size >= 64) SEARCH_PATHS.clear();
    SEARCH_PATHS.set(value, items);
  }
  return items.slice(); // the caller's own copy
}
/** searchPathItems' readings of the values seen (every name lookup reads search_path) */
const SEARCH_PATHS = new Map<string, string[]>();

/** Check and canonicalise a value for a setting: what SHOW will print (throws PostgreSQL's error). */
export function canonicalValue(d: SettingDef, value: string, current: string): string {
  switch (d.vartype) {
    case 'bool': {
      const b = parseBool(value);
      if (b === null) throw new PgError('22023', `parameter "${d.name}" requires a Boolean value`);
      return b ? 'on' : 'off';
    }
    case 'integer': return showNumber(d, parseNumber(d, value, true));
    case 'real': return showNumber(d, parseNumber(d, value, false));
    case 'enum': {
      const want = value.trim().toLowerCase();
      let v = d.enumvals!.find((e) => e.toLowerCase() === want);
      // the hidden spellings of boolean-like enums (guc.c's tables list true/false/yes/no/1/0 with hidden = true)
      if (v === undefined && d.enumvals!.includes('on') && d.enumvals!.includes('off')) {
        if (['true', 'yes', '1'].includes(want)) v = 'on';
        else if (['false', 'no', '0'].includes(want)) v = 'off';
      }
      if (v === undefined) throw new PgError('22023', `invalid value for parameter "${d.name}": "${value}"`, { hint: `Available values: ${d.enumvals!.join(', ')}.` });
      return v;
    }
    default:
      switch (d.name) {
        case 'DateStyle': return parseDateStyle(value, current);
        case 'TimeZone': case 'log_timezone': return timeZoneValue(d.name, value);
        default: return value;
      }
  }
}

/**
 * check_timezone: INTERVAL '…' (from SET TIME ZONE INTERVAL …) and a number of hours are fixed offsets, shown as
 * POSIX strings ('<-07>+07'); anything else is a zone name or a POSIX TZ string (pgtz.ts), shown canonically.
 */
function timeZoneValue(name: string, value: string): string {
  const v = value.trim();
  let west: number | null = null;
  const iv = /^interval\s*'(.*)'$/is.exec(v);
  if (/^interval/i.test(v)) {
    if (!iv) throw invalid(name, value);
    const i = intervalIn(iv[1]!);
    if (i.months !== 0) throw new PgError('22023', `invalid value for parameter "${name}": "${value}"`, { detail: 'Cannot specify months in time zone interval.' });
    if (i.days !== 0) throw new PgError('22023', `invalid value for parameter "${name}": "${value}"`, { detail: 'Cannot specify days in time zone interval.' });
    west = -Math.trunc(i.us / 1_000_000);
  } else if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v)) {
    west = Math.trunc(-Number(v) * 3600);
  }
  if (west !== null) {
    const z = pgTzsetOffset(west);
    if (!z) throw new PgError('22023', `invalid value for parameter "${name}": "${value}"`, { detail: 'UTC timezone offset is out of range.' });
    return z.name;
  }
  const z = pgTzset(v);
  if (!z) throw invalid(name, value);
  return z.name;
}

/** The setting's value in its base unit (ms for deadlock_timeout), from what SHOW prints. */
export function numericValue(d: SettingDef, shown: string): number {
  const last = NUMERIC_VALUES.get(d);
  if (last && last.shown === shown) return last.value;
  const value = parseNumber(d, shown, d.vartype === 'integer');
  NUMERIC_VALUES.set(d, { shown, value });
  return value;
}
/** numericValue's last reading of each setting (the timeouts are read at every statement) */
const NUMERIC_VALUES = new WeakMap<SettingDef, { shown: string; value: number }>();

/** flatten_set_variable_args: SET's argument list as one string. */
export function flattenArgs(name: string, args: { kind: 'int' | 'float' | 'string'; text: string }[]): string {
  const n = name.toLowerCase();
  if (args.length > 1 && !LIST_INPUT.has(n)) throw new PgError('22023', `SET ${name} takes only one argument`);
  return args.map((a) => (a.kind === 'string' && LIST_QUOTE.has(n) ? quoteIdentifier(a.text) : a.text)).join(', ');
}

/** May this session change the setting (set_config_option's context checks)? Throws PostgreSQL's refusal. */
export function checkSettable(d: SettingDef): void {
  switch (d.context) {
    case 'internal': throw new PgError('55P02', `parameter "${d.name}" cannot be changed`);
    case 'postmaster': throw new PgError('55P02', `parameter "${d.name}" cannot be changed without restarting the server`);
    case 'sighup': throw new PgError('55P02', `parameter "${d.name}" cannot be changed now`);
    case 'backend': case 'superuser-backend': throw new PgError('55P02', `parameter "${d.name}" cannot be set after connection start`);
    default:
  }
}

export function isUnmodelled(d: SettingDef, shown?: string): boolean {
  // every extra_float_digits above 0 means the shortest exact output (float.c since 12); 0 and below are not modelled
  if (d.name === 'extra_float_digits') return shown !== undefined && Number(shown) <= 0;
  return UNMODELLED.has(d.name);
}

/**
 * One session's settings: the values it set (the rest are the server's), and the stack that makes SET
 * transactional (AtEOXact_GUC / AtEOSubXact_GUC).
 */
export class SessionGucs {
  private values = new Map<string, string>();
  /** changes made inside the current transaction (undefined = the server's value), in order, to undo */
  private stack: { name: string; prev: string | undefined; next: string | undefined; local: boolean }[] = [];
  /** the server's configuration, for the settings this session did not set (null: the recorded defaults) */
  server: ServerConf | null = null;

  /** The value SHOW prints. */
  get(name: string): string {
    const d = settingDef(name);
    const v = d ? this.values.get(d.name) : undefined;
    if (!d || (v === undefined && isPlaceholder(d))) throw new PgError('42704', `unrecognized configuration parameter "${name}"`);
    return v ?? (this.server ? this.server.get(d.name) : d.shown);
  }
  // the settings the simulator acts on, typed
  get deadlock_timeout(): number { return numericValue(BY_NAME.get('deadlock_timeout')!, this.get('deadlock_timeout')); }
  get lock_timeout(): number { return numericValue(BY_NAME.get('lock_timeout')!, this.get('lock_timeout')); }
  get statement_timeout(): number { return numericValue(BY_NAME.get('statement_timeout')!, this.get('statement_timeout')); }
  get idle_in_transaction_session_timeout(): number { return numericValue(BY_NAME.get('idle_in_transaction_session_timeout')!, this.get('idle_in_transaction_session_timeout')); }
  get synchronous_commit(): string { return this.get('synchronous_commit'); }
  get default_transaction_isolation(): IsolationLevel { return this.get('default_transaction_isolation') as IsolationLevel; }
  get default_transaction_read_only(): boolean { return this.get('default_transaction_read_only') === 'on'; }
  /** Set a checked value (undefined: back to the server's); inside a transaction block the change can be undone. */
  set(d: SettingDef, shown: string | undefined, opts: { inTransaction: boolean; local: boolean }): void { this.setHidden(d.name, shown, opts); }
  /** A setting outside pg_settings (GUC_NO_SHOW_ALL | GUC_NO_RESET_ALL: "role", SET ROLE's), set and undone as the others. */
  setHidden(name: string, shown: string | undefined, opts: { inTransaction: boolean; local: boolean }): void {
    if (opts.inTransaction) this.stack.push({ name, prev: this.values.get(name), next: shown, local: opts.local });
    if (shown === undefined) this.values.delete(name); else this.values.set(name, shown);
  }
  getHidden(name: string): string | undefined { return this.values.get(name); }
  /** RESET ALL: every setting a session may change back to the server's value. */
  resetAll(inTransaction: boolean): void {
    for (const name of [...this.values.keys()]) {
      const d = settingDef(name);
      if (!d) continue; // a hidden setting (role): RESET ALL leaves it
      if (d.context === 'user' || d.context === 'superuser') this.set(d, undefined, { inTransaction, local: false });
    }
  }
  /** How deep the undo stack is (a savepoint remembers it). */
  get level(): number { return this.stack.length; }
  /** ROLLBACK TO SAVEPOINT / the transaction aborts: undo back to a level. */
  undoTo(level: number): void {
    while (this.stack.length > level) {
      const e = this.stack.pop()!;
      if (e.prev === undefined) this.values.delete(e.name); else this.values.set(e.name, e.prev);
    }
  }
  /** COMMIT: what the transaction's last plain SET of a setting chose stays; SET LOCAL values go. */
  atCommit(): void {
    const keep = new Map<string, string | undefined>();
    for (const e of this.stack) {
      if (!keep.has(e.name)) keep.set(e.name, e.prev);
      if (!e.local) keep.set(e.name, e.next);
    }
    for (const [name, v] of keep) if (v === undefined) this.values.delete(name); else this.values.set(name, v);
    this.stack = [];
  }
  atAbort(): void { this.undoTo(0); }
  /** The settings this session changed (for SHOW ALL and pg_settings). */
  changed(): ReadonlyMap<string, string> { return this.values; }
  clone(): SessionGucs {
    const c = new SessionGucs();
    c.values = new Map(this.values);
    c.stack = this.stack.map((e) => ({ ...e }));
    c.server = this.server;
    return c;
  }
}

/**
 * The server's configuration file (postgresql.conf) and reload: sighup and postmaster settings the simulator acts on
 * (autovacuum and its thresholds). A session reads them as its defaults; Heapscope's server control changes them as
 * editing postgresql.conf and pg_reload_conf() (or a restart, for postmaster settings) would.
 */
export class ServerConf {
  private values = new Map<string, string>();
  /** Check and set a value (canonicalValue's checks); throws PostgreSQL's error for a bad one and changes nothing. */
  set(name: string, value: string): void {
    const d = settingDef(name);
    if (!d || isPlaceholder(d)) throw new PgError('42704', `unrecognized configuration parameter "${name}"`);
    if (d.context === 'internal') throw new PgError('55P02', `parameter "${d.name}" cannot be changed`);
    this.values.set(d.name, canonicalValue(d, value, this.get(d.name)));
  }
  get(name: string): string {
    const d = settingDef(name)!;
    return this.values.get(d.name) ?? d.shown;
  }
  has(name: string): boolean { return this.values.has(settingDef(name)?.name ?? name); }
  bool(name: string): boolean { return parseBool(this.get(name)) === true; }
  num(name: string): number { return numericValue(settingDef(name)!, this.get(name)); }
  clone(): ServerConf { const c = new ServerConf(); c.values = new Map(this.values); return c; }
}
