/**
 * A PL/pgSQL call's variables (PLpgSQL_execstate's datums) and how SQL inside the function sees them.
 *
 * Every expression and SQL statement of a PL/pgSQL function is a query of its own, parsed by the main SQL parser;
 * where it names a variable, PostgreSQL's parser hooks (plpgsql_pre_column_ref / plpgsql_post_column_ref,
 * plpgsql_param_ref) turn the name into a parameter whose value is read from the datum when the query runs. Here
 * the same happens through the expression compiler's environment (ExprEnv.plVar / plParam): a name that is a
 * variable compiles to a closure reading the variable's slot. A name that is both a variable and a column of a
 * table in the query is 42702 (plpgsql.variable_conflict = error, PostgreSQL's default).
 *
 * Records (NEW, OLD, `r record`) hold a row of named, typed fields; `rec.field` in SQL reads one field.
 * record_out prints a record as PostgreSQL's record output function does: (a,b), fields quoted when needed.
 *
 * Mirrors: src/pl/plpgsql/src/pl_comp.c (plpgsql_pre_column_ref, resolve_column_ref, plpgsql_param_ref),
 * pl_exec.c (plpgsql_param_fetch), utils/adt/rowtypes.c (record_out).
 * A whole record inside a larger expression is a row value of its fields (its declared row type, or for a generic
 * `record` the fields it holds when the expression is compiled). Simplifications: a generic record's expression
 * is not recompiled when a later assignment changes its fields.
 */
import { PgError, posOf } from '../errors.js';
import type { Compiled, Scope } from '../sql/expr.js';
import { type SqlType, type Value, T } from '../sql/types.js';
import type { PlFunction } from './compile.js';
import { recordOut as rowRecordOut, PgRecord, recordType } from '../adt/rowtypes.js';

/** A record's value; `isNull` a NULL of a known row type (a trigger's NEW in DELETE, OLD in INSERT: fields read NULL) */
export interface PlRecord { names: string[]; types: SqlType[]; vals: Value[]; isNull?: boolean }
export type Slot = { kind: 'var'; value: Value; type: SqlType | null } | { kind: 'rec'; rec: PlRecord | null } | { kind: 'none' };

/** A NULL of a named row type: its fields known, each NULL (a declared `r pair` before it is assigned). */
export function nullRecord(t: SqlType): PlRecord {
  const fields = t.composite?.fields ?? [];
  return { names: fields.map((f) => f.name), types: fields.map((f) => f.type), vals: fields.map(() => null), isNull: true };
}

/** What the expression compiler asks a PL/pgSQL call about the names and $n of the query it compiles. */
export interface PlNames {
  variable(names: string[], scope: Scope, location: number | undefined): Compiled | null;
  param(n: number, location: number | undefined): Compiled | null;
}

/** record_out (adt/rowtypes.ts): (v1,v2), a NULL field empty, a field quoted when it is empty or holds ( ) , " \ or white space. */
export function recordOut(r: PlRecord): string {
  return rowRecordOut(r.vals);
}

export class PlFrame implements PlNames {
  slots: Slot[];
  /** GET DIAGNOSTICS ROW_COUNT: rows the last SQL statement processed */
  rowCount = 0;
  /** the error an EXCEPTION handler is handling (bare RAISE, GET STACKED DIAGNOSTICS) */
  caught: PgError[] = [];
  constructor(readonly fn: PlFunction, readonly sig: string, readonly params: { value: Value; type: SqlType }[]) {
    this.slots = fn.datums.map((d) => (d.kind === 'var' ? { kind: 'var', value: null, type: d.type } : d.kind === 'rec' ? { kind: 'rec', rec: d.rowType ? nullRecord(d.rowType) : null } : { kind: 'none' }));
  }

  /** the integer loop variables of the loops being run, innermost last: they hide outer names */
  scoped: { name: string; dno: number }[] = [];
  dnoOf(name: string): number | undefined {
    const l = name.toLowerCase();
    for (let i = this.scoped.length - 1; i >= 0; i--) if (this.scoped[i]!.name === l) return this.scoped[i]!.dno;
    return this.fn.names.get(l);
  }

  variable(names: string[], scope: Scope, location: number | undefined): Compiled | null {
    const dno = this.dnoOf(names[0]!);
    if (dno === undefined) return null;
    const slot = this.slots[dno]!;
    if (names.length === 1) {
      if (slot.kind === 'rec') return this.wholeRecord(dno, names[0]!, scope, location);
      if (slot.kind !== 'var') return null;
      if (scope.columns.some((c) => !c.dropped && c.name === names[0])) {
        throw new PgError('42702', `column reference "${names[0]}" is ambiguous`, { detail: 'It could refer to either a PL/pgSQL variable or a table column.', position: posOf(location) });
      }
      const d = this.fn.datums[dno]!;
      if (!slot.type && d.kind === 'var' && d.typeError) throw d.typeError;
      const s = slot;
      return { fn: () => s.value, type: s.type ?? T.text, name: names[0]!, strength: 2 };
    }
    if (names.length === 2 && slot.kind === 'rec') {
      const rec = slot.rec;
      if (!rec) throw new PgError('55000', `record "${names[0]}" is not assigned yet`, { detail: 'The tuple structure of a not-yet-assigned record is indeterminate.' });
      const i = rec.names.indexOf(names[1]!);
      if (i < 0) throw new PgError('42703', `record "${names[0]}" has no field "${names[1]}"`);
      const s = slot;
      return { fn: () => s.rec?.vals[i] ?? null, type: rec.types[i]!, name: names[1]!, strength: 2 };
    }
    return null;
  }

  /**
   * A whole record variable inside a larger expression (`length(r::text)`, `f(r)`): a row value of its fields, typed
   * as its declared row type or, for a generic `record`, the fields it holds when the expression is compiled.
   */
  private wholeRecord(dno: number, name: string, scope: Scope, location: number | undefined): Compiled {
    if (scope.columns.some((c) => !c.dropped && c.name === name)) {
      throw new PgError('42702', `column reference "${name}" is ambiguous`, { detail: 'It could refer to either a PL/pgSQL variable or a table column.', position: posOf(location) });
    }
    const slot = this.slots[dno] as Extract<Slot, { kind: 'rec' }>;
    const d = this.fn.datums[dno]!;
    const declared = d.kind === 'rec' ? d.rowType : undefined;
    const rec = slot.rec;
    if (!declared && !rec) throw new PgError('55000', `record "${name}" is not assigned yet`, { detail: 'The tuple structure of a not-yet-assigned record is indeterminate.' });
    const type = declared ?? recordType(rec!.names.map((n, i) => ({ name: n, type: rec!.types[i]! })), null);
    return { fn: () => (slot.rec && !slot.rec.isNull ? new PgRecord(slot.rec.vals.slice()) : null), type, name, strength: 2 };
  }

  /** `rec.*`: the fields of a record variable of a known row type (NEW, OLD, `r t%ROWTYPE`), one column each;
   *  a FROM item of the same name makes it ambiguous (plpgsql.variable_conflict = error); a generic `record` cannot
   *  be expanded (its row type is not known when the statement is planned) */
  recordFields(name: string, location: number | undefined, fromItem: boolean): string[] | null {
    const dno = this.dnoOf(name);
    if (dno === undefined) return null;
    const slot = this.slots[dno]!;
    if (slot.kind !== 'rec') return null;
    if (fromItem) {
      throw new PgError('42702', `column reference "${name}.*" is ambiguous`, { detail: 'It could refer to either a PL/pgSQL variable or a table column.', position: posOf(location) });
    }
    const d = this.fn.datums[dno]!;
    if (d.kind === 'rec' && d.generic) throw new PgError('42809', 'record type has not been registered');
    if (!slot.rec) throw new PgError('55000', `record "${name}" is not assigned yet`, { detail: 'The tuple structure of a not-yet-assigned record is indeterminate.' });
    return [...slot.rec.names];
  }

  param(n: number, _location: number | undefined): Compiled | null {
    if (n < 1 || n > this.params.length) return null;
    const slot = this.slots[n - 1];
    if (!slot || slot.kind !== 'var') return null;
    return { fn: () => slot.value, type: slot.type ?? T.text, name: '?column?', strength: 0 };
  }
}

/** The names a dynamic EXECUTE sees: only $1, $2 … of its USING list (constants), no variables. */
export class UsingParams implements PlNames {
  constructor(readonly values: { value: Value; type: SqlType }[]) {}
  variable(): Compiled | null { return null; }
  param(n: number): Compiled | null {
    const p = this.values[n - 1];
    if (!p) return null;
    const v = p.value;
    return { fn: () => v, type: p.type, name: '?column?', strength: 0 };
  }
}
