/**
 * The cursor position arithmetic (src/engine/tcop/pquery.ts, PostgreSQL's DoPortalRunFetch / PortalRunSelect /
 * DoPortalRewind): each FETCH / MOVE's tag count and rows on a 6-row cursor, in the order PostgreSQL 15 answered them
 * (the same sequence is recorded from a real server in tests/messages/cursors.expected.json), the NO SCROLL rules,
 * and how far a forward-only pull must read (fetchTarget).
 */
import { describe, it, expect } from 'vitest';
import { FETCH_ALL, newPosition, portalRunFetch, currentRow, type FetchDirection } from '../../src/engine/tcop/pquery.js';
import { fetchTarget } from '../../src/engine/commands/portalcmds.js';
import { PgError } from '../../src/engine/errors.js';

type Step = [FetchDirection, number, boolean, number, number[]];
const F = 'FETCH_FORWARD', B = 'FETCH_BACKWARD', A = 'FETCH_ABSOLUTE', R = 'FETCH_RELATIVE';

describe('PortalRunFetch on a SCROLL cursor of 6 rows', () => {
  // [direction, count, isMove, tag count, rows returned]
  const steps: Step[] = [
    [F, 1, false, 1, [1]], [F, 1, false, 1, [2]], [F, 2, false, 2, [3, 4]], [B, 1, false, 1, [3]],
    [F, 0, false, 1, [3]], [R, 0, false, 1, [3]], [R, 2, false, 1, [5]], [R, -3, false, 1, [2]],
    [A, 5, false, 1, [5]], [A, -2, false, 1, [5]], [A, 0, false, 0, []], [A, 1, false, 1, [1]],
    [A, -1, false, 1, [6]], [F, 1, false, 0, []], [F, 1, false, 0, []], [F, 0, false, 0, []],
    [B, 1, false, 1, [6]], [A, 10, false, 0, []], [B, 2, false, 2, [6, 5]], [F, FETCH_ALL, false, 1, [6]],
    [B, FETCH_ALL, false, 6, [6, 5, 4, 3, 2, 1]], [F, 3, false, 3, [1, 2, 3]], [B, 1, false, 1, [2]],
    [F, -2, false, 1, [1]], [F, -1, false, 0, []], [B, -2, false, 2, [1, 2]], [F, FETCH_ALL, false, 4, [3, 4, 5, 6]],
    [A, -10, false, 0, []], [A, 3, false, 1, [3]], [A, 1, false, 1, [1]], [R, -1, false, 0, []], [R, 7, false, 0, []],
    [A, 1, true, 1, []], [F, 0, true, 1, []], [F, 2, true, 2, []], [F, 1, false, 1, [4]], [B, FETCH_ALL, true, 3, []],
    [F, 0, true, 0, []], [F, FETCH_ALL, true, 6, []], [F, 0, true, 0, []], [B, FETCH_ALL, true, 6, []],
    [A, -1, true, 1, []], [A, 0, true, 0, []], [R, 3, true, 1, []], [B, 10, true, 2, []], [F, FETCH_ALL, true, 6, []],
    [B, 1, false, 1, [6]],
  ];
  it('answers every direction as PostgreSQL 15 did', () => {
    const p = newPosition(6, false);
    steps.forEach(([dir, n, move, count, rows], i) => {
      const r = portalRunFetch(p, dir, n, move);
      expect({ i, count: r.count, rows: r.rows }).toEqual({ i, count, rows });
    });
  });
});

describe('NO SCROLL', () => {
  const forwardOnly = (f: () => unknown) => {
    try { f(); } catch (e) {
      expect(e).toBeInstanceOf(PgError);
      expect((e as PgError).sqlstate).toBe('55000');
      expect((e as PgError).message).toBe('cursor can only scan forward');
      return;
    }
    throw new Error('no error');
  };
  it('refuses any backward move, also FETCH 0 on a row and FETCH LAST after reading to the end', () => {
    const p = newPosition(6, true);
    expect(portalRunFetch(p, F, 2, false).rows).toEqual([1, 2]);
    forwardOnly(() => portalRunFetch(p, B, 1, false));
    forwardOnly(() => portalRunFetch(newPosition(6, true), A, -1, false));
    const q = newPosition(6, true);
    portalRunFetch(q, A, 1, false);
    forwardOnly(() => portalRunFetch(q, A, 1, false)); // the target is behind: a rewind
    forwardOnly(() => portalRunFetch(q, R, 0, false));
  });
  it('allows what only moves forward, and a rewind of a cursor that never moved', () => {
    const p = newPosition(6, true);
    expect(portalRunFetch(p, F, 0, false)).toEqual({ count: 0, rows: [] });
    expect(portalRunFetch(p, B, FETCH_ALL, true).count).toBe(0); // MOVE BACKWARD ALL at the start: nothing to rewind
    expect(portalRunFetch(p, A, 0, false).count).toBe(0);
    expect(portalRunFetch(p, F, 2, true).count).toBe(2);
    expect(portalRunFetch(p, A, 4, false).rows).toEqual([4]);
    expect(portalRunFetch(p, F, 0, true).count).toBe(1); // MOVE 0 on a row: 1, no backward step
  });
});

describe('where the executor stands', () => {
  it('is on the row last returned, before the first at the start, past the last after running off the end', () => {
    const p = newPosition(3, false);
    expect(currentRow(p)).toBeNull();
    portalRunFetch(p, F, 2, false);
    expect(currentRow(p)).toBe(2);
    portalRunFetch(p, F, FETCH_ALL, false);
    expect(currentRow(p)).toBeNull();
    expect(p.atEnd).toBe(true);
    expect(portalRunFetch(p, B, 1, false).rows).toEqual([3]);
    expect(currentRow(p)).toBe(3);
  });
  it('a forward-only pull reads exactly as far as the FETCH goes', () => {
    const at = { cur: 2 };
    expect(fetchTarget(at, F, 3)).toBe(5);
    expect(fetchTarget(at, F, FETCH_ALL)).toBe(Infinity);
    expect(fetchTarget(at, R, 4)).toBe(6);
    expect(fetchTarget(at, A, 1)).toBe(2);
    expect(fetchTarget(at, A, 7)).toBe(7);
    expect(fetchTarget(at, A, -1)).toBe(Infinity);
    expect(fetchTarget(at, B, -2)).toBe(4);
    expect(fetchTarget(at, B, 1)).toBe(2);
  });
});
