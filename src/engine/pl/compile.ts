/**
 * PL/pgSQL compilation: a function's body turned into the tree the interpreter walks (pl/exec.ts).
 *
 * PostgreSQL compiles a PL/pgSQL function the first time a backend calls it (plpgsql_compile) and again after
 * CREATE OR REPLACE; CREATE FUNCTION itself runs the validator, which compiles the body once so that a syntax
 * error is reported at CREATE. The compiler is a bison grammar (pl_gram.y) of its own: it knows the control
 * statements (IF, LOOP, RAISE, RETURN, ...) and their variables, but every SQL expression and statement inside is
 * kept as text (a PLpgSQL_expr) that the main SQL parser sees only when the statement runs — through SPI, as a
 * query of its own, its variables turned into parameters.
 *
 * Here the compiler is PostgreSQL's own: libpg-query's parsePlPgSQLSync (sql/parser.ts parsePlpgsql, loaded on
 * demand) is pl_gram.y compiled to WebAssembly and hands back the PLpgSQL_function as JSON — the datums (every
 * variable, record and row target, numbered by dno as in the C structs), and the statement tree
 * (PLpgSQL_stmt_block, _if, _fori, _raise, ...). This module reads that JSON into a PlFunction: the datums with
 * their types resolved, and a name → dno map for expressions. The SQL inside (expressions, queries) is text, parsed
 * when it runs by the SQL parser, PostgreSQL 15's.
 *
 * Mirrors: src/pl/plpgsql/src/pl_comp.c (plpgsql_compile, do_compile, plpgsql_parse_word), pl_handler.c
 * (plpgsql_validator, plpgsql_inline_handler for DO).
 * Simplifications: the grammar's JSON does not record which block declared a variable (initvarnos), so only the
 * outermost block may have a DECLARE section (a nested one is 0A000) and names inside expressions are resolved
 * against all the function's variables by name (an integer FOR loop's variable is visible inside its loop only,
 * hiding an outer one of the same name, as in PostgreSQL);
 * a %ROWTYPE variable is a record; a variable of a type Heapscope does not model fails with 0A000 when used; an
 * array variable is assigned as a whole (an element assignment, a[1] := x, is 0A000); cursor variables
 * (refcursor) are opened, fetched and closed by pl/cursor.ts.
 */
import { PgError, notSupported } from '../errors.js';
import { type SqlType, resolveTypeName, T } from '../sql/types.js';
import { parseSql, parsePlpgsql } from '../sql/parser.js';

type N = Record<string, any>;

/** One datum: a scalar variable, a record (NEW, OLD, FOR rec IN ...), a row (an INTO list) or a record field. */
export type Datum =
  | { kind: 'var'; name: string; typeName: string; type: SqlType | null; typeError: PgError | null; isConst: boolean; defaultExpr: N | null; notNull: boolean;
    /** a bound cursor (DECLARE c CURSOR [(args)] FOR query): its query, options, argument row (-1: none) and
     *  the argument variables (visible only inside the cursor's query) */
    cursor?: { query: N; options: number; argrow: number; args: { name: string; varno: number }[] }; }
  /** generic: declared `record` (its row type is known only at run time: `r.*` cannot be expanded) */
  | { kind: 'rec'; name: string; generic: boolean;
    /** declared of a named row type (`r pair`, `x t`): a NULL of that type until assigned, its fields assignable */
    rowType?: SqlType; }
  | { kind: 'row'; name: string; fields: { name: string; varno: number }[] }
  | { kind: 'recfield'; name: string; rec: number };

export interface PlFunction {
  datums: Datum[];
  action: N;
  /** lower-cased variable name → dno (a record's fields are reached through the record); integer loop variables
   *  are not here but in `loopVars` (the fori statement → its variable's dno), visible only inside their loop */
  names: Map<string, number>;
  loopVars: Map<object, number>;
  /** the trigger datums' numbers, when this is a trigger function */
  newVarno: number | null;
  oldVarno: number | null;
  outParamVarno: number | null;
}

/** A PL/pgSQL type name as the grammar keeps it ("integer", "numeric(10,2)", "t%rowtype") resolved to a type. */
export function plType(typname: string): SqlType {
  if (typname === 'name') return T.text; // name behaves as text here (no 63-byte limit)
  const stmts = parseSql(`SELECT NULL::${typname}`);
  const tc = stmts[0]?.stmt.SelectStmt?.targetList?.[0]?.ResTarget?.val?.TypeCast;
  if (!tc) throw new PgError('42704', `type "${typname}" does not exist`);
  const tn = tc.typeName;
  // the parse cache lifts integer literals out of the tree (sql/parser.ts): their values come with the statement
  const lits = stmts[0]!.literals;
  const typmods = (tn.typmods ?? []).map((m: N) => lits?.get(m.A_Const?.location) ?? m.A_Const?.ival?.ival ?? 0);
  return resolveTypeName(tn.names.map((x: N) => x.String.sval), typmods, undefined, tn.arrayBounds);
}

/**
 * Does a block other than the outermost one have a DECLARE section? (The grammar's JSON does not say which block
 * declared which variable, so such functions are refused rather than run with the wrong initialisation.)
 */
export function nestedDeclare(body: string): boolean {
  const code = body.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""');
  const n = (code.match(/\bdeclare\b/gi) ?? []).length;
  const top = /^\s*(?:<<\s*\w+\s*>>\s*)?declare\b/i.test(code);
  return n > (top ? 1 : 0);
}

/**
 * PostgreSQL 15's read_cursor_args knows only `name := value` for a named cursor argument (`=>` came in 16, and
 * the PL/pgSQL grammar here is 18's: sql/parser.ts): an `=>` between the parentheses after OPEN c / IN c, for a
 * cursor with arguments, is PostgreSQL 15's syntax error.
 */
export function cursorArrow(body: string, cursors: string[]): boolean {
  if (!cursors.length) return false;
  const code = body.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/'(?:[^']|'')*'/g, "''");
  const re = /\b(?:open|in)\s+("?)([A-Za-z_][A-Za-z0-9_$]*)\1\s*\(/gi;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    if (!cursors.includes(m[1] ? m[2]! : m[2]!.toLowerCase())) continue;
    let depth = 1, i = re.lastIndex;
    for (; i < code.length && depth > 0; i++) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')') depth--;
      else if (depth === 1 && code.startsWith('=>', i)) return true;
    }
  }
  return false;
}

/** The body line an error is about: the first line holding the token the message quotes (else the first line). */
function lineOf(body: string, msg: string): number {
  const tok = /"([^"]+)"/.exec(msg)?.[1] ?? (/RAISE/.test(msg) ? 'RAISE' : null);
  if (!tok) return 1;
  const lines = body.split('\n');
  const i = lines.findIndex((l) => l.toLowerCase().includes(tok.toLowerCase()));
  return i < 0 ? 1 : i + 1;
}

const isRecordType = (typname: string) => typname === 'record' || /%rowtype$/i.test(typname);

/**
 * Compile a CREATE FUNCTION statement's text (or the one a DO block is wrapped in) with PostgreSQL's PL/pgSQL
 * grammar. A syntax error is 42601 with the grammar's message, as plpgsql_validator reports it.
 */
export function compilePlpgsql(createText: string, columnType?: (rel: string, col: string) => SqlType | null,
  where?: { name: string; body: string }): PlFunction {
  let tree: N;
  try {
    tree = parsePlpgsql(createText) as N;
  } catch (e) {
    const msg = String((e as Error).message ?? e).replace(/^Error: /, '');
    const code = /^unrecognized exception condition|^type .* does not exist/.test(msg) ? '42704' : /^relation .* does not exist/.test(msg) ? '42P01' : '42601';
    const err = new PgError(code, msg);
    // plpgsql_compile_error_callback: an error with a cursor position (a syntax error) is moved to the statement's
    // position and has no CONTEXT; any other gets "compilation of PL/pgSQL function ... near line N"
    const positional = /^syntax error|^unterminated|is not a known variable|^mismatched/.test(msg);
    if (where && !positional) err.context = `compilation of PL/pgSQL function "${where.name}" near line ${lineOf(where.body, msg)}`;
    throw err;
  }
  if (where && nestedDeclare(where.body)) {
    throw notSupported('DECLARE in a nested block (Heapscope initialises variables once, at the start of the function; PostgreSQL at each entry to their block)');
  }
  const fn = tree.plpgsql_funcs?.[0]?.PLpgSQL_function as N | undefined;
  if (!fn) throw new PgError('42601', 'the PL/pgSQL parser returned no function');
  const withArgs = ((fn.datums ?? []) as N[]).filter((d) => (d.PLpgSQL_var?.cursor_explicit_argrow ?? -1) >= 0).map((d) => String(d.PLpgSQL_var.refname));
  if (where && cursorArrow(where.body, withArgs)) throw new PgError('42601', 'syntax error at or near "=>"');
  const datums: Datum[] = ((fn.datums ?? []) as N[]).map((d) => {
    const k = Object.keys(d)[0]!;
    const v = d[k];
    if (k === 'PLpgSQL_var') {
      const typname = (v.datatype?.PLpgSQL_type?.typname ?? 'text') as string;
      if (isRecordType(typname)) return { kind: 'rec', name: v.refname, generic: typname === 'record' } as Datum;
      let type: SqlType | null = null, typeError: PgError | null = null;
      const pct = /^([a-z_][a-z0-9_$]*)\.([a-z_][a-z0-9_$]*)%type$/i.exec(typname);
      try {
        if (pct) {
          type = columnType?.(pct[1]!.toLowerCase(), pct[2]!.toLowerCase()) ?? null;
          if (!type) throw new PgError('42P01', `relation "${pct[1]}" does not exist`);
        } else type = plType(typname);
      } catch (err) { typeError = err instanceof PgError ? err : new PgError('XX000', String(err)); }
      if (type?.name === 'record' && type.composite?.relName) return { kind: 'rec', name: v.refname, generic: false, rowType: type } as Datum;
      const ce = v.cursor_explicit_expr;
      const argrow = (v.cursor_explicit_argrow ?? -1) as number;
      const argFields = (argrow >= 0 ? (fn.datums as N[])[argrow]?.PLpgSQL_row?.fields ?? [] : []) as N[];
      const args = argFields.map((f) => ({ name: f.name as string, varno: (f.varno ?? 0) as number }));
      const cursor = ce ? { query: ce.PLpgSQL_expr, options: v.cursor_options ?? 0, argrow, args } : undefined;
      return { kind: 'var', name: v.refname, typeName: typname, type, typeError, isConst: !!v.isconst, defaultExpr: v.default_val ?? null, notNull: !!v.notnull, cursor };
    }
    // a trigger's NEW / OLD carry no declared type: they have the trigger relation's row type
    if (k === 'PLpgSQL_rec') {
      const typname = v.datatype?.PLpgSQL_type?.typname as string | undefined;
      // declared of a named row type (a composite type's, a table's): its fields are known before it is assigned
      let rowType: SqlType | undefined;
      if (typname && typname !== 'record' && !/%rowtype$/i.test(typname)) {
        try { const t = plType(typname); if (t.composite?.relName) rowType = t; } catch { /* left to the first use */ }
      }
      return rowType ? { kind: 'rec', name: v.refname, generic: false, rowType } : { kind: 'rec', name: v.refname, generic: typname === 'record' };
    }
    if (k === 'PLpgSQL_row') return { kind: 'row', name: v.refname, fields: (v.fields ?? []).map((f: N) => ({ name: f.name, varno: f.varno ?? 0 })) };
    if (k === 'PLpgSQL_recfield') return { kind: 'recfield', name: v.fieldname, rec: v.recparentno ?? 0 };
    throw notSupported(`the PL/pgSQL datum ${k}`);
  });
  // FOR i IN a..b declares i for the loop's body only: find each integer loop's own datum (the k-th loop with that
  // name on that line owns the k-th such datum: both are numbered in parse order); those names are visible only
  // inside their loop (PlFrame.scoped)
  const loopVars = new Map<object, number>();
  const used = new Set<number>();
  const walk = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(walk); return; }
    const o = x as N;
    if (o.PLpgSQL_stmt_fori) {
      const v = o.PLpgSQL_stmt_fori.var?.PLpgSQL_var ?? {};
      const i = datums.findIndex((d, k) => !used.has(k) && d.kind === 'var' && d.name === v.refname && (d as { lineno?: number }).lineno === v.lineno);
      if (i >= 0) { used.add(i); loopVars.set(o.PLpgSQL_stmt_fori, i); }
    }
    // FOR r IN cursor declares its own record r for the loop (plpgsql_build_record in pl_gram.y's for_control)
    if (o.PLpgSQL_stmt_forc) {
      const dno = o.PLpgSQL_stmt_forc.var?.PLpgSQL_rec?.dno;
      if (typeof dno === 'number') { used.add(dno); loopVars.set(o.PLpgSQL_stmt_forc, dno); }
    }
    for (const k in o) walk(o[k]);
  };
  ((fn.datums ?? []) as N[]).forEach((d, i) => { const v = d.PLpgSQL_var; if (v && datums[i]!.kind === 'var') (datums[i] as { lineno?: number }).lineno = v.lineno; });
  walk(fn.action);
  // a cursor's arguments are names of its query only (pl_gram.y pushes them for the query, then pops them)
  for (const d of datums) if (d.kind === 'var' && d.cursor) for (const a of d.cursor.args) used.add(a.varno);
  const names = new Map<string, number>();
  datums.forEach((d, i) => { if ((d.kind === 'var' || d.kind === 'rec') && !used.has(i)) names.set(d.name.toLowerCase(), i); });
  const newVarno = fn.new_varno !== undefined || datums[0]?.name === 'new' ? (fn.new_varno ?? 0) : null;
  const oldVarno = fn.old_varno !== undefined ? fn.old_varno : null;
  return { datums, action: fn.action, names, loopVars, newVarno, oldVarno, outParamVarno: fn.out_param_varno ?? null };
}
