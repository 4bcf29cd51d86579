/**
 * npm run record:pg-names: read the names of PostgreSQL 15's built-in functions, settings and types from a real
 * server (a throwaway cluster) into src/engine/catalog/pg15names.ts. The engine uses them to tell "PostgreSQL has
 * this, the simulator does not" (0A000, naming it) from "no such thing" (42883 / 42704), as PostgreSQL would say.
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { Template, Cluster } from './lib/pgcluster.js';

const template = new Template();
const cluster = new Cluster(template);
try {
  await cluster.start();
  const c = new pg.Client(cluster.connection);
  await c.connect();
  const col = async (sql: string) => (await c.query(sql)).rows.map((r) => String(Object.values(r)[0])).sort();
  // each function with the argument counts its overloads accept: "name:min-max" ranges, "n+" for VARIADIC
  const fx = await c.query("SELECT proname, min(pronargs - pronargdefaults - CASE WHEN provariadic <> 0 THEN 1 ELSE 0 END) AS lo, max(CASE WHEN provariadic <> 0 THEN 999 ELSE pronargs END) AS hi, string_agg(DISTINCT CASE WHEN provariadic <> 0 THEN 'v' ELSE (pronargs - pronargdefaults)::text || '-' || pronargs::text END, ',') AS ar FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace GROUP BY proname ORDER BY proname");
  const functions = fx.rows.map((r) => `${r.proname}:${r.ar}`);
  const settings = await col('SELECT name FROM pg_settings');
  const types = await col("SELECT typname FROM pg_type WHERE typnamespace = 'pg_catalog'::regnamespace AND typname !~ '^_'");
  const version = (await c.query('SHOW server_version')).rows[0].server_version;
  const versionString = (await c.query('SELECT version() AS v')).rows[0].v as string;
  // the system catalogs' rows of pg_tables and pg_indexes (a fresh database: pg_catalog and information_schema)
  const sysTables = (await c.query("SELECT schemaname, tablename, tablespace, hasindexes, hasrules, hastriggers, rowsecurity FROM pg_tables WHERE schemaname <> 'public' ORDER BY schemaname, tablename")).rows
    .map((r) => [r.schemaname, r.tablename, r.tablespace, r.hasindexes, r.hasrules, r.hastriggers, r.rowsecurity]);
  const sysIndexes = (await c.query("SELECT schemaname, tablename, indexname, tablespace, indexdef FROM pg_indexes WHERE schemaname <> 'public' ORDER BY schemaname, tablename, indexname")).rows
    .map((r) => [r.schemaname, r.tablename, r.indexname, r.tablespace, r.indexdef]);
  // every function's signature: name|argument type names|how many are required|VARIADIC element type (or empty)
  const signatures = await col("SELECT p.proname || '|' || array_to_string(array(SELECT t.typname FROM unnest(p.proargtypes) WITH ORDINALITY u(oid, n) JOIN pg_type t ON t.oid = u.oid ORDER BY n), ',') || '|' || (p.pronargs - p.pronargdefaults) || '|' || coalesce((SELECT typname FROM pg_type WHERE oid = p.provariadic), '') FROM pg_proc p WHERE pronamespace = 'pg_catalog'::regnamespace AND p.prokind <> 'a' AND NOT EXISTS (SELECT FROM unnest(p.proargtypes) u(oid) WHERE u.oid IN ('internal'::regtype, 'cstring'::regtype)) AND p.prorettype NOT IN ('internal'::regtype, 'trigger'::regtype, 'event_trigger'::regtype, 'language_handler'::regtype, 'fdw_handler'::regtype, 'index_am_handler'::regtype, 'table_am_handler'::regtype, 'tsm_handler'::regtype)");
  const catalogRelations = await col("SELECT relname FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace");
  const aggregates = await col("SELECT DISTINCT proname FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace AND prokind = 'a'");
  // each operator as name:left:right with its operand types' names ("-" for a prefix operator's missing left)
  const operators = await col("SELECT DISTINCT oprname || ':' || coalesce(lt.typname, '-') || ':' || rt.typname FROM pg_operator o LEFT JOIN pg_type lt ON lt.oid = o.oprleft JOIN pg_type rt ON rt.oid = o.oprright WHERE o.oprnamespace = 'pg_catalog'::regnamespace");
  // every setting: its display value (what SHOW prints on the recording cluster), type, unit, range, values, context
  const st = await c.query('SELECT name, current_setting(name) AS shown, vartype, unit, min_val, max_val, enumvals, context, category, short_desc FROM pg_settings ORDER BY name');
  await c.end();
  const list = (xs: string[]) => JSON.stringify(xs.join(' '));
  writeFileSync('src/engine/catalog/pg15names.ts', `/**
 * Names of PostgreSQL ${version}'s built-in functions (pg_proc, schema pg_catalog), settings (pg_settings) and types
 * (pg_type), read from a real server by \`npm run record:pg-names\` — generated, do not edit. The engine refuses what
 * PostgreSQL has and it does not model with 0A000 naming it; a name not here does not exist in PostgreSQL either.
 */
const set = (s: string) => new Set(s.split(' '));
/** function name → the argument counts its overloads take: "lo-hi" ranges, "v" when one is VARIADIC (any count) */
export const PG15_FUNCTIONS: ReadonlyMap<string, string> = new Map(${list(functions)}.split(' ').map((f) => { const i = f.lastIndexOf(':'); return [f.slice(0, i), f.slice(i + 1)] as [string, string]; }));
/** Does PostgreSQL 15 have a function of this name taking this many arguments (ignoring their types)? */
export function pg15HasFunction(name: string, argc: number): boolean {
  const a = PG15_FUNCTIONS.get(name);
  if (a === undefined) return false;
  return a.split(',').some((r) => r === 'v' || (() => { const [lo, hi] = r.split('-').map(Number); return argc >= lo! && argc <= hi!; })());
}
export const PG15_SETTINGS: ReadonlySet<string> = set(${list(settings)});
/** each (non-aggregate) function's signature callable from SQL (no internal / cstring arguments, no handler results):
 * "name|argtype,argtype|required count|VARIADIC element type or empty" */
export const PG15_FUNCTION_SIGNATURES: readonly string[] = ${list(signatures)}.split(' ');
/** the relations of schema pg_catalog (system catalogs, their indexes, system views): pg_class there */
export const PG15_CATALOG_RELATIONS: ReadonlySet<string> = set(${list(catalogRelations)});
/** the aggregate functions (pg_proc.prokind 'a': ordinary, ordered-set and hypothetical-set aggregates) */
export const PG15_AGGREGATES: ReadonlySet<string> = set(${list(aggregates)});
/** the operators (pg_operator) as "name:left:right" by their operand types' names, "-" for a prefix operator's left */
export const PG15_OPERATORS: ReadonlySet<string> = set(${list(operators)});
/** pg_tables' rows for the system catalogs: schemaname, tablename, tablespace, hasindexes, hasrules, hastriggers, rowsecurity */
export const PG15_SYSTEM_TABLES: readonly (readonly [string, string, string | null, boolean, boolean, boolean, boolean])[] = ${JSON.stringify(sysTables)};
/** pg_indexes' rows for the system catalogs' indexes: schemaname, tablename, indexname, tablespace, indexdef */
export const PG15_SYSTEM_INDEXES: readonly (readonly [string, string, string, string | null, string])[] = ${JSON.stringify(sysIndexes)};
/** version() on the recording server */
export const PG15_VERSION_STRING = ${JSON.stringify(versionString)};
export const PG15_TYPES: ReadonlySet<string> = set(${list(types)});
`);
  const esc = (x: unknown) => JSON.stringify(x ?? null);
  writeFileSync('src/engine/guc/pg15settings.ts', `/**
 * PostgreSQL ${version}'s settings as pg_settings lists them on the cluster the recordings come from (initdb defaults,
 * plus what scripts/lib/pgcluster.ts sets: autovacuum, fsync, max_connections, port...), read by
 * \`npm run record:pg-names\` — generated, do not edit. shown: current_setting(name); min/max in the unit's terms.
 */
export interface SettingDef { name: string; shown: string; vartype: 'bool' | 'integer' | 'real' | 'string' | 'enum'; unit: string | null; min: number | null; max: number | null; enumvals: string[] | null; context: string; category: string; desc: string }
export const PG15_SETTING_DEFS: readonly SettingDef[] = [
${st.rows.map((r) => `  { name: ${esc(r.name)}, shown: ${esc(r.shown)}, vartype: ${esc(r.vartype)}, unit: ${esc(r.unit)}, min: ${r.min_val === null ? 'null' : Number(r.min_val)}, max: ${r.max_val === null ? 'null' : Number(r.max_val)}, enumvals: ${esc(r.enumvals)}, context: ${esc(r.context)}, category: ${esc(r.category)}, desc: ${esc(r.short_desc)} },`).join('\n')}
];
`);
  console.log(`functions ${functions.length}, aggregates ${aggregates.length}, operators ${operators.length}, settings ${settings.length}, types ${types.length}`);
} finally {
  cluster.stopSync();
  template.remove();
}
