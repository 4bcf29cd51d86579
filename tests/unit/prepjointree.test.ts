import { describe, it, expect, beforeAll } from 'vitest';
import { initParser, parseSql } from '../../src/engine/sql/parser.js';
import { reduceOuterJoins, nonNullableRels } from '../../src/engine/optimizer/prepjointree.js';

type N = Record<string, any>;
const select = (sql: string): N => (parseSql(sql)[0]!.stmt as N).SelectStmt;
const relOf = (f: string[]) => (f.length === 2 ? f[0]! : ({ v: 't', w: 'u', c: 'n' } as Record<string, string>)[f[0]!] ?? null);
const leafName = (f: N) => f.RangeVar.alias?.aliasname ?? f.RangeVar.relname;
/** the join types after reduction, top-down, left to right */
const types = (sql: string): string[] => {
  const q = select(sql);
  const out: string[] = [];
  const walk = (f: N) => { if (!f.JoinExpr) return; out.push(f.JoinExpr.jointype.replace('JOIN_', '')); walk(f.JoinExpr.larg); walk(f.JoinExpr.rarg); };
  reduceOuterJoins(q.fromClause, q.whereClause, relOf, leafName).forEach(walk);
  return out;
};

beforeAll(async () => { await initParser(); });

describe('reduce_outer_joins (optimizer/prepjointree.ts)', () => {
  it('a strict WHERE condition on the nullable side makes a LEFT JOIN inner', () => {
    expect(types('SELECT * FROM t LEFT JOIN u ON t.k = u.k WHERE u.w > 1')).toEqual(['INNER']);
    expect(types('SELECT * FROM t LEFT JOIN u ON t.k = u.k WHERE w IS NOT NULL')).toEqual(['INNER']);
    expect(types('SELECT * FROM t LEFT JOIN u ON t.k = u.k WHERE t.v > 1')).toEqual(['LEFT']);
    expect(types('SELECT * FROM t RIGHT JOIN u ON t.k = u.k WHERE t.v = 20')).toEqual(['INNER']);
  });
  it('a FULL JOIN keeps the sides WHERE does not force non-NULL', () => {
    expect(types('SELECT * FROM t FULL JOIN u ON t.k = u.k WHERE t.v > 10')).toEqual(['LEFT']);
    expect(types('SELECT * FROM t FULL JOIN u ON t.k = u.k WHERE u.w = 2')).toEqual(['RIGHT']);
    expect(types('SELECT * FROM t FULL JOIN u ON t.k = u.k WHERE u.w = 2 AND t.v > 1')).toEqual(['INNER']);
    expect(types('SELECT * FROM t FULL JOIN u ON t.k = u.k WHERE coalesce(u.w, 0) > 1')).toEqual(['FULL']);
    expect(types('SELECT * FROM t FULL JOIN u ON t.k = u.k WHERE u.w IS NULL')).toEqual(['FULL']);
  });
  it('an inner join above passes its ON conditions down; nothing crosses a FULL JOIN', () => {
    expect(types('SELECT * FROM t FULL JOIN u ON t.k = u.k JOIN n ON n.a = t.k')).toEqual(['INNER', 'LEFT']);
    expect(types('SELECT * FROM (t LEFT JOIN u ON t.k = u.k) FULL JOIN n ON n.a = u.k WHERE n.c > 1')).toEqual(['RIGHT', 'INNER']);
  });
  it('OR is strict only for the relations every arm forces', () => {
    const w = (sql: string) => [...nonNullableRels(select(`SELECT 1 WHERE ${sql}`).whereClause, relOf)].sort();
    expect(w('u.w > 1 OR u.w < -1')).toEqual(['u']);
    expect(w('u.w > 1 OR t.v < 1')).toEqual([]);
    expect(w('u.w > 1 AND t.v < 1')).toEqual(['t', 'u']);
    expect(w('u.w IS DISTINCT FROM 1')).toEqual([]);
  });
  it('leaves the FROM list alone (same array) when nothing reduces', () => {
    const q = select('SELECT * FROM t LEFT JOIN u ON t.k = u.k WHERE t.v > 1');
    expect(reduceOuterJoins(q.fromClause, q.whereClause, relOf, leafName)).toBe(q.fromClause);
  });
});
