/**
 * ORDER BY (PostgreSQL's executor/nodeSort.c over tuplesort.c, with parse_clause.c's findTargetlistEntrySQL92
 * for what a sort key means): the node reads all of its input, sorts it, and only then returns the first row.
 *
 * A key is an output column by position (`ORDER BY 2`) or by name (`ORDER BY total`, the SQL92 rule: an output
 * column's name wins over an input column's; two different output columns of that name are 42702), else an
 * expression over the input. Each key sorts ascending with NULLs last by default, DESC with NULLs first, unless
 * NULLS FIRST / LAST says otherwise.
 *
 * The sort is PostgreSQL's own quicksort (executor/qsort.ts), which is not stable: rows whose keys are all equal
 * come out in the order it leaves them — which is what DISTINCT ON's "first row of each group" shows. Deliberate
 * difference: under a LIMIT PostgreSQL may run a bounded top-N heapsort, whose ties may come out in another
 * order (give ORDER BY a unique last key when order matters). The simulator sorts in memory always (no
 * external merge); EXPLAIN ANALYZE prints tuplesort's memory figure (sortSpaceUsedKb) and method (a top-N heapsort
 * under a LIMIT keeping fewer than half the rows).
 */
import { PgError, posOf } from '../errors.js';
import { intConst } from '../sql/parser.js';
import { compileExpr, compareValues, type Compiled, type Scope, type Row } from '../sql/expr.js';
import type { SqlType, Value } from '../sql/types.js';
import { type N, firstLocation, expressionKey } from './util.js';
import { datumBytes } from '../heap/datum.js';
import { pgQsort } from './qsort.js';

export interface SortKey {
  fn: (r: Row) => Value; desc: boolean; nullsFirst: boolean;
  /** a key outside the select list rides in the sorted tuple as a resjunk column: its type, and whether it is a plain column */
  junk?: { type: SqlType; column: boolean };
}

/** The sort keys of an ORDER BY list, against the compiled targets, their names and what each computes. */
export function compileSortKeys(sortClause: N[] | undefined, targets: Compiled[], names: string[], exprKeys: string[], exprScope: Scope): SortKey[] {
  const sortKeys: SortKey[] = [];
  for (const sb of (sortClause ?? []) as N[]) {
    const sn = sb.SortBy;
    // ORDER BY x USING op: < sorts ascending, > descending (NULLs first, as DESC); any other operator is no btree
    // ordering operator (42809)
    const using = sn.sortby_dir === 'SORTBY_USING' ? ((sn.useOp ?? []) as N[]).map((o) => o.String?.sval as string).pop() ?? '' : null;
    if (using !== null && using !== '<' && using !== '>') {
      throw new PgError('42809', `operator ${using} is not a valid ordering operator`, { hint: 'Ordering operators must be "<" or ">" members of btree operator families.' });
    }
    const desc = sn.sortby_dir === 'SORTBY_DESC' || using === '>';
    const nullsFirst = sn.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : sn.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc;
    let fn: ((r: Row) => Value) | null = null;
    let keyType: SqlType | null = null;
    const k = sn.node;
    if (k.A_Const?.ival !== undefined || (k.A_Const && Object.keys(k.A_Const).length === 1 && k.A_Const.location !== undefined && !k.A_Const.sval &&
      !k.A_Const.fval && !k.A_Const.boolval)) {
      const pos = intConst(k.A_Const) ?? 0;
      if (pos < 1 || pos > targets.length) throw new PgError('42P10', `ORDER BY position ${pos} is not in select list`, { position: posOf(k.A_Const.location) });
      fn = targets[pos - 1]!.fn;
      keyType = targets[pos - 1]!.type;
    } else if (k.ColumnRef?.fields?.length === 1 && k.ColumnRef.fields[0].String) {
      // a bare name is an output column first (SQL92 rule, findTargetlistEntrySQL92), an input column only if none
      const nm = k.ColumnRef.fields[0].String.sval;
      const hits = names.map((x, i) => (x === nm ? i : -1)).filter((i) => i >= 0);
      if (hits.some((i) => exprKeys[i] !== exprKeys[hits[0]!])) throw new PgError('42702', `ORDER BY "${nm}" is ambiguous`, { position: posOf(k.ColumnRef.location) });
      if (hits.length) { fn = targets[hits[0]!]!.fn; keyType = targets[hits[0]!]!.type; }
    }
    let junk: SortKey['junk'];
    if (!fn) {
      const c = compileExpr(k, exprScope);
      fn = c.fn;
      keyType = c.type;
      if (!exprKeys.includes(expressionKey(k, exprScope))) junk = { type: c.type, column: !!k.ColumnRef };
    }
    // xid and cid have equality but no B-tree ordering (xid8 has one)
    if (keyType && (keyType.name === 'xid' || keyType.name === 'cid' || keyType.name === 'json')) {
      throw new PgError('42883', `could not identify an ordering operator for type ${keyType.name}`, { hint: 'Use an explicit ordering operator or modify the query.', position: posOf(firstLocation(k)) });
    }
    if (keyType?.name === 'pg_lsn') {
      // pg_lsn sorts by position (pg_lsn_cmp), not as its text X/X: the key is the position as a number
      const text = fn;
      fn = (r) => { const v = text(r); if (v === null) return null; const [h, lo] = String(v).split('/'); return parseInt(h!, 16) * 0x100000000 + parseInt(lo!, 16); };
    }
    sortKeys.push({ fn, desc, nullsFirst, junk });
  }
  return sortKeys;
}

/** Compare two rows' key values (already computed) by the keys' directions and NULL placement. */
export function compareKeys(sortKeys: readonly { desc: boolean; nullsFirst: boolean }[], a: Value[], b: Value[]): number {
  for (let i = 0; i < sortKeys.length; i++) {
    const sk = sortKeys[i]!;
    const x = a[i]!, y = b[i]!;
    if (x === null || y === null) {
      if (x === y) continue;
      return (x === null) === sk.nullsFirst ? -1 : 1;
    }
    const c = compareValues(x, y);
    if (c !== 0) return sk.desc ? -c : c;
  }
  return 0;
}

/** ExecSort: all input rows, in key order (ties as PostgreSQL's quicksort leaves them). */
export function sortRows<R extends Row>(rows: R[], sortKeys: SortKey[]): R[] {
  const keyed = rows.map((r) => ({ r, k: sortKeys.map((sk) => sk.fn(r)) }));
  pgQsort(keyed, (a, b) => compareKeys(sortKeys, a.k, b.k));
  return keyed.map((x) => x.r);
}

/**
 * tuplesort's "Memory: NkB" for an in-memory quicksort (tuplesort_get_stats): the SortTuple array — 1,024 slots of
 * 24 bytes at first, doubled whenever it fills (a chunk of its own: + 16 bytes of header) — plus each row copied as a
 * MinimalTuple (a 15-byte header and its null bitmap, MAXALIGNed, then the data) into a Generation context (the
 * chunk MAXALIGNed, + 24 bytes of header), in kB rounded up; a bounded sort (under a LIMIT) keeps its rows in an
 * AllocSet instead, and as a top-N heap holds only the first rows (`rows`: those). null when a value's bytes are
 * not modelled.
 *
 *     1,000 rows of (int, int): 24,592 + 1,000 x (MAXALIGN(16 + 8) + 24) = 72,592 bytes -> "Memory: 71kB"
 */
export function sortSpaceUsedKb(rows: readonly Value[][], types: SqlType[], bounded?: { held: number }): number | null {
  const MAXALIGN = (n: number) => (n + 7) & ~7;
  // a bounded sort's tuples live in an AllocSet (chunks rounded up to a power of 2, + 16 bytes of header)
  const chunk = (n: number) => (bounded ? 2 ** Math.ceil(Math.log2(Math.max(n, 8))) + 16 : MAXALIGN(n) + 24);
  let size = 1024;
  while ((bounded ? bounded.held : rows.length) >= size) size *= 2; // grow_memtuples when one free slot is left
  let used = size * 24 + 16;
  for (const r of rows) {
    const data = datumBytes(r, types);
    if (!data) return null;
    let hdr = 15;
    if (r.some((v) => v === null)) hdr += Math.floor((r.length + 7) / 8);
    used += chunk(MAXALIGN(hdr) + data.length);
  }
  return Math.floor((used + 1023) / 1024);
}
