/**
 * PostgreSQL's quicksort (src/include/lib/sort_template.h, the pg_qsort family tuplesort.c specializes for its
 * in-memory sorts): Bentley & McIlroy's "Engineering a Sort Function" — insertion sort below 7 elements, an
 * already-sorted input returned as it is, the pivot a median of three (of three medians of three above 40
 * elements), a three-way partition that gathers the pivot's equals at both ends and swaps them to the middle,
 * recursion on the smaller part. It is not stable: rows with equal keys can change places, and which order they
 * come out in is exactly what a merge join's input shows without ORDER BY.
 *
 *     keys 2a 1b 2c 1d 2e 1f 2g (7 rows): not presorted; pivot = the middle row 1d; the partition gathers its
 *     equals and the smaller keys, and a stable sort's 1b 1d 1f 2a 2c 2e 2g is not what comes out
 *
 * Simplifications: none in the algorithm; the comparison is the caller's (one key, NULLs last).
 */

/** Sort `a` in place as sort_template.h's ST_SORT does with comparator `cmp`. */
export function pgQsort<T>(a: T[], cmp: (x: T, y: T) => number): T[] {
  const swap = (i: number, j: number) => { const t = a[i]!; a[i] = a[j]!; a[j] = t; };
  const swapn = (i: number, j: number, n: number) => { for (let k = 0; k < n; k++) swap(i + k, j + k); };
  const med3 = (x: number, y: number, z: number) => (cmp(a[x]!, a[y]!) < 0
    ? (cmp(a[y]!, a[z]!) < 0 ? y : cmp(a[x]!, a[z]!) < 0 ? z : x)
    : (cmp(a[y]!, a[z]!) > 0 ? y : cmp(a[x]!, a[z]!) < 0 ? x : z));
  const sort = (lo: number, n: number): void => {
    for (;;) {
      if (n < 7) {
        for (let pm = lo + 1; pm < lo + n; pm++) for (let pl = pm; pl > lo && cmp(a[pl - 1]!, a[pl]!) > 0; pl--) swap(pl, pl - 1);
        return;
      }
      let presorted = true;
      for (let pm = lo + 1; pm < lo + n; pm++) if (cmp(a[pm - 1]!, a[pm]!) > 0) { presorted = false; break; }
      if (presorted) return;
      let pm = lo + Math.floor(n / 2);
      if (n > 7) {
        let pl = lo, pn = lo + n - 1;
        if (n > 40) {
          const d = Math.floor(n / 8);
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap(lo, pm);
      let pa = lo + 1, pb = pa, pc = lo + n - 1, pd = pc;
      for (;;) {
        let r: number;
        while (pb <= pc && (r = cmp(a[pb]!, a[lo]!)) <= 0) { if (r === 0) { swap(pa, pb); pa++; } pb++; }
        while (pb <= pc && (r = cmp(a[pc]!, a[lo]!)) >= 0) { if (r === 0) { swap(pc, pd); pd--; } pc--; }
        if (pb > pc) break;
        swap(pb, pc);
        pb++; pc--;
      }
      const pn = lo + n;
      let d1 = Math.min(pa - lo, pb - pa);
      swapn(lo, pb - d1, d1);
      d1 = Math.min(pd - pc, pn - pd - 1);
      swapn(pb, pn - d1, d1);
      d1 = pb - pa;
      const d2 = pd - pc;
      if (d1 <= d2) {
        if (d1 > 1) sort(lo, d1);
        if (d2 > 1) { lo = pn - d2; n = d2; continue; }
      } else {
        if (d2 > 1) sort(pn - d2, d2);
        if (d1 > 1) { n = d1; continue; }
      }
      return;
    }
  };
  sort(0, a.length);
  return a;
}
