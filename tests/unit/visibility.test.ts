/** HeapTupleSatisfiesMVCC / SatisfiesUpdate as truth tables over (inserter state, deleter state, snapshot). */
import { describe, it, expect } from 'vitest';
import { satisfiesMVCC, satisfiesUpdate, VIS_VISIBLE, VIS_NAMES, TM, type VisibilityContext } from '../../src/engine/visibility/visibility.js';
import { Clog, XidStatus } from '../../src/engine/clog/clog.js';
import { type Item, LpFlags, HEAP_XMAX_INVALID, HEAP_XMIN_COMMITTED, HEAP_XMIN_INVALID, HEAP_XMAX_COMMITTED, HEAP_XMAX_LOCK_ONLY, HEAP_XMAX_EXCL_LOCK } from '../../src/engine/heap/tuple.js';
import type { Snapshot } from '../../src/engine/snapshot/snapshot.js';

const tuple = (xmin: number, xmax: number, infomask: number, field3 = 0): Item => ({
  lpFlags: LpFlags.NORMAL, lpOff: 8152, lpLen: 36, xmin, xmax, field3, ctidBlock: 0, ctidOffset: 1, infomask, infomask2: 3, values: [1],
});

function ctx(states: Record<number, XidStatus>, myXid = 0, curcid = 0): VisibilityContext {
  const clog = new Clog();
  for (const [x, s] of Object.entries(states)) clog.set(Number(x), s);
  return { myXid, subXids: null, curcid, combos: [], clog, isInProgress: (x) => states[x] === XidStatus.InProgress };
}
const snap = (xmin: number, xmax: number, xip: number[] = []): Snapshot => ({ xmin, xmax, xip, takenAt: 0 });

describe('HeapTupleSatisfiesMVCC', () => {
  const C = XidStatus.Committed, A = XidStatus.Aborted, P = XidStatus.InProgress;
  // [description, tuple, clog, snapshot, myXid, curcid, expected visible, expected outcome]
  const cases: [string, Item, Record<number, XidStatus>, Snapshot, number, number, boolean, string][] = [
    ['committed inserter before snapshot, no deleter', tuple(100, 0, HEAP_XMAX_INVALID), { 100: C }, snap(101, 101), 0, 0, true, 'XMAX_INVALID'],
    ['inserter in the snapshot running list', tuple(100, 0, HEAP_XMAX_INVALID), { 100: P }, snap(100, 101, [100]), 0, 0, false, 'XMIN_IN_SNAPSHOT'],
    ['inserter at or after snapshot xmax (committed since)', tuple(101, 0, HEAP_XMAX_INVALID), { 101: C }, snap(101, 101), 0, 0, false, 'XMIN_IN_SNAPSHOT'],
    ['aborted inserter (CLOG)', tuple(100, 0, HEAP_XMAX_INVALID), { 100: A }, snap(101, 101), 0, 0, false, 'XMIN_ABORTED'],
    ['aborted inserter (hint bit)', tuple(100, 0, HEAP_XMIN_INVALID | HEAP_XMAX_INVALID), {}, snap(101, 101), 0, 0, false, 'XMIN_ABORTED_HINT'],
    ['own insert, earlier command', tuple(100, 0, HEAP_XMAX_INVALID, 0), { 100: P }, snap(100, 100), 100, 1, true, 'OWN_INSERT'],
    ['own insert, same command', tuple(100, 0, HEAP_XMAX_INVALID, 1), { 100: P }, snap(100, 100), 100, 1, false, 'OWN_INSERT_LATER_COMMAND'],
    ['deleted by committed xact before snapshot', tuple(90, 100, HEAP_XMIN_COMMITTED), { 90: C, 100: C }, snap(101, 101), 0, 0, false, 'XMAX_COMMITTED'],
    ['deleter running in snapshot', tuple(90, 100, HEAP_XMIN_COMMITTED), { 90: C, 100: P }, snap(100, 101, [100]), 0, 0, true, 'XMAX_IN_SNAPSHOT'],
    ['deleter committed after snapshot', tuple(90, 100, HEAP_XMIN_COMMITTED), { 90: C, 100: C }, snap(100, 100), 0, 0, true, 'XMAX_IN_SNAPSHOT'],
    ['deleter aborted', tuple(90, 100, HEAP_XMIN_COMMITTED), { 90: C, 100: A }, snap(101, 101), 0, 0, true, 'XMAX_ABORTED'],
    ['xmax only a row lock', tuple(90, 100, HEAP_XMIN_COMMITTED | HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_EXCL_LOCK), { 90: C, 100: P }, snap(101, 101), 0, 0, true, 'XMAX_LOCK_ONLY'],
    ['deleted by own earlier command', tuple(90, 100, HEAP_XMIN_COMMITTED, 0), { 90: C, 100: P }, snap(100, 100), 100, 1, false, 'OWN_DELETE'],
    ['deleted by own current command', tuple(90, 100, HEAP_XMIN_COMMITTED, 1), { 90: C, 100: P }, snap(100, 100), 100, 1, true, 'OWN_DELETE_LATER_COMMAND'],
    ['xmax committed hint, deleter in snapshot', tuple(90, 100, HEAP_XMIN_COMMITTED | HEAP_XMAX_COMMITTED), { 90: C, 100: C }, snap(100, 101, [100]), 0, 0, true, 'XMAX_IN_SNAPSHOT'],
  ];
  for (const [name, item, clog, s, my, cid, visible, outcome] of cases) {
    it(name, () => {
      const v = satisfiesMVCC(item, s, ctx(clog, my, cid));
      expect(VIS_NAMES[v]).toBe(outcome);
      expect(VIS_VISIBLE[v]).toBe(visible);
    });
  }

  it('sets XMIN_COMMITTED only when the snapshot does not hide the inserter', () => {
    const t1 = tuple(100, 0, HEAP_XMAX_INVALID);
    satisfiesMVCC(t1, snap(100, 100), ctx({ 100: XidStatus.Committed }));
    expect(t1.infomask & HEAP_XMIN_COMMITTED).toBe(0);
    satisfiesMVCC(t1, snap(101, 101), ctx({ 100: XidStatus.Committed }));
    expect(t1.infomask & HEAP_XMIN_COMMITTED).toBe(HEAP_XMIN_COMMITTED);
  });
  it('sets XMIN_INVALID on an aborted inserter and XMAX_COMMITTED on a committed deleter', () => {
    const a = tuple(100, 0, HEAP_XMAX_INVALID);
    satisfiesMVCC(a, snap(101, 101), ctx({ 100: XidStatus.Aborted }));
    expect(a.infomask & HEAP_XMIN_INVALID).toBe(HEAP_XMIN_INVALID);
    const d = tuple(90, 100, HEAP_XMIN_COMMITTED);
    satisfiesMVCC(d, snap(101, 101), ctx({ 90: XidStatus.Committed, 100: XidStatus.Committed }));
    expect(d.infomask & HEAP_XMAX_COMMITTED).toBe(HEAP_XMAX_COMMITTED);
  });
});

describe('HeapTupleSatisfiesUpdate (TM_Result)', () => {
  const C = XidStatus.Committed, P = XidStatus.InProgress, A = XidStatus.Aborted;
  const updated = (xmax: number) => ({ ...tuple(90, xmax, HEAP_XMIN_COMMITTED), ctidOffset: 2 });
  it('TM_Ok for a live version', () => expect(satisfiesUpdate(tuple(90, 0, HEAP_XMAX_INVALID | HEAP_XMIN_COMMITTED), 0, 1, ctx({ 90: C }))).toBe(TM.Ok));
  it('TM_BeingModified while the updater runs', () => expect(satisfiesUpdate(updated(100), 0, 1, ctx({ 90: C, 100: P }))).toBe(TM.BeingModified));
  it('TM_Updated once the updater committed (t_ctid points elsewhere)', () => expect(satisfiesUpdate(updated(100), 0, 1, ctx({ 90: C, 100: C }))).toBe(TM.Updated));
  it('TM_Deleted once the deleter committed (t_ctid is itself)', () => expect(satisfiesUpdate(tuple(90, 100, HEAP_XMIN_COMMITTED), 0, 1, ctx({ 90: C, 100: C }))).toBe(TM.Deleted));
  it('TM_Ok when the updater aborted', () => expect(satisfiesUpdate(updated(100), 0, 1, ctx({ 90: C, 100: A }))).toBe(TM.Ok));
  it('TM_SelfModified when this command already changed it', () => expect(satisfiesUpdate(tuple(90, 100, HEAP_XMIN_COMMITTED, 2), 0, 1, ctx({ 90: C, 100: P }, 100, 2))).toBe(TM.SelfModified));
  it('TM_Invisible for a row inserted by a running transaction', () => expect(satisfiesUpdate(tuple(100, 0, HEAP_XMAX_INVALID), 0, 1, ctx({ 100: P }))).toBe(TM.Invisible));
});
