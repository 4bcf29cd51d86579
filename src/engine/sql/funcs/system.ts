/**
 * System information functions: transaction ids and snapshots, settings, sequences, pg_typeof.
 *
 * These call back into the engine through ExprEnv (the executor provides it per statement): txid_current()
 * assigns the transaction an xid at first call as GetTopTransactionId does, pg_current_snapshot() prints the
 * statement's snapshot, nextval() advances a sequence, current_setting() reads a setting as SHOW does.
 *
 * Mirrors: src/backend/utils/adt/xid8funcs.c (pg_current_xact_id, pg_current_snapshot, pg_xact_status),
 * utils/misc/guc.c (current_setting), commands/sequence.c (nextval, currval, setval), utils/adt/misc.c
 * (pg_typeof).
 */
import { formatType, regtypeOid } from '../regtype.js';
import { PgError, notSupported } from '../../errors.js';
import { type Value, T, typeDisplayName, RegClass } from '../types.js';
import { register, type FuncDef, type CallCtx } from './registry.js';
import { searchPathItems } from '../../guc/guc.js';
import { PG15_VERSION_STRING } from '../../catalog/pg15names.js';
import type { Fn } from '../expr.js';

/** A sequence named by a literal is a regclass constant: "relation does not exist" points at the literal. */
function atLiteral<R>(c: CallCtx, f: () => R): R {
  try {
    return f();
  } catch (e) {
    const at = c.literalAt?.[0];
    if (e instanceof PgError && e.sqlstate === '42P01' && at !== undefined && e.position === undefined) e.position = at;
    throw e;
  }
}
const seqName = (v: Value): string | number => (v instanceof RegClass ? v.oid : String(v)); // a regclass names its relation by OID

const defs: FuncDef[] = [
  // version(): PostgreSQL's build string, as the server the recordings come from prints it
  { name: 'version', args: [], ret: T.text, fn: () => PG15_VERSION_STRING },
  // the database and user every session here is connected as (the recorder's: postgres, postgres)
  { name: 'current_database', args: [], ret: T.text, fn: () => 'postgres' }, // type name in PostgreSQL
  // namespace.c's fetch_search_path: the first schema of search_path that exists — public, as search_path may only
  // name pg_temp before public here ("$user" names no schema; an explicit pg_temp counts once it exists)
  {
    name: 'current_schema', args: [], ret: T.text, // type name in PostgreSQL (not modelled: it prints the same)
    build: (_a, c) => () => {
      const path = c.env.currentSetting('search_path', false) ?? '';
      const first = searchPathItems(path).find((x) => x === 'public' || (x === 'pg_temp' && (c.env.myTempSchema?.() ?? 0) !== 0));
      if (first === 'pg_temp') throw notSupported('current_schema() with pg_temp first in search_path');
      return first ?? null;
    },
  },
  { name: 'pg_my_temp_schema', args: [], ret: T.oid, build: (_a, c) => () => c.env.myTempSchema?.() ?? 0 },
  { name: 'txid_current', args: [], ret: T.int8, build: (_a, c) => () => c.env.txidCurrent(true) },
  { name: 'pg_current_xact_id', args: [], ret: T.xid8, build: (_a, c) => () => c.env.txidCurrent(true) },
  { name: 'txid_current_if_assigned', args: [], ret: T.int8, build: (_a, c) => () => c.env.txidCurrent(false) },
  { name: 'pg_current_xact_id_if_assigned', args: [], ret: T.xid8, build: (_a, c) => () => c.env.txidCurrent(false) },
  { name: 'pg_current_snapshot', args: [], ret: T.pg_snapshot, build: (_a, c) => () => c.env.currentSnapshot() },
  // snapmgr.c ExportSnapshot: the statement's snapshot, named for SET TRANSACTION SNAPSHOT (snapshot/snapmgr.ts)
  { name: 'pg_export_snapshot', args: [], ret: T.text, build: (_a, c) => () => {
    if (!c.env.exportSnapshot) throw notSupported('pg_export_snapshot() here');
    return c.env.exportSnapshot();
  } },
  { name: 'txid_current_snapshot', args: [], ret: T.txid_snapshot, build: (_a, c) => () => c.env.currentSnapshot() },
  // xid8funcs.c pg_snapshot_xmin / _xmax (and the txid_snapshot_ forms): the text "xmin:xmax:xip,..." split
  ...(['pg_snapshot', 'txid_snapshot'] as const).flatMap((ty) => (['xmin', 'xmax'] as const).map((part, i): FuncDef => ({
    name: `${ty}_${part}`, args: [ty], ret: ty === 'pg_snapshot' ? T.xid8 : T.int8,
    build: ([a]) => { const f = a!.fn; return (r) => { const v = f(r); return v === null ? null : Number(String(v).split(':')[i]); }; },
  }))),
  // pg_snapshot_xip / txid_snapshot_xip: the in-progress xids of the snapshot's text, one row each (ascending)
  ...(['pg_snapshot', 'txid_snapshot'] as const).map((ty): FuncDef => ({
    name: `${ty}_xip`, args: [ty], ret: ty === 'pg_snapshot' ? T.xid8 : T.int8,
    table: {
      set: true, columns: [[`${ty}_xip`, ty === 'pg_snapshot' ? T.xid8 : T.int8]],
      rows: ([v]) => (String(v).split(':')[2] ?? '').split(',').filter((x) => x !== '').map((x): Value[] => [Number(x)]),
    },
  })),
  { name: 'pg_xact_status', args: ['xid8'], ret: T.text, build: ([a], c) => { const f = a!.fn; return (r) => { const v = f(r); return v === null ? null : c.env.xactStatus(v as number); }; } },
  { name: 'txid_status', args: ['int8'], ret: T.text, build: ([a], c) => { const f = a!.fn; return (r) => { const v = f(r); return v === null ? null : c.env.xactStatus(v as number); }; } },
  { name: 'current_setting', args: ['text'], ret: T.text, build: ([a], c) => { const f = a!.fn; return (r) => { const v = f(r); return v === null ? null : c.env.currentSetting(String(v), false); }; } },
  {
    name: 'current_setting', args: ['text', 'bool'], ret: T.text, build: ([a, b], c) => {
      const f = a!.fn, g = b!.fn;
      return (r) => { const v = f(r), ok = g(r); return v === null || ok === null ? null : c.env.currentSetting(String(v), ok === true); };
    },
  },
  {
    // not strict: a NULL value sets the default, a NULL name is an error (set_config_by_name)
    name: 'set_config', args: ['text', 'text', 'bool'], ret: T.text, build: ([a, b, d], c) => {
      const f = a!.fn, g = b!.fn, h = d!.fn;
      return (r) => { const n = f(r), v = g(r); return c.env.setConfig(n === null ? null : String(n), v === null ? null : String(v), h(r) === true); };
    },
  },
  { name: 'nextval', args: ['text'], ret: T.int8, build: ([a], c) => { const f = a!.fn; return (r) => { const v = f(r); return v === null ? null : atLiteral(c, () => c.env.nextval(seqName(v))); }; } },
  { name: 'nextval', args: ['regclass'], ret: T.int8, build: ([a], c) => { const f = a!.fn; return (r) => { const v = f(r); return v === null ? null : atLiteral(c, () => c.env.nextval(seqName(v))); }; } },
  { name: 'lastval', args: [], ret: T.int8, build: (_a, c) => () => atLiteral(c, () => c.env.lastval()) },
  { name: 'currval', args: ['text'], ret: T.int8, build: ([a], c) => { const f = a!.fn; return (r) => { const v = f(r); return v === null ? null : atLiteral(c, () => c.env.currval(seqName(v))); }; } },
  { name: 'currval', args: ['regclass'], ret: T.int8, build: ([a], c) => { const f = a!.fn; return (r) => { const v = f(r); return v === null ? null : atLiteral(c, () => c.env.currval(seqName(v))); }; } },
  ...(['text', 'regclass'] as const).flatMap((k): FuncDef[] => [
    { name: 'setval', args: [k, 'int8'], ret: T.int8, build: ([a, b], c) => { const f = a!.fn, g = b!.fn; return (r) => { const x = f(r), y = g(r); return x === null || y === null ? null : atLiteral(c, () => c.env.setval(seqName(x), y as number | bigint, true)); }; } },
    {
      name: 'setval', args: [k, 'int8', 'bool'], ret: T.int8, build: ([a, b, d], c) => {
        const f = a!.fn, g = b!.fn, h = d!.fn;
        return (r) => {
          const x = f(r), y = g(r); return x === null || y === null ? null : atLiteral(c, () => c.env.setval(seqName(x), y as number | bigint, h(r) !== false));
        };
      },
    },
  ]),
  // format_type(oid, typmod): not strict in its typmod (sql/regtype.ts)
  {
    name: 'format_type', args: ['any', 'int4'], ret: T.text, immutable: true, // (oid; a regtype casts to it)
    build: ([o, m]) => {
      const f = o!.fn, g = m!.fn;
      return (r) => { const v = f(r); return v === null ? null : formatType(typeof v === 'string' ? regtypeOid(v) : Number(v), g(r) as number | null); };
    },
  },
  // pg_typeof("any"): the argument's type, as regtype (printed with format_type's name); the argument is evaluated
  // all the same, as for any function (pg_typeof(f()) calls f)
  { name: 'pg_typeof', args: ['any'], ret: T.regtype, immutable: true, build: ([a]) => { const n = typeDisplayName(a!.type.elem ? { ...a!.type, typmod: -1, elem: { ...a!.type.elem, typmod: -1 } } : { ...a!.type, typmod: -1 }); const f = a!.fn; return ((r: Parameters<typeof f>[0]) => { f(r); return n; }) as Fn; } },
  // pgstat.c: the next pgstat_report_stat of this backend flushes at once
  { name: 'pg_stat_force_next_flush', args: [], ret: T.void, build: (_a, c) => () => { c.env.forceNextStatsFlush?.(); return ''; } },
];
register(defs);
