/**
 * The index's key → TID(s) map. A JavaScript Map with one twist for speed: small non-negative integer keys (the
 * common serial / id primary key) live in a plain array indexed by the key, which is several times faster to fill
 * than a hash map — it matters for a 400,000-row INSERT and for REDO of its index records. Other keys (text,
 * several columns, negative or far-away integers) live in the Map. The API is the subset of Map the engine uses.
 * Iteration yields the array's keys in ascending order, then the Map's in insertion order.
 *
 * No PostgreSQL counterpart: nbtree keeps sorted pages; this is the simulator's stand-in (see btree.ts).
 */
export type Tids = number | number[];
/** how far past the array's end a key may be and still go to the array (keeps the array dense) */
const GAP = 1024;

export class TidMap {
  private small: (Tids | undefined)[] = [];
  private smallCount = 0;
  private map = new Map<string | number, Tids>();

  private static isSmall(k: string | number): k is number { return typeof k === 'number' && (k | 0) === k && k >= 0; }

  get size(): number { return this.smallCount + this.map.size; }
  /** Are all keys small integers (so iteration is already in key order)? */
  get onlySmallInts(): boolean { return this.map.size === 0; }

  get(k: string | number): Tids | undefined {
    if (TidMap.isSmall(k) && k < this.small.length) { const v = this.small[k]; if (v !== undefined) return v; }
    return this.map.get(k);
  }

  set(k: string | number, v: Tids): this {
    if (TidMap.isSmall(k) && k <= this.small.length + GAP && !this.map.has(k)) {
      while (this.small.length < k) this.small.push(undefined); // keep it a dense (holey-free growth) array
      if (this.small[k] === undefined) this.smallCount++;
      this.small[k] = v;
      return this;
    }
    this.map.set(k, v);
    return this;
  }

  delete(k: string | number): boolean {
    if (TidMap.isSmall(k) && k < this.small.length && this.small[k] !== undefined) { this.small[k] = undefined; this.smallCount--; return true; }
    return this.map.delete(k);
  }

  *[Symbol.iterator](): IterableIterator<[string | number, Tids]> {
    const s = this.small;
    for (let k = 0; k < s.length; k++) { const v = s[k]; if (v !== undefined) yield [k, v]; }
    yield* this.map;
  }

  /** The entries in iteration order, without an iterator or a [key, value] pair each; `fn` returning false stops. */
  each(fn: (k: string | number, v: Tids) => boolean | void): void {
    const s = this.small;
    for (let k = 0; k < s.length; k++) { const v = s[k]; if (v !== undefined && fn(k, v) === false) return; }
    for (const [k, v] of this.map) if (fn(k, v) === false) return;
  }

  *values(): IterableIterator<Tids> {
    for (const v of this.small) if (v !== undefined) yield v;
    yield* this.map.values();
  }

  /** A deep copy (TID lists are copied, so the copy and the original change independently). */
  clone(): TidMap {
    const c = new TidMap();
    c.small = this.small.map((v) => (v === undefined || typeof v === 'number' ? v : v.slice()));
    c.smallCount = this.smallCount;
    for (const [k, v] of this.map) c.map.set(k, typeof v === 'number' ? v : v.slice());
    return c;
  }
}
