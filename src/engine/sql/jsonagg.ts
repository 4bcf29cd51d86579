/**
 * The json aggregates (PostgreSQL's utils/adt/json.c json_agg_transfn / json_object_agg_transfn and their final
 * functions, jsonb.c jsonb_agg_transfn / jsonb_object_agg_transfn): every input row, NULLs too, becomes an element
 * (datum_to_json / datum_to_jsonb: sql/jsonops.ts); no input rows is NULL.
 *
 * json's are text written as the rows arrive:
 *
 *     json_agg          "[" then ", " between elements, and "\n " before an element that is not the first when
 *                       the input type is an array or a row (a NULL element gets none), then "]"
 *                           json_agg(tags)  →  [["a"], null, \n ["x","y"]]
 *     json_object_agg   "{ ", "key : value" pairs separated by ", ", " }"; every pair kept, duplicates too
 *
 * jsonb's build a value printed as any jsonb: jsonb_agg an array, jsonb_object_agg an object with its keys sorted
 * and the last of equal keys kept (uniqueifyJsonbObject). A NULL key is 22023 "field name must not be null"; a
 * key of an array, row or json type 22023 "key value must be scalar, not array, composite, or json".
 *
 * With DISTINCT the rows reach the aggregate sorted and deduplicated (nodeAgg's sort of the inputs), so they come
 * out in that order. Simplifications: none known.
 */
import { PgError } from '../errors.js';
import { type SqlType, type Value, T, PgJson, PgJsonb, isArray } from './types.js';
import { escapeJson } from '../adt/jsonapi.js';
import { makeObject, JNULL, type JV } from '../adt/jsonb.js';
import { toJsonText, toJsonb, jsonKeyText } from './jsonops.js';
import type { AggSpec } from './primnodes.js';

export type JsonAggKind = 'json_agg' | 'jsonb_agg' | 'json_object_agg' | 'jsonb_object_agg';
export const JSON_AGGS: ReadonlySet<string> = new Set<JsonAggKind>(['json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg']);

/** the argument count and result type of a json aggregate */
export const jsonAggShape = (kind: JsonAggKind): { nargs: number; type: SqlType } => ({
  nargs: kind.endsWith('object_agg') ? 2 : 1, type: kind.startsWith('jsonb') ? T.jsonb : T.json,
});

type Cmp = (a: Value, b: Value) => number;

/** The transition state of a json aggregate; `cmp` orders the inputs of a DISTINCT call (NULLs last). */
export function jsonAggState(spec: AggSpec, dedup: (v: Value) => boolean, cmp: Cmp): { add(v: Value, extra?: Value): void; result(): Value } {
  const kind = spec.kind as JsonAggKind;
  const at = spec.arg?.type ?? T.text, vt = spec.extra?.type ?? T.text;
  const rows: [Value, Value][] = [];
  let sawNull = false;
  const add = (v: Value, extra?: Value) => {
    if (spec.distinct) {
      if (v === null) { if (sawNull) return; sawNull = true; } else if (dedup(v)) return;
    }
    if (kind === 'json_object_agg' || kind === 'jsonb_object_agg') {
      if (v === null) throw new PgError('22023', 'field name must not be null');
      jsonKeyText(v, at); // the key's category is checked as each pair arrives
    }
    rows.push([v, extra ?? null]);
  };
  const result = (): Value => {
    if (!rows.length) return null;
    if (spec.distinct && !spec.order) rows.sort((a, b) => cmp(a[0], b[0]));
    switch (kind) {
      case 'json_agg': {
        const structured = isArray(at) || at.name === 'record';
        return new PgJson('[' + rows.map(([v], i) => (i > 0 && structured && v !== null ? '\n ' : '') + toJsonText(v, at)).join(', ') + ']');
      }
      case 'jsonb_agg': return new PgJsonb(rows.map(([v]) => (v === null ? JNULL : toJsonb(v, at))));
      case 'json_object_agg':
        return new PgJson('{ ' + rows.map(([k, v]) => `${escapeJson(jsonKeyText(k!, at))} : ${toJsonText(v, vt)}`).join(', ') + ' }');
      case 'jsonb_object_agg':
        return new PgJsonb(makeObject(rows.map(([k]) => jsonKeyText(k!, at)), rows.map(([, v]): JV => (v === null ? JNULL : toJsonb(v, vt)))));
    }
  };
  return { add, result };
}
