/**
 * Matching a call's arguments to a user function's parameters: positional, named (`a => 1`, the older `a := 1`)
 * and mixed notation, and parameter defaults.
 *
 * A call lists its positional arguments first; each named one must name a parameter that no positional argument
 * already filled; every parameter left over must have a default (defaults are the trailing parameters, which
 * CREATE FUNCTION enforces). The result is the argument numbers: for each call argument in call order the
 * parameter it fills — with the defaulted parameters appended, as MatchNamedCall builds them — so the types that
 * overload resolution compares are the parameters' types in the call's order. A function whose parameters have no
 * names cannot be called with named arguments. Overloads that the same call fits equally well (f(int) and
 * f(int, int DEFAULT 0) called as f(1)) are ambiguous: 42725.
 *
 * Mirrors: src/backend/catalog/namespace.c (FuncnameGetCandidates, MatchNamedCall), parser/parse_func.c
 * (ParseFuncOrColumn's checks of the argument names, funcname_signature_string).
 * A VARIADIC function (its last parameter VARIADIC xs elem[]) called without VARIADIC, positionally, with at least
 * as many arguments as it has parameters, is matched in its expanded form: the trailing arguments each of the
 * element type, collected into the array (FuncnameGetCandidates' expand_variadic); with fewer it is an ordinary
 * function whose defaults fill the rest; a named call of it matches only with VARIADIC. VARIADIC in the call passes
 * the last argument as the array itself: every function is then matched unexpanded (a non-variadic one too).
 * Simplifications: a call names a parameter by its exact (case-folded) name; no VARIADIC "any".
 */
import { PgError } from '../../errors.js';
import type { PgFunction } from '../../catalog/catalog.js';
import { type SqlType, typeDisplayName } from '../types.js';

/**
 * ParseFuncOrColumn's checks (42601), made for any function before it is looked up: a positional argument after
 * a named one, a name used twice. names[i] is the i-th argument's name (null: positional); locs their positions.
 */
export function checkArgNames(names: (string | null)[], locs: (number | undefined)[]): void {
  const seen: string[] = [];
  names.forEach((n, i) => {
    const at = locs[i] !== undefined ? { position: locs[i] } : {};
    if (n === null) {
      if (seen.length) throw new PgError('42601', 'positional argument cannot follow named argument', at);
      return;
    }
    if (seen.includes(n)) throw new PgError('42601', `argument name "${n}" used more than once`, at);
    seen.push(n);
  });
}

/** pronargdefaults: how many trailing parameters have a default */
export const nargDefaults = (f: PgFunction): number => f.args.filter((a) => a.def !== undefined).length;

/**
 * MatchNamedCall (and the positional form with defaults): the argument numbers, one per parameter — first the
 * call's arguments in call order, then the defaulted parameters not given — or null when the call does not fit.
 */
export function matchCall(f: PgFunction, names: (string | null)[]): number[] | null {
  const nargs = names.length;
  const pronargs = f.args.length;
  if (nargs > pronargs) return null;
  const firstDefault = pronargs - nargDefaults(f);
  const given = new Array<boolean>(pronargs).fill(false);
  const out: number[] = [];
  const numpos = names.filter((n) => n === null).length;
  for (let i = 0; i < numpos; i++) { out.push(i); given[i] = true; }
  for (const n of names.slice(numpos)) {
    const p = f.args.findIndex((a) => a.name !== null && a.name === n);
    if (p < 0 || given[p]) return null;
    given[p] = true;
    out.push(p);
  }
  for (let i = 0; i < pronargs; i++) {
    if (given[i]) continue;
    if (i < firstDefault) return null;
    out.push(i);
  }
  return out;
}

/**
 * How a call fits a VARIADIC function: 'expanded' (the trailing arguments fill the array), 'plain' (matched as any
 * function: the call said VARIADIC, or gave fewer arguments), or null when it cannot (a named call without VARIADIC).
 */
export function variadicForm(f: PgFunction, names: (string | null)[], variadicCall: boolean): 'expanded' | 'plain' | null {
  if (!f.variadic || variadicCall) return 'plain';
  if (names.some((n) => n !== null)) return null;
  return names.length >= f.args.length ? 'expanded' : 'plain';
}

/** The parameter types a call's arguments are matched against, in call order (an expanded VARIADIC repeats its element type). */
export function expandedParamTypes(f: PgFunction, nargs: number): (SqlType | 'any')[] {
  const last = f.args[f.args.length - 1]!.type as SqlType;
  return Array.from({ length: nargs }, (_, i) => (i < f.args.length - 1 ? f.args[i]!.type : last.elem!));
}

/** funcname_signature_string: f(integer, b => text) as errors spell a call */
export function callSignature(name: string, types: SqlType[], names: (string | null)[]): string {
  return `${name}(${types.map((t, i) => (names[i] ? `${names[i]} => ` : '') + typeDisplayName(t)).join(', ')})`;
}

/**
 * The pg_catalog functions (besides pg_*) whose parameters PostgreSQL 15 names (proargnames, input parameters
 * only), read from a real cluster's pg_proc. The simulator's built-ins carry no names: a named call of one of
 * these (or of a pg_* function) is refused 0A000; of any other built-in it is 42883, as PostgreSQL answers it.
 */
export const PG15_NAMED_BUILTINS: ReadonlySet<string> = new Set(('cursor_to_xml cursor_to_xmlschema database_to_xml database_to_xml_and_xmlschema '
  + 'database_to_xmlschema json_array_element json_array_element_text json_extract_path json_extract_path_text json_object_field '
  + 'json_object_field_text json_populate_record json_populate_recordset jsonb_array_element jsonb_array_element_text jsonb_delete '
  + 'jsonb_extract_path jsonb_extract_path_text jsonb_insert jsonb_object_field jsonb_object_field_text jsonb_path_exists '
  + 'jsonb_path_exists_tz jsonb_path_match jsonb_path_match_tz jsonb_path_query jsonb_path_query_array jsonb_path_query_array_tz '
  + 'jsonb_path_query_first jsonb_path_query_first_tz jsonb_path_query_tz jsonb_set jsonb_set_lax make_date make_interval make_time '
  + 'make_timestamp make_timestamptz parse_ident query_to_xml query_to_xml_and_xmlschema query_to_xmlschema schema_to_xml '
  + 'schema_to_xml_and_xmlschema schema_to_xmlschema table_to_xml table_to_xml_and_xmlschema table_to_xmlschema').split(' '));

/**
 * The parameter names of the built-ins a call may name its arguments for (proargnames), and how many trailing ones
 * have defaults: a named call is put back in positional order (the defaults filled in) before it is resolved.
 */
export const BUILTIN_PARAMS: Record<string, { names: string[]; defaults: number }> = {
  make_interval: { names: ['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs'], defaults: 7 },
  make_date: { names: ['year', 'month', 'day'], defaults: 0 },
  make_time: { names: ['hour', 'min', 'sec'], defaults: 0 },
  make_timestamp: { names: ['year', 'month', 'mday', 'hour', 'min', 'sec'], defaults: 0 },
  make_timestamptz: { names: ['year', 'month', 'mday', 'hour', 'min', 'sec', 'timezone'], defaults: 1 },
};
