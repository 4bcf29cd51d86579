/**
 * Function calls and aggregates (PostgreSQL's parser/parse_func.c and parse_agg.c, with the transition
 * functions nodeAgg runs): a call is resolved in the function catalog (sql/funcs/registry.ts) by name and
 * argument types; count / sum / avg / min / max become aggregate references filled in by executor/nodeAgg.ts,
 * each with a transition state (newAggState): sum and avg of integers exact past 2^53, avg of integers numeric;
 * string_agg & co. in aggtrans.ts, array_agg here, json_agg / jsonb_agg / json[b]_object_agg in jsonagg.ts.
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { Numeric } from './numeric.js';
import { type SqlType, type TypeName, type Value, PgArray, T, arrayOf, isArray, isIntegral, isStringLike, checkIntRange, toNumeric, typeDisplayName, groupKey } from './types.js';
import { pg15HasFunction, PG15_AGGREGATES, PG15_FUNCTION_SIGNATURES, PG15_TYPES } from '../catalog/pg15names.js';
import { extensionOfFunction } from '../catalog/extfuncs.js';
import { EXTRA_AGGS, extraAggState, type ExtraAggKind } from './aggtrans.js';
import { resolveFunction, buildCall, hasFunction, isVariadicBuiltin, noSuchFunction, canCoerceImplicitly } from './funcs/registry.js';
import { adtAggState } from './adtops.js';
import { JSON_AGGS, jsonAggShape, jsonAggState, type JsonAggKind } from './jsonagg.js';
import { castTo } from './coerce.js';
import { ORDERED_SET_AGGS, orderedSetSignature, orderedSetState, isHypotheticalSet, hypotheticalRefused, type OrderedSetKind } from './orderedset.js';
import { callSignature, checkArgNames, PG15_NAMED_BUILTINS, BUILTIN_PARAMS } from './funcs/funcmatch.js';
import { compareValues } from './operators.js';
import type { Compiled, Scope, AggSpec } from './primnodes.js';
type N = Record<string, any>;
/** compileExpr, passed in (this module is below parse_expr's dispatcher: no import cycle) */
type Rec = (n: N, scope: Scope) => Compiled;

const AGGS = new Set(['count', 'sum', 'avg', 'min', 'max', ...EXTRA_AGGS, ...JSON_AGGS]);

/** the leftmost location in a parse tree (exprLocation's simple form) */
const firstLoc = (n: N): number | undefined => {
  let best: number | undefined;
  const walk = (x: unknown) => {
    if (!x || typeof x !== 'object') return;
    for (const [k, v] of Object.entries(x)) {
      if (k === 'location' && typeof v === 'number' && v >= 0 && (best === undefined || v < best)) best = v; else walk(v);
    }
  };
  walk(n);
  return best;
};

let signatures: Map<string, { args: string[]; min: number; variadic: string }[]> | null = null;
const POLYMORPHIC = new Set(['any', 'anyelement', 'anynonarray', 'anycompatible', 'anycompatiblenonarray']);
/** Does one of PostgreSQL 15's overloads of this function take these arguments (pg_proc as recorded in pg15names.ts:
 * each argument of its type, implicitly castable to it, an untyped literal, or a polymorphic "any" parameter)? */
export function pg15SignatureFits(name: string, types: SqlType[]): boolean {
  if (!signatures) {
    signatures = new Map();
    for (const sig of PG15_FUNCTION_SIGNATURES) {
      const [fname, args, min, variadic] = sig.split('|') as [string, string, string, string];
      const list = signatures.get(fname) ?? [];
      list.push({ args: args ? args.split(',') : [], min: Number(min), variadic });
      signatures.set(fname, list);
    }
  }
  const fits = (t: SqlType, cand: string) => t.name === 'unknown' || t.name === cand || POLYMORPHIC.has(cand)
    || canCoerceImplicitly(t, cand as TypeName) || (cand === 'name' && isStringLike(t));
  return (signatures.get(name) ?? []).some((sg) => {
    if (sg.variadic) {
      const fixed = sg.args.slice(0, -1);
      return types.length >= Math.max(fixed.length, sg.min) && types.every((t, i) => fits(t, i < fixed.length ? fixed[i]! : sg.variadic));
    }
    return types.length >= sg.min && types.length <= sg.args.length && types.every((t, i) => fits(t, sg.args[i]!));
  });
}

export function compileFunc(n: N, scope: Scope, rec: Rec): Compiled {
  const names = (n.funcname as N[]).map((x) => x.String.sval as string);
  const name = names[names.length - 1]!.toLowerCase();
  const pos = posOf(n.location);
  // public.f and pg_temp.f name a user function (pg_temp's are found only so: never on the search path)
  if (names.length === 2 && (names[0] === 'public' || /^pg_temp(_\d+)?$/.test(names[0]!))) return compileQualifiedUserCall(n, names, scope, rec, pos);
  if (names.length > 1 && names[0] !== 'pg_catalog') throw notSupported(`function ${names.join('.')}`, pos);
  const args = (n.args ?? []) as N[];
  if (n.over) throw notSupported('window functions', pos);
  if (AGGS.has(name)) return compileAggregate(name as AggSpec['kind'], n, args, scope, rec, pos);
  if (ORDERED_SET_AGGS.has(name) && names.length === 1 && !scope.env.userFunction?.(name, [], pos)) {
    return compileOrderedSet(name as OrderedSetKind, n, args, scope, rec, pos);
  }
  if (n.agg_within_group && isHypotheticalSet(name)) throw hypotheticalRefused(name, pos);
  // an aggregate PostgreSQL has (percentile_cont, array_agg, corr, ...) and the simulator does not: refused before
  // its arguments are compiled as a plain call's (they would be ungrouped columns)
  if (PG15_AGGREGATES.has(name) && !(names.length === 1 && scope.env.userFunction?.(name, [], pos))) throw notSupported(`the aggregate function ${name}()`, pos);
  if (n.agg_within_group || n.agg_order || n.agg_filter || n.agg_distinct) {
    throw new PgError('42809', `${n.agg_within_group ? 'WITHIN GROUP' : n.agg_filter ? 'FILTER' : n.agg_distinct ? 'DISTINCT' : 'ORDER BY'} specified, but ${name} is not an aggregate function`, { position: pos });
  }
  if (n.agg_star) throw new PgError('42809', `${name}(*) specified, but ${name} is not an aggregate function`, { position: pos });
  let ca = args.map((a) => rec(a.NamedArgExpr ? a.NamedArgExpr.arg : a, scope));
  // named notation (name => value): checked here for any function (ParseFuncOrColumn), matched for user functions
  const argNames = args.map((a) => (a.NamedArgExpr ? a.NamedArgExpr.name as string : null));
  let named = argNames.some((x) => x !== null);
  if (named) checkArgNames(argNames, args.map((a) => posOf(a.NamedArgExpr ? a.NamedArgExpr.location : firstLoc(a))));
  if (named && names.length === 1 && BUILTIN_PARAMS[name] && !scope.env.userFunction?.(name, [], pos)) {
    // a built-in whose parameters are named (make_interval(days => 10)): back in positional order
    const positional = builtinPositional(BUILTIN_PARAMS[name]!, ca, argNames);
    let fits = !!positional;
    try { if (positional) resolveFunction(name, positional.map((a) => a.type), pos); } catch (e) { if (!(e instanceof PgError && e.sqlstate === '42883')) throw e; fits = false; }
    if (!fits) {
      throw new PgError('42883', `function ${callSignature(names.join('.'), ca.map((a) => a.type), argNames)} does not exist`, {
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.', ...(pos !== undefined ? { position: pos } : {}),
      });
    }
    ca = positional!; named = false;
  }
  if (name === 'generate_series') throw notSupported('generate_series outside FROM', pos);
  const variadic = !!n.func_variadic;
  if (!hasFunction(name) || named || variadic) {
    const uf = names.length === 1 ? scope.env.userFunction?.(name, ca, pos, named ? argNames : undefined, scope, variadic) : null;
    if (uf) return uf;
    if (named) {
      // the built-ins are modelled without parameter names; those PostgreSQL names (make_interval ...) are refused
      if (PG15_NAMED_BUILTINS.has(name) || name.startsWith('pg_')) throw notSupported(`named arguments of the function ${name}()`, pos);
      throw new PgError('42883', `function ${callSignature(names.join('.'), ca.map((a) => a.type), argNames)} does not exist`, {
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.', ...(pos !== undefined ? { position: pos } : {}),
      });
    }
    // VARIADIC array of a built-in: the array passed as its last argument (a variadic "any" one, concat or format,
    // would spread it: not modelled)
    if (variadic && hasFunction(name)) {
      if (isVariadicBuiltin(name)) throw notSupported(`VARIADIC in a call of the built-in function ${name}()`, pos);
      return buildCall(resolveFunction(name, ca.map((a) => a.type), pos, names.join('.'), scope.env), ca, { env: scope.env, pos, name }, (x, t) => castTo(x, t, false, pos));
    }
    if (pg15HasFunction(name, ca.length)) throw notSupported(`the function ${name}()`, pos);
    // func_get_detail: a one-argument call of a type's name with no such function is a cast (json('1'))
    if (ca.length === 1 && names.length === 1 && PG15_TYPES.has(name)) throw notSupported(`a cast written as a call of the type name ${name}()`, pos);
    const ext = extensionOfFunction(name);
    if (ext && scope.env.hasExtension?.(ext)) throw notSupported(`the function ${name}() of the extension ${ext}`, pos);
    throw noSuchFunction(names.join('.'), ca.map((a) => a.type), pos);
  }
  // errors name the function as written: the SQL-syntax forms (EXTRACT, POSITION, SUBSTRING ...) as pg_catalog.f
  let def;
  try { def = resolveFunction(name, ca.map((a) => a.type), pos, names.join('.'), scope.env); } catch (e) {
    // no overload here, but PostgreSQL 15 has one these arguments fit (to_timestamp(text, text), round(float8, int)):
    // a form the simulator does not model
    if (e instanceof PgError && e.sqlstate === '42883' && pg15SignatureFits(name, ca.map((a) => a.type))) {
      throw notSupported(`the function ${name}(${ca.map((a) => typeDisplayName(a.type)).join(', ')})`, pos);
    }
    throw e;
  }
  return buildCall(def, ca, { env: scope.env, pos, name }, (x, t) => castTo(x, t, false, pos));
}

/**
 * expand_function_arguments for a built-in: the arguments in parameter order, a parameter left out in the middle
 * given its default (0: make_interval's are all zero), trailing ones left to the shorter overloads; null when a
 * name is not a parameter, or a parameter without a default is missing (then: 42883, no function matches).
 */
function builtinPositional(p: { names: string[]; defaults: number }, ca: Compiled[], argNames: (string | null)[]): Compiled[] | null {
  const slots: (Compiled | undefined)[] = new Array(p.names.length).fill(undefined);
  for (let i = 0; i < ca.length; i++) {
    const k = argNames[i] === null ? i : p.names.indexOf(argNames[i]!);
    if (k < 0 || slots[k]) return null;
    slots[k] = ca[i];
  }
  let last = slots.length - 1;
  while (last >= 0 && !slots[last]) last--;
  const firstDefault = p.names.length - p.defaults;
  const out: Compiled[] = [];
  for (let k = 0; k <= last; k++) {
    if (slots[k]) { out.push(slots[k]!); continue; }
    if (k < firstDefault) return null;
    out.push({ fn: () => 0, type: T.int4, name: '?column?', strength: 0, isConst: true });
  }
  return last + 1 < firstDefault ? null : out;
}

/**
 * schema.f(args) for the schemas user functions live in (public, the session's pg_temp): the user functions of that
 * schema only (FuncnameGetCandidates with an explicit namespace), 42883 naming the call as written when none fits.
 */
function compileQualifiedUserCall(n: N, names: string[], scope: Scope, rec: Rec, pos: number | undefined): Compiled {
  const name = names[1]!;
  if (n.over) throw notSupported('window functions', pos);
  if (n.agg_within_group || n.agg_order || n.agg_filter || n.agg_distinct || n.agg_star) throw notSupported(`aggregate syntax in a call of ${names.join('.')}()`, pos);
  const args = (n.args ?? []) as N[];
  const ca = args.map((a) => rec(a.NamedArgExpr ? a.NamedArgExpr.arg : a, scope));
  const argNames = args.map((a) => (a.NamedArgExpr ? a.NamedArgExpr.name as string : null));
  const named = argNames.some((x) => x !== null);
  if (named) checkArgNames(argNames, args.map((a) => posOf(a.NamedArgExpr ? a.NamedArgExpr.location : firstLoc(a))));
  const uf = scope.env.userFunction?.(name, ca, pos, named ? argNames : undefined, scope, !!n.func_variadic, names[0]);
  if (uf) return uf;
  throw new PgError('42883', `function ${callSignature(names.join('.'), ca.map((a) => a.type), argNames)} does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.', ...(pos !== undefined ? { position: pos } : {}),
  });
}

function compileAggregate(kind: AggSpec['kind'], n: N, args: N[], scope: Scope, rec: Rec, pos?: number): Compiled {
  if (!scope.aggs) throw new PgError('42803', 'aggregate functions are not allowed in WHERE', pos !== undefined ? { position: pos } : {});
  if (scope.inAgg) throw new PgError('42803', 'aggregate function calls cannot be nested', pos !== undefined ? { position: pos } : {});
  if (n.agg_within_group) throw new PgError('42809', `${kind} is not an ordered-set aggregate, so it cannot have WITHIN GROUP`, { position: pos });
  // a window aggregate over groups (sum(sum(v)) OVER ()): its arguments are grouped expressions, not rows' values
  const inner: Scope = scope.windowOver ?? { ...scope, inAgg: true };
  let arg: Compiled | null = null, extra: Compiled | null = null;
  const nargs = kind === 'string_agg' ? 2 : JSON_AGGS.has(kind) ? jsonAggShape(kind as JsonAggKind).nargs : 1;
  if (!n.agg_star) {
    if (args.length !== nargs) {
      const ca = args.map((a) => rec(a, inner));
      throw noSuchFunction(kind, ca.map((a) => a.type), pos);
    }
    arg = rec(args[0]!, inner);
    if (nargs === 2) extra = rec(args[1]!, inner);
  } else if (kind !== 'count') {
    throw new PgError('42809', `${kind}(*) specified, but ${kind} is not an aggregate function`, pos !== undefined ? { position: pos } : {});
  }
  const filter = n.agg_filter ? rec(n.agg_filter, inner) : null;
  if (filter && filter.type.name !== 'bool' && filter.type.name !== 'unknown') {
    throw new PgError('42804', `argument of FILTER must be type boolean, not type ${typeDisplayName(filter.type)}`, { position: pos });
  }
  const order = ((n.agg_order ?? []) as N[]).map((sb) => {
    const s = sb.SortBy;
    if (s.useOp) throw notSupported('ORDER BY ... USING inside an aggregate', pos);
    const desc = s.sortby_dir === 'SORTBY_DESC';
    const key = rec(s.node, inner);
    return { key: key.type.name === 'unknown' ? castTo(key, T.text, false, pos) : key, desc, nullsFirst: s.sortby_nulls === 'SORTBY_NULLS_FIRST' || (desc && s.sortby_nulls !== 'SORTBY_NULLS_LAST') };
  });
  if (order.length && n.agg_distinct) {
    // transformAggregateCall: with DISTINCT the sort keys must be arguments (the rows are sorted, then deduplicated)
    const key = (x: N) => JSON.stringify(x, (k, v) => (k === 'location' ? undefined : v));
    const argKeys = args.map(key);
    for (const sb of n.agg_order as N[]) {
      if (!argKeys.includes(key(sb.SortBy.node))) {
        throw new PgError('42P10', 'in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list', { position: posOf(firstLoc(sb.SortBy.node)) });
      }
    }
  }
  let type: SqlType;
  const at = arg?.type ?? T.int8;
  const noFn = () => noSuchFunction(kind, [at, ...(extra ? [extra.type] : [])], pos);
  switch (kind) {
    case 'string_agg': {
      // bytea_string_agg_transfn: string_agg(bytea, bytea), an untyped delimiter beside a bytea value is one
      if (at.name === 'bytea' && (extra!.type.name === 'bytea' || extra!.type.name === 'unknown')) {
        extra = castTo(extra!, T.bytea, false, pos);
        type = T.bytea;
        break;
      }
      const textish = (t: SqlType) => t.name === 'unknown' || t.name === 'text' || t.name === 'varchar' || t.name === 'bpchar';
      if (!textish(at) || !textish(extra!.type)) throw noFn();
      arg = castTo(arg!, T.text, false, pos); extra = castTo(extra!, T.text, false, pos);
      type = T.text;
      break;
    }
    case 'bit_and': case 'bit_or': case 'bit_xor':
      // over smallint, integer, bigint (the input's type) or bit (bit varying by its implicit cast)
      if (isIntegral(at)) type = { name: at.name, typmod: -1 };
      else if (at.name === 'bit' || at.name === 'varbit') { type = { name: 'bit', typmod: -1 }; arg = castTo(arg!, type, false, pos); } else throw noFn();
      break;
    case 'bool_and': case 'bool_or': case 'every':
      if (at.name !== 'bool' && at.name !== 'unknown') throw noFn();
      arg = castTo(arg!, T.bool, false, pos);
      type = T.bool;
      break;
    case 'stddev': case 'stddev_samp': case 'stddev_pop': case 'variance': case 'var_samp': case 'var_pop':
      if (isIntegral(at) || at.name === 'numeric') type = T.numeric;
      else if (at.name === 'float8' || at.name === 'float4' || at.name === 'unknown') {
        type = T.float8;
        arg = castTo(arg!, T.float8, false, pos);
      } else throw noFn();
      break;
    case 'array_agg':
      // array_agg(anynonarray) → its array type; array_agg(anyarray) → the same type, one dimension more
      if (at.name === 'unknown') arg = castTo(arg!, T.text, false, pos);
      type = isArray(at) ? at : arrayOf(at.name === 'unknown' ? T.text : at);
      break;
    case 'json_agg': case 'jsonb_agg': case 'json_object_agg': case 'jsonb_object_agg':
      // their arguments are "any" (anyelement): an untyped literal is text
      if (at.name === 'unknown') arg = castTo(arg!, T.text, false, pos);
      if (extra && extra.type.name === 'unknown') extra = castTo(extra, T.text, false, pos);
      type = jsonAggShape(kind).type;
      break;
    case 'count': type = T.int8; break;
    case 'sum':
      // a time has no sum / avg of its own: it casts to interval implicitly (sum(interval), avg(interval))
      if (at.name === 'time') { arg = castTo(arg!, T.interval, false, pos); type = T.interval; break; }
      if (at.name === 'int2' || at.name === 'int4') type = T.int8;
      else if (at.name === 'int8' || at.name === 'numeric') type = T.numeric;
      else if (at.name === 'float8' || at.name === 'float4' || at.name === 'interval') type = at;
      else throw new PgError('42883', `function sum(${typeDisplayName(at)}) does not exist`, { position: pos, hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
      break;
    case 'avg':
      if (at.name === 'time') { arg = castTo(arg!, T.interval, false, pos); type = T.interval; break; }
      if (isIntegral(at) || at.name === 'numeric') type = T.numeric;
      else if (at.name === 'float8' || at.name === 'float4') type = T.float8;
      else if (at.name === 'interval') type = T.interval;
      else throw new PgError('42883', `function avg(${typeDisplayName(at)}) does not exist`, { position: pos, hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
      break;
    default:
      // min / max: no record (nor bit string, nor bytea) ordering aggregate in PostgreSQL 15
      if (at.name === 'record' || at.name === 'bit' || at.name === 'varbit' || at.name === 'bytea') throw noFn();
      type = at.name === 'unknown' ? T.text : at;
  }
  const slot = scope.aggs.length;
  scope.aggs.push({ kind, arg, star: !!n.agg_star, distinct: !!n.agg_distinct, type, extra, filter, ...(order.length ? { order } : {}) });
  return { fn: (r) => r.aggs![slot]!, type, name: kind, strength: 2 };
}

/**
 * percentile_cont / percentile_disc / mode ... WITHIN GROUP (ORDER BY key) (sql/orderedset.ts): without WITHIN GROUP
 * there is no such function (42883); the direct arguments must be grouped expressions (they are checked in the
 * grouped scope, 42803 otherwise) and are read per row.
 */
function compileOrderedSet(kind: OrderedSetKind, n: N, args: N[], scope: Scope, rec: Rec, pos?: number): Compiled {
  if (!scope.aggs) throw new PgError('42803', 'aggregate functions are not allowed in WHERE', pos !== undefined ? { position: pos } : {});
  if (scope.inAgg) throw new PgError('42803', 'aggregate function calls cannot be nested', pos !== undefined ? { position: pos } : {});
  const inner: Scope = scope.windowOver ?? { ...scope, inAgg: true };
  if (!n.agg_within_group) throw noSuchFunction(kind, args.map((a) => rec(a, inner).type), pos);
  const direct = args.map((a) => rec(a, inner));
  const sortBy = (n.agg_order ?? []) as N[];
  const keys = sortBy.map((sb) => rec(sb.SortBy.node, inner));
  if (keys.length !== 1) throw noSuchFunction(kind, [...direct.map((d) => d.type), ...keys.map((k) => k.type)], pos);
  const sig = orderedSetSignature(kind, direct, keys[0]!, pos);
  // direct arguments are evaluated per group: an ungrouped column in them is 42803, as in the select list
  const scratch: Scope = { ...scope, aggs: [] };
  for (const a of args) rec(a, scratch);
  const s = sortBy[0]!.SortBy;
  if (s.useOp) throw notSupported('ORDER BY ... USING inside WITHIN GROUP', pos);
  const desc = s.sortby_dir === 'SORTBY_DESC';
  const order = [{ key: sig.key, desc, nullsFirst: s.sortby_nulls === 'SORTBY_NULLS_FIRST' || (desc && s.sortby_nulls !== 'SORTBY_NULLS_LAST') }];
  const filter = n.agg_filter ? rec(n.agg_filter, inner) : null;
  if (filter && filter.type.name !== 'bool' && filter.type.name !== 'unknown') {
    throw new PgError('42804', `argument of FILTER must be type boolean, not type ${typeDisplayName(filter.type)}`, { position: pos });
  }
  const slot = scope.aggs.length;
  scope.aggs.push({ kind, arg: sig.key, star: false, distinct: false, type: sig.type, extra: sig.fraction, filter, order });
  return { fn: (r) => r.aggs![slot]!, type: sig.type, name: kind, strength: 2 };
}

/** Aggregate state machines (numeric.c int4_sum / int8_avg_accum / ...). */
export function newAggState(spec: AggSpec): { add(v: Value, extra?: Value): void; result(): Value } {
  const seen = spec.distinct ? new Set<string>() : null;
  const dedup = (v: Value) => {
    if (!seen) return false;
    const k = groupKey(v)!;
    if (seen.has(k)) return true;
    seen.add(k);
    return false;
  };
  if (spec.kind === 'array_agg') return arrayAggState(spec, dedup);
  if (ORDERED_SET_AGGS.has(spec.kind)) return orderedSetState(spec, spec.extra?.isConst ? { value: spec.extra.fn(null as never) } : null);
  if (JSON_AGGS.has(spec.kind)) return jsonAggState(spec, dedup, (a, b) => (a === null ? (b === null ? 0 : 1) : b === null ? -1 : compareValues(a, b)));
  if (EXTRA_AGGS.has(spec.kind)) return extraAggState(spec.kind as ExtraAggKind, spec.type.name === 'float8', dedup);
  switch (spec.kind) {
    case 'count': {
      let c = 0;
      return { add: (v) => { if (spec.star || (v !== null && !dedup(v))) c++; }, result: () => c };
    }
    case 'sum': case 'avg': {
      const adt = adtAggState(spec.kind, spec.arg?.type ?? T.int8, dedup);
      if (adt) return adt;
      // int4_sum / int8_avg_accum: a number while the running sum stays a safe integer, exact Numeric after that
      let intSum = 0, big: Numeric | null = null, count = 0;
      return {
        add: (v) => {
          if (v === null || dedup(v)) return;
          count++;
          if (typeof v === 'number' && big === null) {
            const next = intSum + v;
            if (Number.isSafeInteger(next)) { intSum = next; return; }
            big = Numeric.fromInt(intSum);
            intSum = 0;
          }
          big = (big ?? Numeric.fromInt(intSum)).add(toNumeric(v as number | bigint | Numeric));
          intSum = 0;
        },
        result: () => {
          if (count === 0) return null;
          const total = big ? big.add(Numeric.fromInt(intSum)) : null;
          if (spec.kind === 'sum') {
            if (spec.type.name === 'int8') return total ? checkIntRange(total.unscaled, T.int8) : intSum;
            return total ?? Numeric.fromInt(intSum);
          }
          return (total ?? Numeric.fromInt(intSum)).div(Numeric.fromInt(count));
        },
      };
    }
    case 'min': case 'max': {
      let best: Value = null;
      const sign = spec.kind === 'max' ? 1 : -1;
      return { add: (v) => { if (v !== null && (best === null || compareValues(v, best) * sign > 0)) best = v; }, result: () => best };
    }
    default: throw notSupported(`the aggregate function ${spec.kind}()`);
  }
}

/**
 * array_agg (array_userfuncs.c array_agg_transfn / array_agg_array_transfn): every input, NULLs too, in input
 * order (with DISTINCT: sorted, as the sort that deduplicates leaves them); no input rows is NULL. Arrays as
 * input make one more dimension: they must all have the same dimensions (2202E).
 */
function arrayAggState(spec: AggSpec, dedup: (v: Value) => boolean): { add(v: Value): void; result(): Value } {
  const vals: Value[] = [];
  let any = false;
  return {
    add: (v) => { any = true; if (v !== null && dedup(v)) return; if (v === null && spec.distinct && vals.includes(null)) return; vals.push(v); },
    result: () => {
      if (!any) return null;
      if (spec.distinct && !spec.order) vals.sort((a, b) => (a === null ? (b === null ? 0 : 1) : b === null ? -1 : compareValues(a, b)));
      if (!isArray(spec.type) || !isArray(spec.arg!.type)) return new PgArray(vals as Exclude<Value, PgArray>[]);
      const arrs = vals as (PgArray | null)[];
      if (arrs.some((a) => a === null)) throw new PgError('22004', 'cannot accumulate null arrays');
      const first = arrs[0]!;
      if (first.ndim === 0) throw new PgError('2202E', 'cannot accumulate empty arrays');
      for (const a of arrs) if (a!.ndim !== first.ndim || a!.dims.some((d, i) => d !== first.dims[i] || a!.lbs[i] !== first.lbs[i])) throw new PgError('2202E', 'cannot accumulate arrays of different dimensionality');
      return new PgArray(arrs.flatMap((a) => a!.items), [arrs.length, ...first.dims], [1, ...first.lbs]);
    },
  };
}
