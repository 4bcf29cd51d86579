/**
 * Enum types (CREATE TYPE name AS ENUM ('a', 'b')): a type whose values are a fixed list of labels. Each label is a
 * pg_enum row with an oid of its own and a float4 enumsortorder; a value of the type is stored as that oid — 4 bytes,
 * typalign 'i', like any oid — and compares by the sort order, so the declaration order is the ordering (not the
 * labels' text, not their oids):
 *
 *     CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
 *     SELECT 'sad'::mood < 'happy';                 -- t
 *     SELECT 'meh'::mood;                           -- 22P02 invalid input value for enum mood: "meh"
 *     ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';  -- sort order halfway between sad's and ok's
 *
 * A label ALTER TYPE ... ADD VALUE made inside a transaction block cannot be used before that transaction commits
 * (55P04 "unsafe use of new value"), even when the type itself is new in the transaction: an index built meanwhile
 * could hold a value whose pg_enum row rolls back.
 *
 * Mirrors: src/backend/catalog/pg_enum.c (EnumValuesCreate, AddEnumLabel's sort orders), utils/adt/enum.c (enum_in,
 * enum_out, enum_cmp, check_safe_enum_use, enum_first / enum_last / enum_range).
 * Simplifications: the catalog keeps the labels in memory (pg_enum is not readable as a relation); sort orders never
 * need RenumberEnumType (a float4 midpoint is taken as exact); no ALTER TYPE ... RENAME VALUE.
 */
import { PgError } from '../errors.js';

/** a pg_enum row: its oid, label and enumsortorder; addedInXact: made by ADD VALUE (nameXmin its transaction) */
export interface EnumLabel { oid: number; label: string; sortOrder: number; nameXmin?: number; added: boolean }
/** a pg_type row of typtype 'e' and its pg_enum rows in sort order */
export interface EnumType { oid: number; name: string; labels: EnumLabel[]; nameXmin?: number }

/** How enum input and output find the catalog's enum types: set by the executor for each statement it runs. */
export const enumLookup: {
  byName(name: string): EnumType | undefined;
  byOid(oid: number): EnumType | undefined;
  /** is this row (its xmin) visible to the running session, and is it the running transaction's own? */
  state(xmin: number | undefined): 'committed' | 'mine' | 'invisible';
} = { byName: () => undefined, byOid: () => undefined, state: () => 'committed' };

/** A value of an enum type: the label's oid, its text and its sort order (enum_cmp compares the sort orders). */
export class PgEnum {
  constructor(readonly typeOid: number, readonly oid: number, readonly label: string, readonly sortOrder: number) {}
  toString(): string { return this.label; }
  cmp(o: PgEnum): number { return this.sortOrder < o.sortOrder ? -1 : this.sortOrder > o.sortOrder ? 1 : 0; }
  key(): string { return 'e' + this.oid; }
}

/** the labels the running session's catalog snapshot sees */
export function visibleLabels(t: EnumType): EnumLabel[] {
  return t.labels.filter((l) => enumLookup.state(l.nameXmin) !== 'invisible');
}

/** check_safe_enum_use: a label ADD VALUE made in the running, uncommitted transaction refuses (55P04). */
function checkSafe(t: EnumType, l: EnumLabel): void {
  if (l.added && enumLookup.state(l.nameXmin) === 'mine') {
    throw new PgError('55P04', `unsafe use of new value "${l.label}" of enum type ${t.name}`, { hint: 'New enum values must be committed before they can be used.' });
  }
}

export const enumValue = (t: EnumType, l: EnumLabel): PgEnum => new PgEnum(t.oid, l.oid, l.label, l.sortOrder);

/** enum_in: the label's value, 22P02 for a label the type lacks. */
export function enumIn(s: string, typeOid: number): PgEnum {
  const t = enumLookup.byOid(typeOid);
  if (!t) throw new PgError('XX000', `cache lookup failed for type ${typeOid}`);
  const l = visibleLabels(t).find((x) => x.label === s);
  if (!l) throw new PgError('22P02', `invalid input value for enum ${t.name}: "${s}"`);
  checkSafe(t, l);
  return enumValue(t, l);
}

/** enum_range(lower, upper) over the sorted labels (a null bound: from the first / to the last). */
export function enumRange(t: EnumType, lo: PgEnum | null, hi: PgEnum | null): PgEnum[] {
  const out: PgEnum[] = [];
  for (const l of visibleLabels(t)) {
    if (lo && l.sortOrder < lo.sortOrder) continue;
    if (hi && l.sortOrder > hi.sortOrder) continue;
    checkSafe(t, l);
    out.push(enumValue(t, l));
  }
  return out;
}

/** enum_first / enum_last: null for an enum without labels. */
export function enumEndpoint(t: EnumType, last: boolean): PgEnum | null {
  const ls = visibleLabels(t);
  const l = last ? ls[ls.length - 1] : ls[0];
  if (!l) return null;
  checkSafe(t, l);
  return enumValue(t, l);
}
