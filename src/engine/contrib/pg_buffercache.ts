/**
 * pg_buffercache: the shared buffers, one row per buffer — which relation's block it holds and whether it is
 * dirty (changed since it was last written, so a checkpoint or the background writer still has to write it).
 *
 *     CREATE EXTENSION pg_buffercache;
 *     SELECT relblocknumber, isdirty FROM pg_buffercache
 *      WHERE relfilenode = pg_relation_filenode('t') AND relforknumber = 0 ORDER BY relblocknumber;
 *     -- after INSERT of 500 rows: 0 t, 1 t, 2 t;  after CHECKPOINT: 0 f, 1 f, 2 f (written, still cached)
 *
 * The engine's buffer pool (buffer/bufmgr.ts) has room for every page and never evicts one, so a table's blocks
 * are all in it, each dirty when its page differs from the copy on disk (isPageDirty). reltablespace is
 * pg_default (1663), reldatabase the postgres database (5), relforknumber 0 (main), pinning_backends 0 (no
 * backend holds a pin between statements).
 *
 * Mirrors: contrib/pg_buffercache/pg_buffercache_pages.c (the view over pg_buffercache_pages()).
 *
 * Where it differs from PostgreSQL, and how that is kept out of answers:
 * - bufferid and usagecount: PostgreSQL hands out buffers from its free list and the clock sweep, and counts
 *   usage up to 5; the engine has no buffer ids or clock. Reading either column is a 0A000 (the row's value is a
 *   getter that refuses, as SELECT * does).
 * - Only the main fork of the user's tables: no system catalogs, no free buffers (PostgreSQL's view has
 *   shared_buffers rows, mostly empty), no free space map or visibility map blocks (not paged here). Counting
 *   the whole view therefore differs; filter by relfilenode and relforknumber = 0.
 * - Indexes: the engine's B-tree is one simulated leaf behind its metapage, so an index's rows are there
 *   (blocks 0 and 1) but reading their relblocknumber or isdirty is a 0A000.
 * - isdirty ignores hint bits: PostgreSQL marks a buffer dirty when a reader sets a hint bit (the first read
 *   after a commit); here only a change with a WAL record dirties a page (buffer/bufmgr.ts). Read a table once
 *   before a CHECKPOINT to see the same.
 * - After a crash the engine's buffers are rebuilt from disk and WAL; PostgreSQL starts with empty buffers.
 */
import type { Engine } from '../engine.js';
import { notSupported } from '../errors.js';
import { T, type SqlType, type Value } from '../sql/types.js';
import { isPageDirty } from '../buffer/bufmgr.js';

const COLUMNS: [string, SqlType][] = [
  ['bufferid', T.int4], ['relfilenode', T.oid], ['reltablespace', T.oid], ['reldatabase', T.oid], ['relforknumber', T.int2],
  ['relblocknumber', T.int8], ['isdirty', T.bool], ['usagecount', T.int2], ['pinning_backends', T.int4],
];

function refuse(row: Value[], col: number, what: string): void {
  Object.defineProperty(row, col, { enumerable: true, get() { throw notSupported(what); } });
}

/** The pg_buffercache view's rows (see the module doc for what is and is not PostgreSQL's). */
export function bufferCacheView(eng: Engine): { columns: { name: string; type: SqlType }[]; rows: Value[][]; starRefused: string } {
  const rows: Value[][] = [];
  const row = (node: number, blk: number, dirty: boolean | null): Value[] => {
    const r: Value[] = [null, node, 1663, 5, 0, blk, dirty, null, 0];
    refuse(r, 0, 'pg_buffercache.bufferid (the simulator has no buffer ids: select relfilenode, relblocknumber, isdirty)');
    refuse(r, 7, 'pg_buffercache.usagecount (the simulator has no clock sweep)');
    return r;
  };
  for (const t of eng.catalog.tables.values()) {
    if (t.temp) continue; // local buffers, not shared ones
    for (const p of t.heap.pages) rows.push(row(t.relfilenode ?? t.oid, p.blkno, isPageDirty(t, p)));
    for (const i of t.indexes) {
      for (const blk of [0, 1]) {
        const r = row(i.oid, blk, null);
        const why = `pg_buffercache's blocks of the index ${i.name} (the simulated B-tree is one page)`;
        refuse(r, 5, why); refuse(r, 6, why);
        rows.push(r);
      }
    }
  }
  return {
    columns: COLUMNS.map(([name, type]) => ({ name, type })), rows,
    starRefused: 'SELECT * FROM pg_buffercache (bufferid and usagecount are not modelled: name relfilenode, reltablespace, reldatabase, relforknumber, relblocknumber, isdirty, pinning_backends)',
  };
}
