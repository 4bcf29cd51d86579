/**
 * UTF-8 arithmetic for positions: the parser counts bytes (parse-tree locations), PostgreSQL reports characters.
 */
/** UTF-8 length of the first `chars` UTF-16 units of s. */
export function utf8Len(s: string, chars = s.length): number {
  let n = 0;
  for (let i = 0; i < chars; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? (i++, 4) : 3;
  }
  return n;
}

/** The character index (UTF-16 units) at a byte offset of the UTF-8 encoding of sql. */
export function byteToCharPosition(sql: string, bytePos: number): number {
  let bytes = 0, i = 0;
  while (i < sql.length && bytes < bytePos) {
    const c = sql.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) { bytes += 4; i += 2; } else { bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3; i++; }
  }
  return i;
}

/** The UTF-8 bytes of s (TextEncoder without depending on a DOM or Node library). */
export function utf8Bytes(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}
