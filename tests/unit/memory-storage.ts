/** localStorage in memory, with a quota (in characters, keys included, as browsers count) and a write log */
export class MemoryStorage implements Storage {
  private m = new Map<string, string>();
  written = 0;
  constructor(public quota = Infinity) {}
  get length() { return this.m.size; }
  key(i: number) { return [...this.m.keys()][i] ?? null; }
  getItem(k: string) { return this.m.get(k) ?? null; }
  setItem(k: string, v: string) {
    const used = this.used() - (this.m.has(k) ? k.length + this.m.get(k)!.length : 0) + k.length + v.length;
    if (used > this.quota) throw new DOMException('quota', 'QuotaExceededError');
    this.m.set(k, String(v));
    this.written += v.length;
  }
  removeItem(k: string) { this.m.delete(k); }
  clear() { this.m.clear(); }
  used() { let n = 0; for (const [k, v] of this.m) n += k.length + v.length; return n; }
  keys() { return [...this.m.keys()]; }
}
