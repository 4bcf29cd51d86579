/**
 * Where a cursor is and what a FETCH / MOVE does to it: PostgreSQL's portal position arithmetic.
 *
 * A cursor's rows are numbered 1..n. Two things keep its place, exactly as in PostgreSQL:
 *   - the executor (here: a read pointer over the cursor's rows, `cur`): 0 before the first row, k on row k (the
 *     row it returned last), n + 1 past the last — reading forward from k returns k + 1, backward returns k - 1;
 *   - the portal's own bookkeeping: atStart, atEnd and portalPos (the number of the row it sits on; it stays n
 *     when it runs off the end, with atEnd set).
 * Every direction is reduced to runs of "n rows forward" / "n rows backward" (PortalRunSelect), some of them
 * thrown away (the None receiver): FETCH ABSOLUTE 3 from row 7 goes back 5 rows to row 2 silently, then returns
 * one row forward; FETCH LAST reads forward to the end silently, then returns one row backward; FETCH 0 / RELATIVE 0
 * backs up one row and re-reads it. A NO SCROLL cursor refuses any backward run ("cursor can only scan forward").
 *
 *     DECLARE c SCROLL CURSOR FOR SELECT generate_series(1, 5);
 *     FETCH 2 FROM c;          -- rows 1, 2 (cur 2, portalPos 2)        FETCH 2
 *     FETCH ABSOLUTE -1 c;     -- forward to the end silently, back 1:  row 5  (portalPos 5)
 *     FETCH FORWARD ALL c;     -- nothing left: FETCH 0, atEnd          (portalPos 5, cur 6)
 *     FETCH PRIOR c;           -- row 5 again (off the end, one step back is the last row)
 *     MOVE BACKWARD ALL IN c;  -- rewound: MOVE 4 (the rows it passed over)
 *
 * Mirrors: src/backend/tcop/pquery.c (PortalRunFetch → DoPortalRunFetch, PortalRunSelect, DoPortalRewind) and
 * the tuplestore's read pointer (utils/sort/tuplestore.c) that RunFromStore reads. Pure: no engine state.
 */
import { PgError } from '../errors.js';

/** FETCH ALL / FORWARD ALL / BACKWARD ALL: the grammar's FETCH_ALL (LONG_MAX; the parser reports 2^31 - 1). */
export const FETCH_ALL = 2147483647;

/** CURSOR_OPT_* (parsenodes.h): DeclareCursorStmt.options bits. */
export const CURSOR_OPT = { BINARY: 0x1, SCROLL: 0x2, NO_SCROLL: 0x4, INSENSITIVE: 0x8, ASENSITIVE: 0x10, HOLD: 0x20 } as const;

export type FetchDirection = 'FETCH_FORWARD' | 'FETCH_BACKWARD' | 'FETCH_ABSOLUTE' | 'FETCH_RELATIVE';

export interface PortalPosition {
  /** how many rows the cursor's query has */
  nrows: number;
  /** the executor's read pointer: 0 before the first row, k on row k, nrows + 1 past the last */
  cur: number;
  atStart: boolean;
  atEnd: boolean;
  portalPos: number;
  /** NO SCROLL (given, or chosen because the plan cannot run backward) */
  noScroll: boolean;
}

export function newPosition(nrows: number, noScroll: boolean): PortalPosition {
  return { nrows, cur: 0, atStart: true, atEnd: false, portalPos: 0, noScroll };
}

const forwardOnly = (sqlstate: string) => new PgError(sqlstate, 'cursor can only scan forward', { hint: 'Declare it with SCROLL option to enable backward scan.' });

/** ExecutorRun over the rows (count 0: all of them): the row numbers it passes, in order; `keep` collects them. */
function executorRun(p: PortalPosition, forward: boolean, count: number, keep: number[] | null): number {
  let n = 0;
  while (count === 0 || n < count) {
    if (forward) {
      if (p.cur > p.nrows) break;
      p.cur++;
      if (p.cur > p.nrows) break;
    } else {
      if (p.cur < 1) break;
      p.cur--;
      if (p.cur < 1) break;
    }
    keep?.push(p.cur);
    n++;
  }
  return n;
}

/** PortalRunSelect: up to `count` rows in one direction (FETCH_ALL: all), the portal's position kept up to date. */
function portalRunSelect(p: PortalPosition, forward: boolean, count: number, keep: number[] | null): number {
  let n: number;
  if (forward) {
    const move = !(p.atEnd || count <= 0);
    if (!move) count = 0;
    if (count === FETCH_ALL) count = 0;
    n = move ? executorRun(p, true, count, keep) : 0;
    if (move) {
      if (n > 0) p.atStart = false;
      if (count === 0 || n < count) p.atEnd = true;
      p.portalPos += n;
    }
  } else {
    if (p.noScroll) throw forwardOnly('55000');
    const move = !(p.atStart || count <= 0);
    if (!move) count = 0;
    if (count === FETCH_ALL) count = 0;
    n = move ? executorRun(p, false, count, keep) : 0;
    if (move) {
      if (n > 0 && p.atEnd) { p.atEnd = false; p.portalPos++; }
      if (count === 0 || n < count) { p.atStart = true; p.portalPos = 0; } else p.portalPos -= n;
    }
  }
  return n;
}

/** DoPortalRewind: back to before the first row (not needed, and not refused, when the cursor never moved). */
function doPortalRewind(p: PortalPosition): void {
  if (p.atStart && !p.atEnd) return;
  if (p.noScroll) throw forwardOnly('55000');
  p.cur = 0;
  p.atStart = true;
  p.atEnd = false;
  p.portalPos = 0;
}

/**
 * PortalRunFetch / DoPortalRunFetch: run one FETCH or MOVE. Returns the count of its command tag and the rows it
 * returns (row numbers 1..n; none for a MOVE).
 */
export function portalRunFetch(p: PortalPosition, direction: FetchDirection, howMany: number, isMove: boolean): { count: number; rows: number[] } {
  const rows: number[] = [];
  const dest = isMove ? null : rows;
  const done = (count: number) => ({ count, rows });
  let count = howMany;
  let fdir = direction;
  switch (fdir) {
    case 'FETCH_FORWARD':
      if (count < 0) { fdir = 'FETCH_BACKWARD'; count = -count; }
      break;
    case 'FETCH_BACKWARD':
      if (count < 0) { fdir = 'FETCH_FORWARD'; count = -count; }
      break;
    case 'FETCH_ABSOLUTE':
      if (count > 0) {
        // rewind and go forward when the target is nearer the start, else move from where we are; the target row
        // itself is always fetched going forward
        if (count - 1 <= Math.floor(p.portalPos / 2)) {
          doPortalRewind(p);
          if (count > 1) portalRunSelect(p, true, count - 1, null);
        } else {
          let pos = p.portalPos;
          if (p.atEnd) pos++; // one extra fetch if off the end
          if (count <= pos) portalRunSelect(p, false, pos - count + 1, null);
          else if (count > pos + 1) portalRunSelect(p, true, count - pos - 1, null);
        }
        return done(portalRunSelect(p, true, 1, dest));
      }
      if (count < 0) {
        // to the end, back abs(count) - 1 rows, return the prior row
        portalRunSelect(p, true, FETCH_ALL, null);
        if (count < -1) portalRunSelect(p, false, -count - 1, null);
        return done(portalRunSelect(p, false, 1, dest));
      }
      doPortalRewind(p);
      return done(portalRunSelect(p, true, 0, dest));
    case 'FETCH_RELATIVE':
      if (count > 0) {
        if (count > 1) portalRunSelect(p, true, count - 1, null);
        return done(portalRunSelect(p, true, 1, dest));
      }
      if (count < 0) {
        if (count < -1) portalRunSelect(p, false, -count - 1, null);
        return done(portalRunSelect(p, false, 1, dest));
      }
      fdir = 'FETCH_FORWARD';
      break;
  }
  let forward = fdir === 'FETCH_FORWARD';
  if (count === 0) {
    // re-fetch the current row, if there is one
    const onRow = !p.atStart && !p.atEnd;
    if (isMove) return done(onRow ? 1 : 0);
    if (onRow) {
      portalRunSelect(p, false, 1, null);
      count = 1;
      forward = true;
    }
  }
  // MOVE BACKWARD ALL is a rewind
  if (!forward && count === FETCH_ALL && isMove) {
    let result = p.portalPos;
    if (result > 0 && !p.atEnd) result--;
    doPortalRewind(p);
    return done(result);
  }
  return done(portalRunSelect(p, forward, count, dest));
}

/** The row the executor sits on (its scan's current tuple), or null before the first / past the last. */
export function currentRow(p: PortalPosition): number | null {
  return p.cur >= 1 && p.cur <= p.nrows ? p.cur : null;
}
