/**
 * A B-tree index (primary key / unique constraint): entries map a key to the TIDs of heap tuples.
 *
 * What matters for MVCC: an index entry points at a row *version* (or the root of its HOT chain), and the
 * index knows nothing about visibility. An UPDATE that changes no indexed column and fits on the same page is
 * a HOT update and adds no entry; any other UPDATE adds a second entry for the new version, and the old entry
 * stays until vacuum. Uniqueness is checked against every entry with the same key, using the "dirty" snapshot:
 * a live conflicting row → 23505; a row inserted or deleted by a transaction still in progress → wait for it.
 *
 * Mirrors: src/backend/access/nbtree/nbtinsert.c (_bt_doinsert, _bt_check_unique). Simplifications: entries
 * live in a map from key to TIDs (index/tidmap.ts; no pages, splits or page-level WAL beyond one leaf); key
 * order is computed when inspected.
 */
import type { Value } from '../sql/types.js';
import { formatValue } from '../sql/types.js';

/** A key's text for the entry map: dates, timestamps and floats by their stored value, not by DateStyle's output. */
const keyText = (v: Exclude<Value, null>): string => (typeof v === 'object' && 'key' in v ? v.key() : formatValue(v)!);
import { TidMap } from './tidmap.js';

export class BtreeIndex {
  /** key → packed TID, or several TIDs once a key has more than one version pointing at it */
  entries = new TidMap();
  /** entries whose key contains a NULL (never conflict) */
  nullEntries: { key: Value[]; tid: number }[] = [];
  count = 0;
  /** built by CREATE INDEX / a rebuild over existing rows: equal keys were deduplicated into posting lists */
  built = false;
  /** the most entries it ever held: B-tree pages are not given back when VACUUM removes entries (pg_relation_size) */
  peak = 0;
  /** block number of the (single, simulated) leaf page: 1, as for a fresh PostgreSQL index (0 is the metapage) */
  readonly leafBlock = 1;
  /** LSN of the simulated leaf page */
  leafLsn = 0;
  /** LSN of the Storage/CREATE record of this relfilenode (REDO skips the index's older records); 0 = original */
  storageLsn = 0;
  /** the index as last written to disk (checkpoint, background writer); undefined = never written */
  disk?: import('../buffer/bufmgr.js').IndexImage;

  constructor(
    readonly oid: number,
    readonly name: string,
    readonly columns: number[],
    readonly unique: boolean,
    readonly primary: boolean,
  ) {}

  clone(): BtreeIndex {
    const c = new BtreeIndex(this.oid, this.name, this.columns, this.unique, this.primary);
    c.entries = this.entries.clone();
    c.nullEntries = this.nullEntries.slice();
    c.count = this.count;
    c.peak = this.peak;
    c.built = this.built;
    c.leafLsn = this.leafLsn;
    c.storageLsn = this.storageLsn;
    c.disk = this.disk; // never changed in place
    return c;
  }

  keyOf(values: Value[]): string | number | null {
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

  insert(values: Value[], tid: number): void {
    const key = this.keyOf(values);
    this.count++;
    if (this.count > this.peak) this.peak = this.count;
    if (key === null) { this.nullEntries.push({ key: this.columns.map((c) => values[c]!), tid }); return; }
    const e = this.entries.get(key);
    if (e === undefined) this.entries.set(key, tid);
    else if (typeof e === 'number') this.entries.set(key, [e, tid]);
    else e.push(tid);
  }

  /** Describe a key as the 23505 DETAIL does: "(id)=(1)". */
  describeKey(values: Value[], columnNames: string[]): string {
    return `(${this.columns.map((c) => columnNames[c]).join(', ')})=(${this.columns.map((c) => formatValue(values[c]!) ?? 'null').join(', ')})`;
  }
}
