/**
 * Domains (CREATE DOMAIN name AS type [DEFAULT e] [NOT NULL] [CHECK (VALUE ...)]): a base type with constraints. A
 * value of a domain is a value of its base type — stored, compared and computed with as that type (5::posint + 1
 * is an integer) — but every coercion to the domain (a cast, an INSERT or UPDATE of a column of the domain, the
 * column's default) runs CoerceToDomain: NOT NULL first (23502 "domain d does not allow null values"), then each
 * CHECK in name order with VALUE bound to the value (23514 'value for domain d violates check constraint "c"'; a
 * CHECK that is NULL passes). An unnamed CHECK is named d_check, d_check1, ... (ChooseConstraintName).
 *
 * Mirrors: src/backend/commands/typecmds.c (DefineDomain, domainAddConstraint), utils/adt/domains.c
 * (domain_check_input), executor/execExprInterp.c (ExecEvalConstraintNotNull / ExecEvalConstraintCheck).
 * Simplifications: domains over domains, arrays of a domain and ALTER DOMAIN are refused (0A000); a domain lives in
 * public only; a column of a domain is checked when written, not when the domain's constraints change.
 */
import type { SqlType, Value } from '../sql/types.js';

export interface DomainConstraint { name: string; expr: unknown }
/** a pg_type row of typtype 'd': its base type, DEFAULT, NOT NULL and CHECK constraints */
export interface DomainType {
  oid: number; name: string; base: SqlType; defaultExpr: unknown | null; notNull: boolean; checks: DomainConstraint[];
  nameXmin?: number;
}

/** How types and casts find the catalog's domains: set by the executor for each statement it runs. */
export const domainLookup: {
  byName(name: string): DomainType | undefined;
  /** CoerceToDomain for this domain: throws when the value violates one of its constraints */
  checker(oid: number): (v: Value) => void;
} = { byName: () => undefined, checker: () => () => {} };

/** a column or value type that is a domain: its base type with the domain's name and oid */
export const domainSqlType = (d: DomainType): SqlType => ({ ...d.base, domain: { oid: d.oid, name: d.name } });
