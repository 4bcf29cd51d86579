import { describe, it, expect, beforeAll } from 'vitest';
import { initParser, parseSql } from '../../src/engine/sql/parser.js';
import { mergeJoinTree, checkReachable } from '../../src/engine/executor/nodeMerge.js';
import { PgError } from '../../src/engine/errors.js';

// The rules of transformMergeStmt / transform_MERGE_to_join that executor/nodeMerge.ts applies before any row is
// read; the behaviour around them is recorded in tests/scenarios/dml/merge/*.spec.
const merge = (sql: string) => parseSql(sql)[0]!.stmt.MergeStmt;
const clauses = (sql: string) => (merge(sql).mergeWhenClauses as { MergeWhenClause: unknown }[]).map((c) => c.MergeWhenClause as Record<string, unknown>);
const jointype = (sql: string) => mergeJoinTree(merge(sql)).joinItem.JoinExpr.jointype as string;

beforeAll(() => initParser());

describe('MERGE: the join of target and source (nodeMerge.ts mergeJoinTree)', () => {
  it('a WHEN NOT MATCHED ... INSERT needs the unmatched source rows: target RIGHT JOIN source', () => {
    expect(jointype('MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT VALUES (s.k)')).toBe('JOIN_RIGHT');
  });
  it('only WHEN MATCHED clauses, or NOT MATCHED ... DO NOTHING: an inner join (explain.spec srcalias)', () => {
    expect(jointype('MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN DELETE')).toBe('JOIN_INNER');
    expect(jointype('MERGE INTO t USING s ON t.k = s.k WHEN NOT MATCHED THEN DO NOTHING')).toBe('JOIN_INNER');
  });
  it('the target is the left input and the join condition is ON', () => {
    const m = merge('MERGE INTO t AS a USING s ON a.k = s.k WHEN MATCHED THEN DELETE');
    const { targetItem, joinItem } = mergeJoinTree(m);
    expect(joinItem.JoinExpr.larg).toBe(targetItem);
    expect(targetItem.RangeVar.alias.aliasname).toBe('a');
    expect(joinItem.JoinExpr.quals).toBe(m.joinCondition);
  });
});

describe('MERGE: unreachable WHEN clauses (transformMergeStmt)', () => {
  const fails = (sql: string) => {
    try { checkReachable(clauses(sql)); return null; } catch (e) { return e instanceof PgError ? `${e.sqlstate} ${e.message}` : String(e); }
  };
  it('a clause after an unconditional one of the same kind is 42601', () => {
    expect(fails('MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN DELETE WHEN MATCHED AND s.v > 1 THEN DELETE'))
      .toBe('42601 unreachable WHEN clause specified after unconditional WHEN clause');
  });
  it('the other kind, or a conditional clause before, is fine', () => {
    expect(fails('MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN DO NOTHING')).toBeNull();
    expect(fails('MERGE INTO t USING s ON t.k = s.k WHEN MATCHED AND s.v > 1 THEN DELETE WHEN MATCHED THEN DO NOTHING')).toBeNull();
  });
});
