/**
 * information_schema.columns: one row per column of every table and view, the SQL standard's \d (another session's
 * temporary ones left out); information_schema.tables: one row per table and view.
 *
 *     SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
 *     WHERE table_name = 't' ORDER BY ordinal_position;
 *     -- id | integer | NO | nextval('t_id_seq'::regclass)        v | character varying | YES | 'x'::character varying
 *
 * ordinal_position is the attnum (a dropped column leaves a gap), data_type the standard's name (ARRAY for an array,
 * udt_name says which), the lengths / precisions / scales as the standard defines them for the type, and
 * column_default the DEFAULT as pg_get_expr prints the stored expression — for the shapes written here (a constant
 * coerced to the column's type, nextval(...), a call without arguments, CURRENT_TIMESTAMP); another expression is
 * a 0A000 when its cell is read.
 *
 * Mirrors: src/backend/catalog/information_schema.sql (columns), utils/adt/ruleutils.c (get_const_expr's labels).
 * Simplifications: only the user's tables and views (PostgreSQL also lists every system catalog's and
 * information_schema view's columns), only the columns listed (SELECT * is refused); the other information_schema
 * views refuse 0A000.
 */
import type { Engine } from '../engine.js';
import { T, typeDisplayName, type SqlType, type Value } from '../sql/types.js';
import { notSupported } from '../errors.js';
import type { Column } from './catalog.js';
import type { SystemRelation } from './sysviews.js';
import { visibleClassRows, visibleViewsAndSequences } from './catalogsnapshot.js';
import type { N } from '../executor/util.js';
import { viewInsertable } from '../commands/viewupdate.js';


const COLUMNS: [string, SqlType][] = [
  ['table_catalog', T.name], ['table_schema', T.name], ['table_name', T.name], ['column_name', T.name], ['ordinal_position', T.int4],
  ['column_default', T.text], ['is_nullable', T.text], ['data_type', T.text], ['character_maximum_length', T.int4],
  ['numeric_precision', T.int4], ['numeric_precision_radix', T.int4], ['numeric_scale', T.int4], ['datetime_precision', T.int4],
  ['udt_name', T.name], ['is_identity', T.text], ['identity_generation', T.text], ['is_generated', T.text], ['generation_expression', T.text],
];
const NAMES = COLUMNS.map(([n]) => n);
const DEFAULT_COL = NAMES.indexOf('column_default'), GENEXPR_COL = NAMES.indexOf('generation_expression');

/** A cell whose value is not modelled: reading it is a 0A000 (SELECT of the other columns still works). */
function refuse(row: Value[], col: number, what: string): void {
  Object.defineProperty(row, col, { enumerable: true, get() { throw notSupported(what); } });
}

/** The standard's data_type: format_type without the modifiers, ARRAY for arrays. */
function dataType(t: SqlType): string {
  if (t.elem) return 'ARRAY';
  if (t.composite) return 'USER-DEFINED';
  return typeDisplayName({ name: t.name, typmod: -1 });
}

/** character_maximum_length, numeric_precision, numeric_precision_radix, numeric_scale, datetime_precision */
function typeFacts(t: SqlType): (number | null)[] {
  if (t.elem) return [null, null, null, null, null];
  switch (t.name) {
    case 'varchar': case 'bpchar': case 'bit': case 'varbit': return [t.typmod > 0 ? t.typmod : null, null, null, null, null];
    case 'int2': return [null, 16, 2, 0, null];
    case 'int4': return [null, 32, 2, 0, null];
    case 'int8': return [null, 64, 2, 0, null];
    case 'float4': return [null, 24, 2, null, null];
    case 'float8': return [null, 53, 2, null, null];
    case 'numeric': return t.typmod >= 0 ? [null, Math.floor(t.typmod / 65536), 10, t.typmod % 65536, null] : [null, null, 10, null, null];
    case 'date': return [null, null, null, null, 0];
    case 'timestamp': case 'timestamptz': case 'interval': case 'time': case 'timetz': return [null, null, null, null, t.typmod >= 0 ? t.typmod : 6];
    default: return [null, null, null, null, null];
  }
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** format_type's name of a constant's type in a ::label (character varying, bpchar, integer ...). */
const label = (t: SqlType) => (t.name === 'bpchar' ? 'bpchar' : typeDisplayName({ name: t.name, typmod: -1 }));

/** pg_get_expr of a column's stored DEFAULT, for the shapes modelled; null when it cannot say. */
function defaultText(e: N, t: SqlType): string | null {
  const c = e.A_Const as N | undefined;
  if (c) {
    if (c.isnull) return null;
    if (c.boolval !== undefined) return ['bool'].includes(t.name) ? String(!!c.boolval.boolval) : null;
    if (c.ival !== undefined && ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'].includes(t.name)) {
      const v = Number(c.ival.ival ?? 0);
      return v >= 0 ? String(v) : `'${v}'::integer`;
    }
    if (c.fval !== undefined && ['numeric', 'float4', 'float8'].includes(t.name)) {
      const v = String(c.fval.fval);
      return /^\d+\.\d*$|^\d*\.\d+$/.test(v) ? v : null;
    }
    if (c.sval !== undefined && ['text', 'varchar', 'bpchar'].includes(t.name)) return `${quote(String(c.sval.sval ?? ''))}::${label(t)}`;
    return null;
  }
  if (e.TypeCast && e.TypeCast.arg?.A_Const?.sval !== undefined) {
    const names = (e.TypeCast.typeName.names as N[]).map((x) => x.String.sval as string);
    const n = names[names.length - 1];
    const to = n === 'text' ? 'text' : n === 'varchar' ? 'character varying' : null;
    return to && ['text', 'varchar'].includes(t.name) ? `${quote(String(e.TypeCast.arg.A_Const.sval.sval ?? ''))}::${to}` : null;
  }
  if (e.FuncCall) {
    const name = (e.FuncCall.funcname as N[]).map((x) => x.String.sval).pop();
    const args = (e.FuncCall.args ?? []) as N[];
    if (name === 'nextval' && args.length === 1 && args[0]!.A_Const?.sval) return `nextval(${quote(String(args[0]!.A_Const.sval.sval))}::regclass)`;
    if (!args.length && ['now', 'clock_timestamp', 'random', 'gen_random_uuid', 'statement_timestamp', 'transaction_timestamp'].includes(name)) return `${name}()`;
    return null;
  }
  if (e.SQLValueFunction?.op === 'SVFOP_CURRENT_TIMESTAMP' && t.name === 'timestamptz') return 'CURRENT_TIMESTAMP';
  return null;
}

function columnRow(schema: string, rel: string, c: Column): Value[] {
  const facts = typeFacts(c.type);
  const row: Value[] = ['postgres', schema, rel, c.name, c.attnum, null, c.notNull ? 'NO' : 'YES', dataType(c.type), ...facts,
    c.type.name, c.identity ? 'YES' : 'NO', c.identity === 'a' ? 'ALWAYS' : c.identity === 'd' ? 'BY DEFAULT' : null, c.generated ? 'ALWAYS' : 'NEVER', null];
  if (c.defaultExpr && !c.identity) {
    const text = defaultText(c.defaultExpr as N, c.type);
    if (text === null && !(c.defaultExpr as N).A_Const?.isnull) refuse(row, DEFAULT_COL, 'information_schema.columns.column_default of this DEFAULT expression');
    else row[DEFAULT_COL] = text;
  }
  if (c.generated) refuse(row, GENEXPR_COL, 'information_schema.columns.generation_expression');
  return row;
}

export function informationSchemaColumns(eng: Engine): SystemRelation {
  const rows: Value[][] = [];
  for (const { table: t, name } of visibleClassRows(eng)) {
    if (t.temp && t.temp.session !== eng.catalog.current) continue; // NOT pg_is_other_temp_schema
    const schema = t.temp?.schema ?? t.nsp?.name ?? 'public';
    for (const c of t.columns) if (!c.dropped) rows.push(columnRow(schema, name, c));
  }
  for (const v of visibleViewsAndSequences(eng).views) {
    if (v.temp && v.temp.session !== eng.catalog.current) continue;
    // a temporary view is in its session's pg_temp_N: named as that session's temporary tables' schema
    const schema = v.temp ? [...eng.catalog.tables.values()].find((t) => t.temp?.nsp === v.temp!.nsp)?.temp?.schema : 'public';
    v.columns.forEach((c, i) => {
      const row = columnRow(schema ?? '', v.name, { name: c.name, type: c.type, notNull: false, defaultExpr: null, attnum: i + 1 });
      if (schema === undefined) refuse(row, 1, 'information_schema.columns.table_schema of a temporary view');
      rows.push(row);
    });
  }
  return {
    columns: COLUMNS.map(([name, type]) => ({ name, type })),
    rows, starRefused: `SELECT * FROM information_schema.columns (Heapscope models ${NAMES.join(', ')}: name them)`,
  };
}

/**
 * information_schema.tables: a row per table (BASE TABLE, or LOCAL TEMPORARY in this session's pg_temp_N; another
 * session's temporary tables are left out) and per view (VIEW), with is_insertable_into (a view: automatically
 * updatable with a column of its table); commit_action is NULL (PostgreSQL 15 does not fill it in).
 */
export function informationSchemaTables(eng: Engine): SystemRelation {
  const cat = eng.catalog;
  const rows: Value[][] = [];
  const row = (schema: string, name: string, type: string, insertable: boolean | null, commit: string | null): Value[] => {
    const r: Value[] = ['postgres', schema, name, type, null, null, null, null, null, insertable === null ? null : insertable ? 'YES' : 'NO', 'NO', commit];
    if (insertable === null) refuse(r, 9, 'information_schema.tables.is_insertable_into of a view with a function in its select list');
    return r;
  };
  for (const { table: t, name } of visibleClassRows(eng)) {
    if (t.temp && t.temp.session !== cat.current) continue;
    rows.push(row(t.temp?.schema ?? t.nsp?.name ?? 'public', name, t.temp ? 'LOCAL TEMPORARY' : 'BASE TABLE', true, null));
  }
  for (const v of visibleViewsAndSequences(eng).views) {
    if (v.temp && v.temp.session !== cat.current) continue;
    const schema = v.temp ? [...cat.tables.values()].find((t) => t.temp?.nsp === v.temp!.nsp)?.temp?.schema : 'public';
    const r = row(schema ?? '', v.name, 'VIEW', viewInsertable(cat, v), null);
    if (schema === undefined) refuse(r, 1, 'information_schema.tables.table_schema of a temporary view');
    rows.push(r);
  }
  const names = ['table_catalog', 'table_schema', 'table_name', 'table_type', 'self_referencing_column_name', 'reference_generation',
    'user_defined_type_catalog', 'user_defined_type_schema', 'user_defined_type_name', 'is_insertable_into', 'is_typed', 'commit_action'];
  return {
    columns: names.map((name, i) => ({ name, type: i < 3 || (i >= 6 && i <= 8) || i === 4 ? T.name : T.text })),
    rows, starRefused: '',
  };
}

/** information_schema.<name> as FROM reads it: columns and tables, or 0A000 naming what is modelled. */
export function informationSchemaRelation(eng: Engine, name: string): SystemRelation {
  if (name === 'columns') return informationSchemaColumns(eng);
  if (name === 'tables') return informationSchemaTables(eng);
  throw notSupported(`information_schema.${name} (Heapscope has information_schema.columns and tables; pg_class, pg_attribute, pg_constraint, pg_tables, pg_indexes)`);
}
