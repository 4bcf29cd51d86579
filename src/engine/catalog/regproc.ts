/**
 * regproc and regprocedure: a function named by its oid. 'f'::regproc finds the one function of that name on the
 * search path (42883 when there is none, 42725 when several share it), 'f(integer)'::regprocedure the one taking
 * exactly those argument types; a regproc prints as the function's name (qualified when that name alone would not
 * find it uniquely, as for overloads), a regprocedure as its signature, f(integer,text).
 *
 * Mirrors: src/backend/utils/adt/regproc.c (regprocin, regprocout, regprocedurein, format_procedure).
 * Simplifications: the user functions live in public (or the session's pg_temp_N: pg_temp.f); a built-in function (pg_catalog) is known by name only
 * (PostgreSQL 15's pg_proc names, catalog/pg15names.ts), not by oid, so naming one alone is refused with 0A000.
 */
import { regprocLookup, typeDisplayName, type SqlType } from '../sql/types.js';
import { PG15_FUNCTIONS } from './pg15names.js';
import type { Catalog, PgFunction } from './catalog.js';

const argText = (a: PgFunction['args'][number]) => (a.type === 'any' ? a.typeName : typeDisplayName(a.type));

/** Point regproc input/output at this catalog (the executor does so for each statement it runs). */
export function setRegprocLookup(cat: Catalog): void {
  // pg_temp.f: the session's temporary functions, which an unqualified name never finds
  const user = (schema: string | null, name: string) => (schema === 'pg_catalog' ? [] : cat.functionsNamed(name, schema === 'pg_temp' ? 'pg_temp' : undefined) ?? []);
  const builtin = (schema: string | null, name: string) => schema !== 'public' && schema !== 'pg_temp' && PG15_FUNCTIONS.has(name);
  regprocLookup.byName = (schema, name) => ({ oids: user(schema, name).map((f) => f.oid), builtin: builtin(schema, name) });
  regprocLookup.bySignature = (schema, name, args: SqlType[]) => {
    const f = user(schema, name).find((g) => g.args.length === args.length && g.args.every((a, i) => a.type !== 'any' && a.type.name === args[i]!.name));
    return f ? f.oid : null;
  };
  regprocLookup.byOid = (oid) => {
    for (const fs of cat.functions.values()) {
      const f = fs.find((g) => g.oid === oid);
      if (!f) continue;
      // regprocout: qualified unless regprocin would find this one function by its bare name
      // a temporary function is never visible (FunctionIsVisible): always named with its pg_temp_N
      if (f.temp) return { name: `${f.temp.schema}.${f.name}`, signature: `${f.temp.schema}.${f.name}(${f.args.map(argText).join(',')})` };
      const unique = fs.length === 1 && !PG15_FUNCTIONS.has(f.name);
      return { name: unique ? f.name : `public.${f.name}`, signature: `${f.name}(${f.args.map(argText).join(',')})` };
    }
    return null;
  };
}
