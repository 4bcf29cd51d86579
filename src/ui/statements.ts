/**
 * Splitting an editor's text into statements (for "run the statement under the cursor"), respecting quotes,
 * dollar quotes and comments. Offsets are character offsets in the text.
 */
export interface StatementSpan { text: string; start: number; end: number }

export function splitStatements(src: string): StatementSpan[] {
  const out: StatementSpan[] = [];
  let start = 0, i = 0;
  const n = src.length;
  const push = (end: number) => {
    const raw = src.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text && !/^(--[^\n]*\s*)+$/.test(text)) out.push({ text, start: start + lead, end: start + lead + text.length });
  };
  while (i < n) {
    const c = src[i]!;
    if (c === "'" || c === '"') {
      i++;
      while (i < n && !(src[i] === c && src[i + 1] !== c)) i += src[i] === c ? 2 : 1;
      i++;
    } else if (c === '-' && src[i + 1] === '-') {
      while (i < n && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const e = src.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
    } else if (c === '$') {
      const m = /^\$[A-Za-z_]*\$/.exec(src.slice(i));
      if (m) { const e = src.indexOf(m[0], i + m[0].length); i = e < 0 ? n : e + m[0].length; } else i++;
    } else if (c === ';') {
      push(i + 1);
      start = i + 1;
      i++;
    } else i++;
  }
  push(n);
  return out;
}

/** The statement containing the cursor (or the nearest one before it). */
export function statementAt(src: string, cursor: number): StatementSpan | null {
  const all = splitStatements(src);
  if (!all.length) return null;
  let best: StatementSpan | null = null;
  for (const s of all) {
    if (cursor >= s.start && cursor <= s.end) return s;
    if (s.end <= cursor) best = s;
  }
  return best ?? all[0]!;
}
