/**
 * Hash join (PostgreSQL's executor/nodeHashjoin.c over nodeHash.c): the inner input is read first into a hash
 * table on its join key (the Hash node); then each outer row looks up its key and is joined with the inner rows
 * found there that also pass the rest of the join condition.
 *
 * A bucket is a chain and ExecHashTableInsert puts each new row at its head, so the inner rows of one key come
 * out newest first — the reverse of the order the inner scan returned them:
 *
 *     inner m (a,c): (1,2) (1,3)        outer n: (1,'x') (2,'z')
 *     n JOIN m ON n.a = m.a   ->   (1,'x',1,3) (1,'x',1,2) ...       -- m's rows for key 1 reversed
 *
 * Rows come out in the outer side's order. NULL keys never match (an inner row with a NULL key is not hashed;
 * an outer one probes nothing). Hash Left Join adds each unmatched outer row NULL-extended where it stands; Hash
 * Right Join (the hashed side preserved) adds the inner rows nothing matched after the last outer row.
 *
 * The unmatched inner rows of a Hash Right Join come out as ExecScanHashTableForUnmatched walks the table:
 * bucket by bucket (bucket = hashint4 / hashint8 / hashtext of the key, adt/hashfunc.ts, masked by the bucket
 * count the planner sized for its row estimate: at least 1024, a power of two), each chain newest first; a NULL
 * key of the preserved side hashes as 0.
 *
 * Simplifications: one batch, always (these tables fit in work_mem); no skew table for the outer side's most
 * common values (after ANALYZE PostgreSQL keeps their inner rows in a separate table walked last — it changes
 * only the order of unmatched inner rows whose key is one of those values, when a join filter rejected them).
 */
import { groupKey, Bytea, type Value } from '../sql/types.js';
import { hashInt4, hashInt8, hashText, hashBytes, hashNumeric, hashUint32, hashFloat8, hashDate, hashTimestamp, hashInterval } from '../adt/hashfunc.js';
import type { PgFloat } from '../adt/float.js';
import type { PgDate, PgTimestamp, PgInterval } from '../adt/datetime.js';
import type { PgTime, PgTimeTz } from '../adt/time.js';
import type { Numeric } from '../sql/numeric.js';
import { type JoinPair, JOIN_ROWS_LIMIT, joinTooLarge } from './nodeNestloop.js';

/** The hash function of a key type (the hash opclass's support function), or null when there is none here. */
export function hashFunctionFor(type: string): ((v: Value) => number) | null {
  if (type === 'int2' || type === 'int4') return (v) => hashInt4(v as number);
  if (type === 'int8') return (v) => hashInt8(v as number | bigint);
  if (type === 'text' || type === 'varchar') return (v) => hashText(String(v));
  if (type === 'numeric') return (v) => hashNumeric(v as Numeric);
  if (type === 'bytea') return (v) => hashBytes((v as Bytea).data()); // hashvarlena: hash_any over the bytes
  if (type === 'float4' || type === 'float8') return (v) => hashFloat8((v as PgFloat).v);
  if (type === 'bool') return (v) => hashUint32(v ? 1 : 0); // hashchar of the byte
  if (type === 'oid') return (v) => hashUint32(Number(v) >>> 0); // hashoid
  if (type === 'date') return (v) => hashDate((v as PgDate).d);
  if (type === 'timestamp' || type === 'timestamptz') return (v) => hashTimestamp((v as PgTimestamp).us);
  if (type === 'time') return (v) => hashTimestamp((v as PgTime).us); // time_hash: hashint8
  if (type === 'timetz') return (v) => (hashTimestamp((v as PgTimeTz).us) ^ hashUint32((v as PgTimeTz).zone >>> 0)) | 0; // timetz_hash
  if (type === 'interval') return (v) => { const i = v as PgInterval; return hashInterval(i.months, i.days, i.us); };
  return null;
}

/** ExecChooseHashTableSize's bucket count for the planner's estimate of the inner rows (one tuple a bucket). */
export const bucketCount = (estimatedRows: number): number => {
  let n = 1024;
  while (n < Math.ceil(estimatedRows)) n *= 2;
  return n;
};

export function hashJoin(outer: Iterable<Value[]>, inner: Value[][], outerKey: number, innerKey: number, match: (o: Value[], i: Value[]) => boolean,
  fillOuter: boolean, fillInner: boolean, buckets?: { hash: (v: Value) => number; nbuckets: number }): JoinPair[] {
  // ExecHashTableInsert: each key's chain, newest first
  const table = new Map<string, number[]>();
  inner.forEach((row, idx) => {
    const v = row[innerKey]!;
    if (v === null) return;
    const k = groupKey(v)!;
    const chain = table.get(k);
    if (chain) chain.unshift(idx); else table.set(k, [idx]);
  });
  const matchedInner = fillInner ? new Uint8Array(inner.length) : null;
  const out: JoinPair[] = [];
  for (const o of outer) {
    const v = o[outerKey]!;
    let matched = false;
    const chain = v === null ? undefined : table.get(groupKey(v)!);
    for (const idx of chain ?? []) {
      const i = inner[idx]!;
      if (!match(o, i)) continue;
      matched = true;
      if (matchedInner) matchedInner[idx] = 1;
      if (out.length >= JOIN_ROWS_LIMIT) throw joinTooLarge();
      out.push({ o, i });
    }
    if (!matched && fillOuter) out.push({ o, i: null });
  }
  if (matchedInner) {
    const unmatched = inner.map((i, idx) => ({ i, idx })).filter((x) => !matchedInner[x.idx]);
    if (buckets) {
      const bucket = (row: Value[]) => { const v = row[innerKey]!; return v === null ? 0 : (buckets.hash(v) & (buckets.nbuckets - 1)) >>> 0; };
      unmatched.sort((a, b) => bucket(a.i) - bucket(b.i) || b.idx - a.idx);
    }
    for (const x of unmatched) out.push({ o: null, i: x.i });
  }
  return out;
}
