/**
 * A hash index (CREATE INDEX ... USING hash): one column, equality only, no uniqueness, no ordering, no index-only
 * scans (the index keeps the key's hash code, not the key). It answers `col = constant` by hashing the constant,
 * reading that one bucket's chain and rechecking each heap row (a hash code can be shared by two keys).
 *
 * The engine keeps a hash index as its B-tree stand-in does (index/btree.ts: a key → TIDs map, and the history of
 * insertions and removals), and lays its pages out from that history as PostgreSQL would have them
 * (index/hashpage.ts): which bucket a key is in, which block that is (SSI's predicate locks on a hash index are on the
 * bucket's primary page), the order an index scan returns the TIDs in (the chain's pages in turn, each by hash code),
 * and what pageinspect's hash_* functions show.
 *
 * Mirrors: src/backend/access/hash/hash.c (hashbuild, hashinsert, hashgettuple, hashbulkdelete), hashsearch.c
 * (_hash_first, _hash_readpage: PredicateLockPage on the bucket's primary page), hashinsert.c
 * (CheckForSerializableConflictIn on it). Simplifications: key types int2, int4, int8, text and varchar only; no
 * expression or partial hash indexes; the build inserts one tuple at a time (PostgreSQL sorts first only when the
 * index would outgrow shared buffers).
 */
import type { Value, SqlType } from '../sql/types.js';
import { BtreeIndex } from './btree.js';
import { hashInt4, hashInt8, hashText } from '../adt/hashfunc.js';
import { notSupported } from '../errors.js';
import {
  hashInit, hashInsert, bucketCleanup, bucketChain, copyLayout, hashKeyToBucket, bucketToBlkno, LH_PAGE_HAS_DEAD_TUPLES, type HashLayout, type HashPage,
} from './hashpage.js';

/** a key type's hash support function: its pg_proc oid (hash_metapage_info's procid) and the hash itself */
const HASH_PROCS: Record<string, { procid: number; fn: (v: Value) => number }> = {
  int2: { procid: 449, fn: (v) => hashInt4(v as number) },
  int4: { procid: 450, fn: (v) => hashInt4(v as number) },
  int8: { procid: 949, fn: (v) => hashInt8(v as number | bigint) },
  text: { procid: 400, fn: (v) => hashText(String(v)) },
  varchar: { procid: 400, fn: (v) => hashText(String(v)) },
};

/** The key type's hash support, or 0A000 for a type the simulator does not hash. */
export function hashProcFor(type: SqlType): { procid: number; fn: (v: Value) => number } {
  const p = HASH_PROCS[type.name];
  if (!p) throw notSupported(`hash indexes on type ${type.name}`);
  return p;
}

export class HashIndex extends BtreeIndex {
  override readonly am = 'hash';
  /** the estimated row count hashbuild's _hash_init sized the buckets for (set by the build) */
  initTuples = 0;
  private cache: { log: unknown; n: number; layout: HashLayout } | null = null;

  constructor(oid: number, name: string, columns: number[], readonly keyType: SqlType) {
    super(oid, name, columns, false, false);
    hashProcFor(keyType);
  }

  get procid(): number { return hashProcFor(this.keyType).procid; }
  hashOf(v: Value): number { return hashProcFor(this.keyType).fn(v) >>> 0; }

  /** fillfactor from WITH (fillfactor = N), else 75 */
  get fillfactor(): number {
    const o = this.reloptions?.find((x) => x.startsWith('fillfactor='));
    return o ? Number(o.slice('fillfactor='.length)) : 75;
  }

  /** A hash index keeps its history whatever its size (its layout is replayed incrementally). */
  override record(e: import('./nbtlayout.js').IndexEvent): void {
    if (!this.log) this.log = [];
    this.log.push(e);
  }

  override markBuilt(): void { this.built = true; }

  /** The pages as PostgreSQL has them now (replayed from the history; the replay so far is kept). */
  layout(): HashLayout {
    const log = this.log ?? [];
    let c = this.cache;
    if (!c || c.log !== log || c.n > log.length) c = this.cache = { log, n: 0, layout: hashInit(this.initTuples, this.fillfactor) };
    for (; c.n < log.length; c.n++) {
      const e = log[c.n]!;
      const l = c.layout;
      if (e.k === 'ins') {
        if (e.key[0] !== null && e.key[0] !== undefined) hashInsert(l, this.hashOf(e.key[0]), e.tid);
      } else if (e.k === 'del') {
        // hashbulkdelete: every bucket's dead heap TIDs out (and their chains squeezed); ntuples recounted
        let n = 0;
        for (let b = 0; b <= l.meta.maxbucket; b++) {
          bucketCleanup(l, b, (it) => e.tids.has(it.tid), true);
          for (const p of bucketChain(l, b)) n += p.items.length;
        }
        l.meta.ntuples = n;
      } else if (e.k === 'kill') {
        // _hash_kill_items: LP_DEAD on the scanned bucket's items (and LH_PAGE_HAS_DEAD_TUPLES on their pages)
        const dead = new Set(e.tids);
        const k0 = e.key?.[0];
        const pages = k0 !== null && k0 !== undefined ? bucketChain(l, hashKeyToBucket(this.hashOf(k0), l.meta)) : l.pages.filter((p): p is HashPage => !!p);
        for (const p of pages) for (const it of p.items) if (dead.has(it.tid)) { it.dead = true; p.flag |= LH_PAGE_HAS_DEAD_TUPLES; }
      }
    }
    return c.layout;
  }

  /** The block an index scan for `key` takes its SIREAD lock on (the bucket's primary page). */
  scanBlock(key: string | number): number {
    return this.bucketBlock(typeof key === 'number' ? key : this.keyType.name.startsWith('int') ? Number(key.slice(1)) : key.slice(1));
  }

  /** The block of the primary page of the bucket a key hashes to (the SSI predicate lock's target). */
  bucketBlock(key: Value): number {
    const l = this.layout();
    return bucketToBlkno(l.meta, hashKeyToBucket(this.hashOf(key), l.meta));
  }

  /** The TIDs for a key in the order the index scan returns them: the bucket's chain, each page by offset. */
  override lookup(key: string | number): number[] {
    const tids = super.lookup(key);
    if (tids.length < 2) return tids;
    const want = new Set(tids);
    const v = typeof key === 'number' ? key : this.keyType.name.startsWith('int') ? Number(key.slice(1)) : key.slice(1);
    const l = this.layout();
    const h = this.hashOf(v);
    const out: number[] = [];
    for (const p of bucketChain(l, hashKeyToBucket(h, l.meta))) {
      for (const it of p.items) if (it.hash === h && want.has(it.tid)) { out.push(it.tid); want.delete(it.tid); }
    }
    return [...out, ...want];
  }

  /** Where a heap TID's index tuple is now: its page and 1-based offset (0, 0 when not indexed) */
  placeOf(key: Value, tid: number): { blk: number; off: number } {
    const l = this.layout();
    const h = this.hashOf(key);
    for (const p of bucketChain(l, hashKeyToBucket(h, l.meta))) {
      const i = p.items.findIndex((x) => x.tid === tid && x.hash === h);
      if (i >= 0) return { blk: p.blk, off: i + 1 };
    }
    return { blk: 0, off: 0 };
  }

  /** hash_page_items' ordering needs no leaf offset (pg_walinspect's INSERT offset is the hash page's own) */
  override leafOffset(): number { return 0; }

  override fresh(oid = this.oid): HashIndex {
    const c = new HashIndex(oid, this.name, this.columns, this.keyType);
    c.reloptions = this.reloptions;
    c.relfilenode = this.relfilenode;
    return c;
  }

  override clone(oid = this.oid): HashIndex {
    const c = new HashIndex(oid, this.name, this.columns, this.keyType);
    c.entries = this.entries.clone();
    c.nullEntries = this.nullEntries.slice();
    c.count = this.count; c.peak = this.peak; c.stats = this.stats; c.built = this.built;
    c.log = this.log && this.log.slice();
    c.leafLsn = this.leafLsn; c.pageLsns = new Map(this.pageLsns); c.storageLsn = this.storageLsn;
    c.relfilenode = this.relfilenode;
    if (this.nameXmin !== undefined) c.nameXmin = this.nameXmin;
    c.disk = this.disk; c.reloptions = this.reloptions; c.deadTids = new Set(this.deadTids);
    c.initTuples = this.initTuples;
    if (this.cache && this.cache.log === this.log) c.cache = { log: c.log, n: this.cache.n, layout: copyLayout(this.cache.layout) };
    return c;
  }
}

export const isHashIndex = (i: BtreeIndex): i is HashIndex => i instanceof HashIndex;
