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
