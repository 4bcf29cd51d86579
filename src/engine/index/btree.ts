/**
 * A B-tree index (primary key / unique constraint): entries map a key to the TIDs of heap tuples.
 *
 * What matters for MVCC: an index entry points at a row *version* (or the root of its HOT chain), and the
 * index knows nothing about visibility. An UPDATE that changes no indexed column and fits on the same page is
 * a HOT update and adds no entry; any other UPDATE adds a second entry for the new version, and the old entry
 * stays until vacuum. Uniqueness is checked against every entry with the same key, using the "dirty" snapshot:
 * a live conflicting row → 23505; a row inserted or deleted by a transaction still in progress → wait for it.
 *
 * An expression index keys its entries by computed values (`lower(key)`: a column position of -1 in `columns`
 * takes the next expression); a partial index (`WHERE active`) has entries only for the versions that satisfy
 * its predicate, so uniqueness holds among those only.
 *
 * Mirrors: src/backend/access/nbtree/nbtinsert.c (_bt_doinsert, _bt_check_unique). Simplifications: entries
 * live in a map from key to TIDs (index/tidmap.ts); key order is computed when inspected, and the pages PostgreSQL
 * would have are laid out — for pageinspect, and for each insertion's WAL records (wal/nbtxlog.ts) — by replaying
 * the index's history (`log`, index/nbtlayout.ts). One LSN (leafLsn) stands for the whole index in REDO and the
 * buffer manager; the pages' own LSNs (pageLsns) decide their full-page images.
 */
import type { Value, SqlType } from '../sql/types.js';
import { formatValue } from '../sql/types.js';

/** A key's text for the entry map: dates, timestamps and floats by their stored value, not by DateStyle's output. */
const keyText = (v: Exclude<Value, null>): string => (typeof v === 'object' && 'key' in v ? v.key() : formatValue(v)!);
import { TidMap } from './tidmap.js';
import { LOG_CAP, type IndexEvent } from './nbtlayout.js';
import { leafOrder } from './nbtcompare.js';

/** An index's computed parts: key expressions and a predicate, as functions of a heap row's values. */
export interface IndexDef {
  exprs: { fn: (values: Value[]) => Value; text: string }[];
  pred: { fn: (values: Value[]) => boolean; text: string; node: unknown } | null;
  /** the columns the expressions and the predicate read (an UPDATE of one is not HOT) */
  cols: number[];
  /** the expressions' parse trees (ON CONFLICT (lower(key)) is matched against them) */
  exprNodes: unknown[];
}

/** Up to how many entries BtreeIndex.leafOffset computes an entry's place on the leaf (one 8 kB leaf holds 407 int4 keys) */
export const LEAF_RANK_LIMIT = 400;

export class BtreeIndex {
  /** pg_am.amname: 'btree', or 'hash' for index/hash.ts's HashIndex */
  readonly am: string = 'btree';
  /** key → packed TID, or several TIDs once a key has more than one version pointing at it */
  entries = new TidMap();
  /** entries whose key contains a NULL (never conflict) */
  nullEntries: { key: Value[]; tid: number }[] = [];
  count = 0;
  /** built by CREATE INDEX / a rebuild over existing rows: equal keys were deduplicated into posting lists */
  built = false;
  /** what happened to it, for pageinspect to lay its pages out (index/nbtlayout.ts); null once past LOG_CAP */
  log: IndexEvent[] | null = [];
  /** pg_class.relpages / reltuples as the build, ANALYZE or a VACUUM that scanned the index last set them */
  stats?: { relpages: number; reltuples: number };
  /** the most entries it ever held: B-tree pages are not given back when VACUUM removes entries (pg_relation_size) */
  peak = 0;
  /** block number of the (single, simulated) leaf page: 1, as for a fresh PostgreSQL index (0 is the metapage) */
  readonly leafBlock = 1;
  /** LSN of the simulated leaf page: the index's last WAL record (REDO's and the buffer's LSN for the whole index) */
  leafLsn = 0;
  /** pd_lsn of each laid-out page (index/nbtlayout.ts) a record last changed: whether its next change needs a
   *  full-page image (wal/nbtxlog.ts); a page not listed counts as changed at leafLsn */
  pageLsns = new Map<number, number>();
  /** a partition of a partitioned index (pg_inherits for indexes): the parent index's OID */
  parentIndex?: number;
  /** LSN of the Storage/CREATE record of this relfilenode (REDO skips the index's older records); 0 = original */
  storageLsn = 0;
  /** pg_class.relfilenode once a rebuild gave the index a new file (absent = its oid) */
  relfilenode?: number;
  /** heap TIDs of the entries marked LP_DEAD (index scans skip them: ignore_killed_tuples) */
  deadTids = new Set<number>();
  /** pg_class.reloptions: CREATE INDEX ... WITH (fillfactor = 70, deduplicate_items = off); absent = none */
  reloptions?: string[];
  /** the index as last written to disk (checkpoint, background writer); undefined = never written */
  disk?: import('../buffer/bufmgr.js').IndexImage;
  /** the xmin of its pg_class row while CREATE INDEX's transaction may still run (catalog/catalogsnapshot.ts) */
  nameXmin?: number;
  /** pg_index.indoption of each key column as CREATE INDEX declared it (INDOPTION_DESC 1, INDOPTION_NULLS_FIRST 2);
   *  absent: all 0. Only shown: the engine's scans read an index in ascending order, NULLS LAST */
  indoption?: number[];
  /** pg_index.indcheckxmin: its build skipped a recently dead HOT-updated version (a broken HOT chain), so
   *  snapshots older than the creating transaction may not use it */
  checkXmin?: boolean;

  constructor(
    readonly oid: number,
    /** relname: ALTER TABLE ... RENAME CONSTRAINT renames a constraint's index */
    public name: string,
    readonly columns: number[],
    readonly unique: boolean,
    readonly primary: boolean,
    /** INCLUDE columns: carried in the leaf entries, no part of the key (not compared, not unique, not a "key" for
     *  row locks); changing one still makes an UPDATE non-HOT. The simulated entry keeps only the key. */
    readonly include: readonly number[] = [],
    /** expressions and predicate (null: a plain index on columns) */
    readonly def: IndexDef | null = null,
  ) {}

  /** Does this index have an entry for a row with these values (a partial index: the predicate holds)? */
  covers(values: Value[]): boolean {
    return !this.def?.pred || this.def.pred.fn(values) === true;
  }

  /** The key columns' types (null for an expression's: the engine does not keep them). */
  keyTypes(tableTypes: readonly SqlType[]): (SqlType | null)[] {
    return this.columns.map((c) => (c >= 0 ? tableTypes[c]! : null));
  }

  /** The key's values for a heap row: its columns, and the expressions computed. */
  keyValues(values: Value[]): Value[] {
    if (!this.def) return this.columns.map((c) => values[c]!);
    let e = 0;
    return this.columns.map((c) => (c >= 0 ? values[c]! : this.def!.exprs[e++]!.fn(values)));
  }

  /** The same index definition (columns, expressions, storage parameters) with no entries: a new relfilenode's. */
  fresh(oid = this.oid): BtreeIndex {
    const c = new BtreeIndex(oid, this.name, this.columns, this.unique, this.primary, this.include, this.def);
    c.reloptions = this.reloptions;
    c.indoption = this.indoption;
    c.relfilenode = this.relfilenode; // the caller that gives it a new file sets the new one
    return c;
  }

  clone(oid = this.oid): BtreeIndex {
    const c = new BtreeIndex(oid, this.name, this.columns, this.unique, this.primary, this.include, this.def);
    c.indoption = this.indoption;
    c.entries = this.entries.clone();
    c.nullEntries = this.nullEntries.slice();
    c.count = this.count;
    c.peak = this.peak;
    c.stats = this.stats;
    c.built = this.built;
    c.log = this.log && this.log.slice(); // events are never changed in place
    c.leafLsn = this.leafLsn;
    c.pageLsns = new Map(this.pageLsns);
    c.storageLsn = this.storageLsn;
    c.relfilenode = this.relfilenode;
    if (this.nameXmin !== undefined) c.nameXmin = this.nameXmin;
    c.disk = this.disk; // never changed in place
    c.reloptions = this.reloptions;
    c.deadTids = new Set(this.deadTids);
    return c;
  }

  keyOf(values: Value[]): string | number | null {
    if (this.def) {
      const kv = this.keyValues(values);
      if (kv.some((v) => v === null)) return null;
      return kv.length === 1 ? (typeof kv[0] === 'number' ? kv[0] : 's' + keyText(kv[0]!)) : JSON.stringify(kv.map((v) => keyText(v!)));
    }
    if (this.columns.length === 1) {
      const v = values[this.columns[0]!]!;
      if (v === null) return null;
      return typeof v === 'number' ? v : 's' + keyText(v);
    }
    const parts: (string | null)[] = [];
    for (const c of this.columns) {
      const v = values[c]!;
      if (v === null) return null;
      parts.push(keyText(v));
    }
    return JSON.stringify(parts);
  }

  lookup(key: string | number): number[] {
    const e = this.entries.get(key);
    return e === undefined ? [] : typeof e === 'number' ? [e] : e;
  }

  /** `unchanged`: an UPDATE's new version whose SET list names none of this index's columns (index_unchanged_by_update) */
  insert(values: Value[], tid: number, unchanged = false, afterdel = false, budedup?: boolean): void {
    if (!this.covers(values)) return;
    const key = this.keyOf(values);
    if (this.log) { // (past LOG_CAP there is no history to add the event to)
      const ev: Extract<IndexEvent, { k: 'ins' }> = { k: 'ins', key: this.keyValues(values), tid };
      if (unchanged) ev.unchanged = true;
      if (afterdel) ev.afterdel = true;
      if (budedup !== undefined) ev.budedup = budedup;
      if (this.include.length) ev.inc = this.include.map((c) => values[c]!);
      this.record(ev);
    }
    this.count++;
    if (this.count > this.peak) this.peak = this.count;
    if (key === null) { this.nullEntries.push({ key: this.keyValues(values), tid }); return; }
    const e = this.entries.get(key);
    if (e === undefined) this.entries.set(key, tid);
    else if (typeof e === 'number') this.entries.set(key, [e, tid]);
    else e.push(tid);
  }

  /**
   * _bt_killitems: an index scan found these entries' heap chains dead to all; their items become LP_DEAD (a hint:
   * no WAL, the entries stay until simple deletion or VACUUM removes them); later index scans skip them.
   */
  kill(tids: readonly number[], key?: Value[]): void {
    if (!tids.length) return;
    this.record(key ? { k: 'kill', tids, key } : { k: 'kill', tids });
    for (const t of tids) this.deadTids.add(t);
  }

  /** _bt_delitems_delete: simple deletion removed these heap TIDs' entries from a full leaf (also its REDO). */
  simpleDelete(tids: ReadonlySet<number>): void {
    this.record({ k: 'sdel', tids });
    for (const t of tids) this.deadTids.delete(t);
    // the entry map: simple deletion knows the leaf, not the keys — one pass over every key
    for (const [key, v] of [...this.entries]) {
      if (typeof v === 'number') { if (tids.has(v)) { this.entries.delete(key); this.count--; } continue; }
      const keep = v.filter((t) => !tids.has(t));
      if (keep.length === v.length) continue;
      this.count -= v.length - keep.length;
      if (!keep.length) this.entries.delete(key);
      else this.entries.set(key, keep.length === 1 ? keep[0]! : keep);
    }
    const nulls = this.nullEntries.filter((e) => !tids.has(e.tid));
    this.count -= this.nullEntries.length - nulls.length;
    this.nullEntries = nulls;
  }

  /** Add to the history (dropped past LOG_CAP events: a big index keeps no history). */
  record(e: IndexEvent): void {
    if (!this.log) return;
    if (this.log.length >= LOG_CAP) { this.log = null; return; }
    this.log.push(e);
  }

  /** CREATE INDEX loaded these entries bottom up: the history so far becomes one bulk load. */
  markBuilt(): void {
    this.built = true;
    if (!this.log) return;
    this.log = [{ k: 'build', items: this.log.flatMap((e) => (e.k === 'ins' ? [e.inc ? { key: e.key, tid: e.tid, inc: e.inc } : { key: e.key, tid: e.tid }] : [])).sort(leafOrder) }];
  }

  /**
   * Where an entry (just inserted) sits on the leaf — its line pointer number, as xl_btree_insert's offnum
   * (pg_walinspect's "off N"): entries are ordered by key, then heap TID (a heapkeyspace index), and the one leaf
   * has no high key (it is the rightmost page). The quick answer, for an index of integer keys with no NULLs that never
   * held more than one leaf's worth (LEAF_RANK_LIMIT entries: no posting list was ever made, no page split, even if
   * VACUUM removed entries since); 0 otherwise (executor/indexinsert.ts then asks the replayed pages).
   */
  leafOffset(values: Value[], tid: number): number {
    const key = this.keyOf(values);
    if (typeof key !== 'number' || this.built || this.nullEntries.length || this.peak > LEAF_RANK_LIMIT) return 0;
    let before = 0;
    for (const [k, v] of this.entries) {
      if (typeof k !== 'number') return 0;
      if (k < key) before += typeof v === 'number' ? 1 : v.length;
      else if (k === key) for (const t of typeof v === 'number' ? [v] : v) if (t < tid) before++;
    }
    return before + 1;
  }

  /** Describe a key as the 23505 DETAIL does: "(id)=(1)". */
  describeKey(values: Value[], columnNames: string[]): string {
    let e = 0;
    const names = this.columns.map((c) => (c >= 0 ? columnNames[c] : this.def!.exprs[e++]!.text));
    return `(${names.join(', ')})=(${this.keyValues(values).map((v) => formatValue(v) ?? 'null').join(', ')})`;
  }
}
