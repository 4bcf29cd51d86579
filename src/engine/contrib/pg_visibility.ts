/**
 * pg_visibility and pg_freespacemap: the two maps VACUUM maintains beside a table, in SQL.
 *
 *     SELECT * FROM pg_visibility_map('t');   -- blkno | all_visible | all_frozen      (heap/visibilitymap.ts)
 *     SELECT * FROM pg_visibility('t');       -- … and pd_all_visible, the page's own flag
 *     SELECT * FROM pg_freespace('t');        -- blkno | avail: the room the FSM recorded, in 32-byte steps
 *
 * The free space map does not know a page's room exactly: it keeps one byte per block, a category of 32 bytes
 * (BLCKSZ / 256), so 7,884 free bytes show as avail 7,872. It is only as fresh as its last update: VACUUM records
 * every page it scans, an INSERT records a page it found too full; before the first VACUUM it is mostly empty
 * (avail 0), and an INSERT then goes to the last page (heap.ts pageFor).
 *
 * Mirrors: contrib/pg_visibility/pg_visibility.c, contrib/pg_freespacemap/pg_freespacemap.c,
 * storage/freespace/freespace.c (fsm_space_avail_to_cat, GetRecordedFreeSpace).
 *
 *     SELECT * FROM pg_check_frozen('t');     -- t_ctid of each tuple on an all-frozen page that is not frozen
 *     SELECT * FROM pg_check_visible('t');    -- … on an all-visible page that not every snapshot sees
 *
 * Both come back empty unless the map lies (collect_corrupt_items): a dead line pointer on a marked page counts
 * too. pg_check_visible judges against the removable horizon, as VACUUM does (tuple_all_visible: live to
 * HeapTupleSatisfiesVacuum and inserted before the horizon). Simplification: pg_truncate_visibility_map is not
 * modelled (0A000).
 */
import { PgError, notSupported } from '../errors.js';
import { register, type FuncDef, type CallCtx } from '../sql/funcs/registry.js';
import { T, type Value } from '../sql/types.js';
import { PD_ALL_VISIBLE, fsmCategory, formatTid } from '../heap/heap.js';
import { LpFlags, HEAP_XMIN_FROZEN, HEAP_XMAX_INVALID, type Item } from '../heap/tuple.js';
import { satisfiesVacuum, VacState } from '../vacuum/vacuum.js';
import { removableHorizon, vacuumContext } from '../vacuum/pruneheap.js';
import { vmStatus, VISIBILITYMAP_ALL_VISIBLE, VISIBILITYMAP_ALL_FROZEN } from '../heap/visibilitymap.js';
import { host, tableArg } from './host.js';
import type { Table } from '../catalog/catalog.js';

const bits = (t: Table, blk: number) => {
  const b = vmStatus(t.heap, blk); return [(b & VISIBILITYMAP_ALL_VISIBLE) !== 0, (b & VISIBILITYMAP_ALL_FROZEN) !== 0];
};
const blockArg = (c: CallCtx, t: Table, v: Value): number => {
  const blk = Number(v);
  if (blk < 0 || blk > 0xfffffffe) throw new PgError('22023', 'invalid block number');
  void c;
  return blk;
};
const avail = (t: Table, blk: number) => (blk < t.heap.pages.length ? fsmCategory(t.heap.fsm.get(blk) ?? 0) * 32 : 0);

/** heap_tuple_needs_eventual_freeze: an unfrozen normal xmin, or an xmax (plain or multi) not marked invalid */
const needsFreeze = (it: Item) => ((it.infomask & HEAP_XMIN_FROZEN) !== HEAP_XMIN_FROZEN && it.xmin >= 3)
  || (!(it.infomask & HEAP_XMAX_INVALID) && it.xmax !== 0);

/** collect_corrupt_items: the tuples on pages the map marks all-frozen (or all-visible) that are not */
function corruptItems(c: CallCtx, rel: Value, frozen: boolean): Value[][] {
  const t = tableArg(c, rel);
  const { eng } = host(c);
  const horizon = removableHorizon(eng);
  const ctx = vacuumContext(eng, horizon);
  const out: Value[][] = [];
  for (const p of t.heap.pages) {
    const [vis, frz] = bits(t, p.blkno);
    if (!(frozen ? frz : vis)) continue;
    p.items.forEach((it, i) => {
      if (it.lpFlags === LpFlags.UNUSED || it.lpFlags === LpFlags.REDIRECT) return;
      const bad = it.lpFlags === LpFlags.DEAD || (frozen ? needsFreeze(it)
        : satisfiesVacuum({ ...it }, ctx) !== VacState.Live || ((it.infomask & HEAP_XMIN_FROZEN) !== HEAP_XMIN_FROZEN && it.xmin >= horizon));
      if (bad) out.push([formatTid(p.blkno, i + 1)]);
    });
  }
  return out;
}

const defs: FuncDef[] = [
  { name: 'pg_check_frozen', args: ['regclass'], ret: T.text, extension: 'pg_visibility', table: { set: true, columns: [['t_ctid', T.tid]], rows: ([r], c) => corruptItems(c, r!, true) } },
  { name: 'pg_check_visible', args: ['regclass'], ret: T.text, extension: 'pg_visibility', table: { set: true, columns: [['t_ctid', T.tid]], rows: ([r], c) => corruptItems(c, r!, false) } },
  {
    name: 'pg_visibility_map', args: ['regclass'], ret: T.text, extension: 'pg_visibility',
    table: { set: true, columns: [['blkno', T.int8], ['all_visible', T.bool], ['all_frozen', T.bool]], rows: ([r], c) => { const t = tableArg(c, r!); return t.heap.pages.map((p) => [p.blkno, ...bits(t, p.blkno)]); } },
  },
  {
    name: 'pg_visibility_map', args: ['regclass', 'int8'], ret: T.text, extension: 'pg_visibility',
    table: { set: false, columns: [['all_visible', T.bool], ['all_frozen', T.bool]], rows: ([r, b], c) => { const t = tableArg(c, r!); return [bits(t, blockArg(c, t, b!))]; } },
  },
  {
    name: 'pg_visibility', args: ['regclass'], ret: T.text, extension: 'pg_visibility',
    table: {
      set: true, columns: [['blkno', T.int8], ['all_visible', T.bool], ['all_frozen', T.bool], ['pd_all_visible', T.bool]],
      rows: ([r], c) => { const t = tableArg(c, r!); return t.heap.pages.map((p) => [p.blkno, ...bits(t, p.blkno), (p.flags & PD_ALL_VISIBLE) !== 0]); },
    },
  },
  {
    name: 'pg_visibility', args: ['regclass', 'int8'], ret: T.text, extension: 'pg_visibility',
    table: {
      set: false, columns: [['all_visible', T.bool], ['all_frozen', T.bool], ['pd_all_visible', T.bool]],
      rows: ([r, b], c) => {
        const t = tableArg(c, r!); const blk = blockArg(c, t, b!);
        const p = t.heap.pages[blk];
        if (!p) throw notSupported('pg_visibility of a block past the end of the table');
        return [[...bits(t, blk), (p.flags & PD_ALL_VISIBLE) !== 0]];
      },
    },
  },
  {
    name: 'pg_visibility_map_summary', args: ['regclass'], ret: T.text, extension: 'pg_visibility',
    table: {
      set: false, columns: [['all_visible', T.int8], ['all_frozen', T.int8]],
      rows: ([r], c) => {
        const t = tableArg(c, r!); let v = 0, f = 0; for (const p of t.heap.pages) { const [a, b] = bits(t, p.blkno); if (a) v++; if (b) f++; } return [[v, f]];
      },
    },
  },
  {
    name: 'pg_freespace', args: ['regclass'], ret: T.text, extension: 'pg_freespacemap',
    table: { set: true, columns: [['blkno', T.int8], ['avail', T.int2]], rows: ([r], c) => { const t = tableArg(c, r!); return t.heap.pages.map((p) => [p.blkno, avail(t, p.blkno)]); } },
  },
  {
    name: 'pg_freespace', args: ['regclass', 'int8'], ret: T.int2, extension: 'pg_freespacemap',
    build: ([a, b], c) => (row) => {
      const r = a!.fn(row), x = b!.fn(row); if (r === null || x === null) return null; const t = tableArg(c, r); return avail(t, blockArg(c, t, x));
    },
  },
];
register(defs);
