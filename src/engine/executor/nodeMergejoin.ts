/**
 * Merge join (PostgreSQL's executor/nodeMergejoin.c): both inputs sorted on the join key (a Sort under each,
 * executor/nodeSort.ts's order: ascending, NULLs last), then walked side by side. Where the keys are equal, each
 * outer row of that key is joined with every inner row of the key (the inner position is marked and restored
 * for the next outer row of the same key).
 *
 *     n (a,b): (1,x) (1,y) (2,z) (1,w)   sorted: (1,x) (1,y) (1,w) (2,z)
 *     n n1 JOIN n n2 ON n1.a = n2.a  ->  (1x,1x) (1x,1y) (1x,1w) (1y,1x) ... (1w,1w) (2z,2z)
 *
 * So the result comes out in key order — unlike a nested loop or a hash join, which follow the outer table.
 * Merge Left Join adds an outer row nothing matched where the walk passes it; Merge Right Join does the same
 * for inner rows. Rows with NULL keys match nothing and sort last.
 *
 * The Sorts run PostgreSQL's own quicksort (executor/qsort.ts: not stable), so rows with equal keys come out in
 * PostgreSQL's order. Simplification: a sort larger than work_mem (an external merge) is not modelled.
 */
import type { Value } from '../sql/types.js';
import { compareValues } from '../sql/expr.js';
import { type JoinPair, JOIN_ROWS_LIMIT, joinTooLarge } from './nodeNestloop.js';
import { pgQsort } from './qsort.js';

/** Rows sorted on one column, ascending, NULLs last, ties as PostgreSQL's quicksort leaves them (executor/qsort.ts). */
export function sortOnKey(rows: Value[][], key: number): Value[][] {
  return pgQsort([...rows], (a, b) => {
    const x = a[key]!, y = b[key]!;
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return compareValues(x, y);
  });
}

export function mergeJoin(outerRows: Value[][], innerRows: Value[][], outerKey: number, innerKey: number, match: (o: Value[], i: Value[]) => boolean,
  fillOuter: boolean, fillInner: boolean): JoinPair[] {
  const outer = sortOnKey(outerRows, outerKey), inner = sortOnKey(innerRows, innerKey);
  const out: JoinPair[] = [];
  let i = 0, j = 0;
  while (i < outer.length && j < inner.length) {
    const ko = outer[i]![outerKey]!, ki = inner[j]![innerKey]!;
    if (ko === null || ki === null) break; // NULLs sort last: nothing after them can match
    const c = compareValues(ko, ki);
    if (c < 0) { if (fillOuter) out.push({ o: outer[i]!, i: null }); i++; continue; }
    if (c > 0) { if (fillInner) out.push({ o: null, i: inner[j]! }); j++; continue; }
    // the group of inner rows with this key
    let jEnd = j;
    while (jEnd < inner.length && inner[jEnd]![innerKey] !== null && compareValues(inner[jEnd]![innerKey]!, ko) === 0) jEnd++;
    const matchedInner = new Uint8Array(jEnd - j);
    while (i < outer.length && outer[i]![outerKey] !== null && compareValues(outer[i]![outerKey]!, ko) === 0) {
      const o = outer[i]!;
      let matched = false;
      for (let x = j; x < jEnd; x++) {
        if (!match(o, inner[x]!)) continue;
        matched = true;
        matchedInner[x - j] = 1;
        if (out.length >= JOIN_ROWS_LIMIT) throw joinTooLarge();
        out.push({ o, i: inner[x]! });
      }
      if (!matched && fillOuter) out.push({ o, i: null });
      i++;
    }
    if (fillInner) for (let x = j; x < jEnd; x++) if (!matchedInner[x - j]) out.push({ o: null, i: inner[x]! });
    j = jEnd;
  }
  if (fillOuter) for (; i < outer.length; i++) out.push({ o: outer[i]!, i: null });
  if (fillInner) for (; j < inner.length; j++) out.push({ o: null, i: inner[j]! });
  return out;
}

/** What EXPLAIN ANALYZE counts of a merge join's inputs: rows fetched from each (the inner's re-reads after a restore too). */
export interface MergeCounts {
  outerFetched: number;
  innerFetched: number;
  /** distinct inner rows read: what a Materialize under the join pulled from its input */
  innerRead: number;
}

/**
 * ExecMergeJoin's state machine (nodeMergejoin.c) over the sorted keys, counting the rows it pulls: it stops when
 * one side runs out (unless the other must be null-filled), marks the first inner row of a key and restores to
 * it for the next outer row of that key (a restore re-reads nothing, the rows after the mark are fetched again).
 * singleMatch: the inner key is unique (inner_unique: the next outer row after a match, no mark or restore).
 * NULL keys sort last: an outer NULL ends the join unless its rows are kept, an inner NULL never matches.
 */
export function mergeJoinCounts(outer: readonly Value[], inner: readonly Value[], fillOuter: boolean, fillInner: boolean, singleMatch: boolean): MergeCounts {
  let oi = 0, ii = 0, outerFetched = 0, innerFetched = 0, innerRead = 0;
  let o: Value | undefined, i: Value | undefined; // the current rows' keys (undefined: none)
  let mark = -1;
  const fetchOuter = () => { o = oi < outer.length ? outer[oi++] : undefined; if (o !== undefined) outerFetched++; };
  const fetchInner = () => {
    i = ii < inner.length ? inner[ii++] : undefined;
    if (i !== undefined) { innerFetched++; if (ii > innerRead) innerRead = ii; }
  };
  /** MJEvalOuterValues / MJEvalInnerValues: matchable, non-matchable (a NULL key) or end of join */
  const evalOuter = () => (o === undefined ? 'end' : o === null ? (fillOuter ? 'non' : 'end') : 'match');
  const evalInner = () => (i === undefined ? 'end' : i === null ? (fillInner ? 'non' : 'end') : 'match');
  const cmp = (a: Value, b: Value) => compareValues(a as NonNullable<Value>, b as NonNullable<Value>);
  let state = 'INIT_OUTER';
  let marked: Value | undefined;
  for (;;) {
    switch (state) {
      case 'INIT_OUTER': {
        fetchOuter();
        const e = evalOuter();
        if (e === 'match') state = 'INIT_INNER';
        else if (e === 'end') { if (fillInner) state = 'ENDOUTER'; else return done(); }
        break;
      }
      case 'INIT_INNER': {
        fetchInner();
        const e = evalInner();
        if (e === 'match') state = 'SKIP_TEST';
        else if (e === 'end') { if (fillOuter) state = 'ENDINNER'; else return done(); }
        break;
      }
      case 'SKIP_TEST': {
        const c = cmp(o!, i!);
        if (c === 0) { if (!singleMatch) mark = ii - 1; marked = i!; state = 'JOIN'; } else state = c < 0 ? 'SKIPOUTER' : 'SKIPINNER';
        break;
      }
      case 'JOIN': state = singleMatch ? 'NEXTOUTER' : 'NEXTINNER'; break;
      case 'NEXTINNER': {
        fetchInner();
        const e = evalInner();
        if (e === 'match' && cmp(o!, i!) === 0) state = 'JOIN';
        else { if (e === 'end') i = undefined; state = 'NEXTOUTER'; }
        break;
      }
      case 'NEXTOUTER': {
        fetchOuter();
        const e = evalOuter();
        if (e === 'match') state = 'TESTOUTER';
        else if (e === 'end') { if (fillInner && i !== undefined) state = 'ENDOUTER'; else return done(); }
        break;
      }
      case 'TESTOUTER': {
        // the new outer row against the marked inner row: equal, back to the mark (unique inner: still on it)
        if (cmp(o!, marked!) === 0) { if (!singleMatch) { ii = mark + 1; i = marked; } state = 'JOIN'; break; }
        const e = evalInner();
        if (e === 'match') state = 'SKIP_TEST';
        else if (e === 'non') state = 'SKIPINNER';
        else if (fillOuter) state = 'ENDINNER'; else return done();
        break;
      }
      case 'SKIPOUTER': {
        fetchOuter();
        const e = evalOuter();
        if (e === 'match') state = 'SKIP_TEST';
        else if (e === 'end') { if (fillInner && i !== undefined) state = 'ENDOUTER'; else return done(); }
        break;
      }
      case 'SKIPINNER': {
        fetchInner();
        const e = evalInner();
        if (e === 'match') state = 'SKIP_TEST';
        else if (e === 'end') { if (fillOuter) state = 'ENDINNER'; else return done(); }
        break;
      }
      case 'ENDOUTER': fetchInner(); if (i === undefined) return done(); break;
      case 'ENDINNER': fetchOuter(); if (o === undefined) return done(); break;
    }
  }
  function done(): MergeCounts { return { outerFetched, innerFetched, innerRead }; }
}
