/**
 * The workspace as a scenario file (.spec, PostgreSQL's isolation-tester format): setup blocks, one session per
 * column, the path to the current step as a permutation.
 *
 * A step's SQL sits between "{" and "}", and the tester's scanner (specscanner.l, and ours in
 * scenario/spec.ts) ends it at the first "}": there is no way to quote one. So a statement containing "}" is
 * written in an equivalent spelling PostgreSQL reads as the same statement:
 *   '…}…'  a string            → E'…\x7D…'   (an escape string; its backslashes doubled)
 *   E'…}…'                     → E'…\x7D…'
 *   U&'…}…'                    → U&'…\007D…'
 *   "…}…"  a quoted identifier → U&"…\007D…" (backslashes doubled)
 *   $tag$…}…$tag$              → E'…\x7D…'   (quotes and backslashes escaped)
 *   a comment                  → its "}" become ")" (a comment changes nothing; the file says so)
 * A string continued on the next line ('a'\n'b}') is rewritten as a whole, since the continuation is read in the
 * mode of its first part. What cannot be respelled — a "}" outside any literal (PostgreSQL rejects that statement
 * anyway), in N'…', B'…', X'…' or in a string with a UESCAPE clause — makes the export refuse, naming the step.
 * This assumes standard_conforming_strings = on (PostgreSQL's default, and the only setting the engine has).
 *
 * Mirrors the lexer rules of src/backend/parser/scan.l as far as "where does a literal end" goes; nothing more.
 */
import type { LogEntry } from '../shared/api';

export class SpecExportError extends Error {}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z_0-9$\u0080-\uffff]/;

/** The SQL with every "}" respelled (see above), or a SpecExportError saying why it cannot be. */
export function specSafeSql(sql: string, where: string): { sql: string; commentsChanged: boolean; literalsChanged: boolean } {
  if (!sql.includes('}')) return { sql, commentsChanged: false, literalsChanged: false };
  let out = '';
  let i = 0;
  let commentsChanged = false, literalsChanged = false;
  const refuse = (why: string): never => { throw new SpecExportError(`${where} cannot be written to a .spec file: ${why} (the isolation tester ends a step at the first "}" and has no way to quote one)`); };
  /** a comment starting at i, or null */
  const comment = (at: number): string | null => {
    if (sql.startsWith('--', at)) {
      const end = sql.indexOf('\n', at);
      return sql.slice(at, end < 0 ? sql.length : end);
    }
    if (sql.startsWith('/*', at)) {
      let depth = 0, j = at;
      while (j < sql.length) {
        if (sql.startsWith('/*', j)) { depth++; j += 2; } else if (sql.startsWith('*/', j)) { depth--; j += 2; if (depth === 0) return sql.slice(at, j); } else j++;
      }
      return sql.slice(at); // unterminated: PostgreSQL reports it; the text is kept as it is
    }
    return null;
  };
  const cleanComment = (c: string) => { if (c.includes('}')) { commentsChanged = true; return c.replaceAll('}', ')'); } return c; };
  /** the body of a quoted literal starting at the opening quote `at` (doubled quotes stay inside); its end index */
  const quoted = (at: number, q: string, backslashEscapes: boolean): { body: string; end: number } => {
    let j = at + 1;
    while (j < sql.length) {
      const ch = sql[j]!;
      if (backslashEscapes && ch === '\\') { j += 2; continue; }
      if (ch === q) { if (sql[j + 1] === q) { j += 2; continue; } return { body: sql.slice(at + 1, j), end: j + 1 }; }
      j++;
    }
    return { body: sql.slice(at + 1), end: sql.length }; // unterminated: PostgreSQL reports it
  };
  /** whitespace with a newline (comments allowed) followed by a quote: a string continuation; returns its text */
  const continuation = (at: number): { gap: string; next: number } | null => {
    let j = at, newline = false;
    for (;;) {
      const c = comment(j);
      if (c !== null && c.startsWith('--')) { j += c.length; continue; }
      if (j < sql.length && /[ \t\n\r\f]/.test(sql[j]!)) { if (sql[j] === '\n' || sql[j] === '\r') newline = true; j++; continue; }
      break;
    }
    return newline && sql[j] === "'" ? { gap: sql.slice(at, j), next: j } : null;
  };
  /** a string literal (all its continued parts) starting at the quote `at`, in escape mode or not */
  const stringLiteral = (at: number, escapes: boolean) => {
    const parts: string[] = [];
    const gaps: string[] = [];
    let { body, end } = quoted(at, "'", escapes);
    parts.push(body);
    for (let c = continuation(end); c; c = continuation(end)) {
      gaps.push(c.gap);
      ({ body, end } = quoted(c.next, "'", escapes));
      parts.push(body);
    }
    return { parts, gaps, end };
  };
  const toEscaped = (part: string, escapes: boolean) => {
    if (!escapes) return part.replaceAll('\\', '\\\\').replaceAll('}', '\\x7D');
    let s = '';
    for (let j = 0; j < part.length; j++) {
      const ch = part[j]!;
      if (ch === '\\') { s += part[j + 1] === '}' ? '\\x7D' : ch + (part[j + 1] ?? ''); j++; } else s += ch === '}' ? '\\x7D' : ch;
    }
    return s;
  };
  const joinParts = (parts: string[], gaps: string[]) => {
    literalsChanged = true;
    return parts.map((p, k) => (k ? cleanComment(gaps[k - 1]!) : '') + `'${p}'`).join('');
  };

  while (i < sql.length) {
    const ch = sql[i]!;
    const c = comment(i);
    if (c !== null) { out += cleanComment(c); i += c.length; continue; }
    if (IDENT_START.test(ch)) {
      let j = i + 1;
      while (j < sql.length && IDENT_CONT.test(sql[j]!)) j++;
      const word = sql.slice(i, j);
      const upper = word.toUpperCase();
      if ((upper === 'E') && sql[j] === "'") {
        const lit = stringLiteral(j, true);
        const changed = lit.parts.some((p) => p.includes('}'));
        out += word + (changed ? joinParts(lit.parts.map((p) => toEscaped(p, true)), lit.gaps) : sql.slice(j, lit.end));
        i = lit.end;
        continue;
      }
      if (upper === 'U' && sql[j] === '&' && (sql[j + 1] === "'" || sql[j + 1] === '"')) {
        const q = sql[j + 1]!;
        const { body, end } = quoted(j + 1, q, false);
        if (body.includes('}')) {
          if (/^\s*UESCAPE\b/i.test(sql.slice(end))) refuse('a Unicode literal with a UESCAPE clause contains "}"');
          out += `${word}&${q}${body.replaceAll('}', '\\007D')}${q}`;
          literalsChanged = true;
        } else out += sql.slice(i, end);
        i = end;
        continue;
      }
      if ((upper === 'N' || upper === 'B' || upper === 'X') && sql[j] === "'") {
        const lit = stringLiteral(j, false);
        if (lit.parts.some((p) => p.includes('}'))) refuse(`a ${upper}'…' literal contains "}"`);
        out += sql.slice(i, lit.end);
        i = lit.end;
        continue;
      }
      out += word;
      i = j;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < sql.length && /[0-9A-Za-z_.]/.test(sql[j]!)) j++;
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    if (ch === "'") {
      const lit = stringLiteral(i, false);
      out += lit.parts.some((p) => p.includes('}')) ? 'E' + joinParts(lit.parts.map((p) => toEscaped(p, false)), lit.gaps) : sql.slice(i, lit.end);
      i = lit.end;
      continue;
    }
    if (ch === '"') {
      const { body, end } = quoted(i, '"', false);
      if (body.includes('}')) { out += `U&"${body.replaceAll('\\', '\\\\').replaceAll('}', '\\007D')}"`; literalsChanged = true; } else out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (ch === '$') {
      const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      if (m) {
        const close = sql.indexOf(m[0], i + m[0].length);
        const end = close < 0 ? sql.length : close + m[0].length;
        const body = sql.slice(i + m[0].length, close < 0 ? sql.length : close);
        if (!body.includes('}')) out += sql.slice(i, end);
        else if (close < 0) refuse('an unterminated dollar-quoted string contains "}"');
        else { out += `E'${body.replaceAll('\\', '\\\\').replaceAll("'", "''").replaceAll('}', '\\x7D')}'`; literalsChanged = true; }
        i = end;
        continue;
      }
    }
    if (ch === '}') refuse('it has a "}" outside any string, quoted name or comment');
    out += ch;
    i++;
  }
  return { sql: out, commentsChanged, literalsChanged };
}

/** Write the steps (the path to the current one) as a .spec file; throws SpecExportError if a step cannot be. */
export function toSpec(entries: readonly LogEntry[], sessionNames: readonly string[]): string {
  const notes: string[] = [];
  const block = (sql: string, where: string) => {
    const r = specSafeSql(sql, where);
    if (r.commentsChanged) notes.push(`# ${where}: "}" in a comment written as ")"`);
    if (r.literalsChanged) notes.push(`# ${where}: "}" inside a literal written as an escape (\\x7D or \\007D)`);
    return `{ ${r.sql} }`;
  };
  const setup: string[] = [];
  const steps = new Map<string, string[]>();
  const perm: string[] = [];
  for (const s of sessionNames) steps.set(s, []);
  for (const e of entries) {
    if (e.kind === 'advance') { perm.push(`+${e.ms}ms`); continue; }
    if (e.kind === 'server') {
      if (e.action === 'full_page_writes') { notes.push(`# full_page_writes = ${e.arg} is a server setting a .spec cannot hold: left out`); continue; }
      if (e.action === 'configure') { notes.push(`# ${e.arg} was set in postgresql.conf midway: left out (a "#! server ${e.arg}" line sets it from the start)`); continue; }
      if (e.action === 'consume_xids') { notes.push(`# Heapscope's xid shortcut (next xid ${e.arg}) has no isolation-tester form: left out`); continue; }
      perm.push(`@${e.action}${e.arg !== undefined && e.arg !== 'now' ? `:${e.arg}` : ''}`);
      continue;
    }
    if (e.kind !== 'sql') continue; // "wait until it finishes": the isolation tester waits by itself
    if (e.session === 'setup') { setup.push(`setup ${block(e.sql, `setup block ${setup.length + 1}`)}`); continue; }
    const list = steps.get(e.session) ?? [];
    steps.set(e.session, list);
    const name = `${e.session}_${list.length + 1}`;
    if (e.cancelAfterChunks !== undefined) notes.push(`# step ${name} was cancelled in Heapscope after ${e.cancelAfterChunks} chunk(s); here it runs to the end`);
    list.push(`step ${name} ${block(e.sql, `step ${name}`)}`);
    perm.push(name);
  }
  let out = '# exported from Heapscope\n';
  for (const n of notes) out += `${n}\n`;
  for (const s of setup) out += `${s}\n`;
  for (const [sess, list] of steps) {
    if (!list.length) continue;
    out += `\nsession ${sess}\n`;
    for (const st of list) out += `${st}\n`;
  }
  if (perm.length) out += `\npermutation ${perm.join(' ')}\n`;
  return out;
}
