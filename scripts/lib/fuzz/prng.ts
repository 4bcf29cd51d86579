/**
 * A small seeded pseudo-random generator for the differential fuzzer (the randomness lives here, in the tool —
 * never in src/engine, which stays deterministic).
 *
 * sfc32 (Chris Doty-Humphrey's "small fast counting" generator, 128 bits of state) seeded through splitmix32, so
 * case i of seed S always gets the same stream whatever other cases ran before it: `caseRng(seed, i)`.
 */
export class Rng {
  private a: number; private b: number; private c: number; private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next(); this.b = next(); this.c = next(); this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }
  /** a uniform 32-bit unsigned integer */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }
  /** uniform in [0, 1) */
  float(): number { return this.u32() / 4294967296; }
  /** uniform integer in [lo, hi] */
  int(lo: number, hi: number): number { return lo + Math.floor(this.float() * (hi - lo + 1)); }
  /** true with probability p */
  chance(p: number): boolean { return this.float() < p; }
  pick<T>(xs: readonly T[]): T {
    if (!xs.length) throw new Error('pick from an empty list');
    return xs[Math.floor(this.float() * xs.length)]!;
  }
  /** pick by weight: [[value, weight], ...] */
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    const total = xs.reduce((a, [, w]) => a + w, 0);
    let r = this.float() * total;
    for (const [v, w] of xs) { if ((r -= w) < 0) return v; }
    return xs[xs.length - 1]![0];
  }
}

/** The stream for case `index` of run `seed`: independent of how many cases ran before. */
export function caseRng(seed: number, index: number): Rng {
  return new Rng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);
}
