/**
 * pglz: PostgreSQL's own LZ compressor, which TOAST uses to shrink a long value inside its row.
 *
 * The output is a stream of items, eight to a control byte (bit set: a tag, clear: a literal byte). A tag is a
 * back reference into what was already written: 2 bytes for 3..17 bytes of match (4 bits length - 3, 12 bits
 * offset), 3 bytes for 18..273 (length nibble 0xf, then an extra byte length - 18). Matches are found through a
 * history of the last 4096 input positions hashed by their next 4 bytes; a list is walked newest first, accepting a
 * shorter "good enough" match the longer the walk (match_size_good 128, lowered 10% per entry).
 *
 *     repeat('x', 3000)   →  'x' 'x' 'x' then tags of 273 bytes at offset 1 ...   36 bytes (44 with the 8-byte header)
 *
 * Compression fails (the value stays as it is) when the input is under 32 bytes, when nothing matched within the
 * first 1024 output bytes, or when the result would not be at least 25 % smaller (PGLZ_strategy_default).
 *
 * Mirrors: src/common/pg_lzcompress.c (pglz_compress, pglz_find_match, pglz_hist_add, the tag and control macros;
 * input bytes are C's signed char on the platforms PostgreSQL is built for, which the hash index follows).
 * The engine keeps every value in its readable form next to the compressed image; decompression serves only
 * pageinspect's tuple_data_split(..., do_detoast => true), which reads the image back.
 */

const HISTORY_SIZE = 4096;
const MAX_MATCH = 273;
/** PGLZ_strategy_default */
const MIN_INPUT_SIZE = 32, MIN_COMP_RATE = 25, FIRST_SUCCESS_BY = 1024, MATCH_SIZE_GOOD = 128, MATCH_SIZE_DROP = 10;

/** pglz_compress: the compressed bytes, or null when compression fails (the strategy's limits). */
export function pglzCompress(src: Uint8Array): Uint8Array | null {
  const slen = src.length;
  if (slen < MIN_INPUT_SIZE) return null;
  const resultMax = Math.floor((slen * (100 - MIN_COMP_RATE)) / 100);
  const hashsz = slen < 128 ? 512 : slen < 256 ? 1024 : slen < 512 ? 2048 : slen < 1024 ? 4096 : 8192;
  const mask = hashsz - 1;
  // the history: hist_start[hash] → newest entry; entries 1..4096 are recycled ring-wise (0 is "invalid")
  const histStart = new Int16Array(hashsz);
  const next = new Int16Array(HISTORY_SIZE + 1), prev = new Int16Array(HISTORY_SIZE + 1).fill(-1);
  const hindex = new Int32Array(HISTORY_SIZE + 1), pos = new Int32Array(HISTORY_SIZE + 1);
  let histNext = 1, recycle = false;
  const sb = (i: number) => (src[i]! << 24) >> 24; // signed char
  const hashAt = (i: number) => (slen - i < 4 ? sb(i) : (sb(i) << 6) ^ (sb(i + 1) << 4) ^ (sb(i + 2) << 2) ^ sb(i + 3)) & mask;
  const histAdd = (i: number) => {
    const h = hashAt(i);
    const me = histNext;
    if (recycle) {
      // unlink the entry being reused from its old list (prev -1: it heads its list)
      if (prev[me] === -1) histStart[hindex[me]!] = next[me]!;
      else next[prev[me]!] = next[me]!;
      if (next[me] !== 0) prev[next[me]!] = prev[me]!;
    }
    next[me] = histStart[h]!;
    prev[me] = -1;
    hindex[me] = h;
    pos[me] = i;
    if (histStart[h] !== 0) prev[histStart[h]!] = me;
    histStart[h] = me;
    if (++histNext >= HISTORY_SIZE + 1) { histNext = 1; recycle = true; }
  };

  const out = new Uint8Array(slen + 4);
  let bp = 0, ctrlp = -1, ctrlb = 0, ctrl = 0, foundMatch = false;
  const outCtrl = () => {
    if ((ctrl & 0xff) === 0) {
      if (ctrlp >= 0) out[ctrlp] = ctrlb;
      ctrlp = bp++; ctrlb = 0; ctrl = 1;
    }
  };
  let dp = 0;
  while (dp < slen) {
    if (bp >= resultMax) return null;
    if (!foundMatch && bp >= FIRST_SUCCESS_BY) return null;
    // pglz_find_match
    let len = 0, off = 0, goodMatch = MATCH_SIZE_GOOD;
    for (let e = histStart[hashAt(dp)]!; e !== 0;) {
      const hp = pos[e]!;
      const thisoff = dp - hp;
      if (thisoff >= 0x0fff) break;
      let thislen = 0;
      if (len >= 16) {
        let same = true;
        for (let k = 0; k < len; k++) if (src[dp + k] !== src[hp + k]) { same = false; break; }
        if (same) {
          thislen = len;
          while (dp + thislen < slen && src[dp + thislen] === src[hp + thislen] && thislen < MAX_MATCH) thislen++;
        }
      } else {
        while (dp + thislen < slen && src[dp + thislen] === src[hp + thislen] && thislen < MAX_MATCH) thislen++;
      }
      if (thislen > len) { len = thislen; off = thisoff; }
      e = next[e]!;
      if (e !== 0) {
        if (len >= goodMatch) break;
        goodMatch -= Math.floor((goodMatch * MATCH_SIZE_DROP) / 100);
      }
    }
    if (len > 2) {
      // pglz_out_tag
      outCtrl();
      ctrlb |= ctrl; ctrl = (ctrl << 1) & 0x1ff;
      if (len > 17) {
        out[bp++] = ((off & 0xf00) >> 4) | 0x0f; out[bp++] = off & 0xff; out[bp++] = len - 18;
      } else {
        out[bp++] = ((off & 0xf00) >> 4) | (len - 3); out[bp++] = off & 0xff;
      }
      for (let k = 0; k < len; k++) histAdd(dp++);
      foundMatch = true;
    } else {
      // pglz_out_literal
      outCtrl();
      out[bp++] = src[dp]!;
      ctrl = (ctrl << 1) & 0x1ff;
      histAdd(dp++);
    }
  }
  if (ctrlp >= 0) out[ctrlp] = ctrlb;
  if (bp >= resultMax) return null;
  return out.slice(0, bp);
}

/** pglz_decompress: the raw bytes of a compressed image (a set control bit is a tag: length - 3 and offset). */
export function pglzDecompress(src: Uint8Array, rawSize: number): Uint8Array {
  const out = new Uint8Array(rawSize);
  let sp = 0, dp = 0;
  while (sp < src.length && dp < rawSize) {
    const ctrl = src[sp++]!;
    for (let bit = 0; bit < 8 && sp < src.length && dp < rawSize; bit++) {
      if (ctrl & (1 << bit)) {
        let len = (src[sp]! & 0x0f) + 3;
        const off = ((src[sp]! & 0xf0) << 4) | src[sp + 1]!;
        sp += 2;
        if (len === 18) len += src[sp++]!;
        for (len = Math.min(len, rawSize - dp); len > 0; len--, dp++) out[dp] = out[dp - off]!;
      } else out[dp++] = src[sp++]!;
    }
  }
  return out;
}
