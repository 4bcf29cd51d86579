/**
 * pageinspect's hash index functions: hash_page_type, hash_page_stats and hash_page_items over a page from
 * get_raw_page, hash_bitmap_info (an overflow page's bit in the free-space bitmap) and hash_metapage_info. The pages
 * are the ones index/hashpage.ts lays out from the index's history.
 *
 *     SELECT * FROM hash_page_items(get_raw_page('hi', 1));   -- itemoffset | ctid | data (the hash code, as int8)
 *
 * Mirrors: contrib/pageinspect/hashfuncs.c (verify_hash_page, hash_page_type, hash_page_stats, hash_page_items,
 * hash_bitmap_info, hash_metapage_info). Simplifications: a page read as plain bytea has no bytes laid out.
 */
import { PgError } from '../errors.js';
import { register, type CallCtx, type FuncDef } from '../sql/funcs/registry.js';
import { T, Bytea, PgArray, type Value, type SqlType } from '../sql/types.js';
import { formatTid, tidBlock, tidOffset } from '../heap/heap.js';
import { relationArg } from './host.js';
import { floatIn } from '../adt/float.js';
import { HashIndex } from '../index/hash.js';
import {
  LH_BUCKET_PAGE, LH_OVERFLOW_PAGE, LH_BITMAP_PAGE, LH_META_PAGE, HASH_MAGIC, HASH_VERSION, HASHO_PAGE_ID, BMSIZE, BMSHIFT,
  pageFreeSpace, blknoToBit, type HashPage, type HashMeta,
} from '../index/hashpage.js';

const EXT = 'pageinspect';

/** What get_raw_page gives for a block of a hash index: the page as it is now (undefined: a zero page) */
export interface HashRawPage { kind: 'hash'; rel: string; blk: number; page?: HashPage; meta?: HashMeta; procid?: number }

/** get_raw_page of a hash index's block */
export function hashRawPage(index: HashIndex, blk: number): HashRawPage {
  const l = index.layout();
  if (blk < 0 || blk >= l.nblocks) throw new PgError('22023', `block number ${blk} is out of range for relation "${index.name}"`);
  if (blk === 0) return { kind: 'hash', rel: index.name, blk, meta: { ...l.meta, spares: l.meta.spares.slice(), mapp: l.meta.mapp.slice() }, procid: index.procid };
  const p = l.pages[blk];
  return { kind: 'hash', rel: index.name, blk, ...(p ? { page: { ...p, items: p.items.map((x) => ({ ...x })) } } : {}) };
}

const rawOf = (v: Value): HashRawPage => {
  const r = v instanceof Bytea ? (v.opaque?.payload as { kind?: string } | undefined) : undefined;
  if (!(v instanceof Bytea)) throw new PgError('22023', 'input page is not a valid page');
  if (v.length !== 8192) throw new PgError('22023', 'invalid page size', { detail: `Expected 8192 bytes, got ${v.length}.` });
  if (r?.kind !== 'hash') throw new PgError('22023', 'page is not a hash page', { detail: `Expected ${HASHO_PAGE_ID.toString(16).padStart(8, '0')}, got ${'0'.padStart(8, '0')}.` });
  return r as HashRawPage;
};

const flagOf = (r: HashRawPage): number => (r.meta ? LH_META_PAGE : r.page ? r.page.flag : 0);

/** verify_hash_page: a page of the expected kind */
function verify(r: HashRawPage, flags: number): void {
  if (!r.meta && !r.page) throw new PgError('XX002', 'index table contains zero page');
  if ((flagOf(r) & flags) === 0 || (flags === LH_META_PAGE && flagOf(r) !== LH_META_PAGE)) {
    if (flags === LH_META_PAGE) throw new PgError('22023', 'page is not a hash meta page');
    if (flags === (LH_BUCKET_PAGE | LH_OVERFLOW_PAGE)) throw new PgError('22023', 'page is not a hash bucket or overflow page');
    throw new PgError('22023', 'page is not a hash page of expected type');
  }
}

function pageType(r: HashRawPage): string {
  if (!r.meta && !r.page) return 'unused';
  const f = flagOf(r) & 15;
  return f === LH_META_PAGE ? 'metapage' : f === LH_BUCKET_PAGE ? 'bucket' : f === LH_OVERFLOW_PAGE ? 'overflow' : f === LH_BITMAP_PAGE ? 'bitmap' : 'unused';
}

const STATS: [string, SqlType][] = [
  ['live_items', T.int4], ['dead_items', T.int4], ['page_size', T.int4], ['free_size', T.int4], ['hasho_prevblkno', T.int8],
  ['hasho_nextblkno', T.int8], ['hasho_bucket', T.int8], ['hasho_flag', T.int4], ['hasho_page_id', T.int4],
];

function hashIndexArg(c: CallCtx, v: Value): HashIndex {
  const { index, table } = relationArg(c, v);
  if (!index) throw new PgError('42809', `"${table.name}" is not an index`);
  if (!(index instanceof HashIndex)) throw new PgError('42809', `"${index.name}" is not a hash index`);
  return index;
}

/** hash_bitmap_info: the overflow page's bitmap page, its bit there, and whether the bit is set (in use) */
function bitmapInfo(c: CallCtx, rel: Value, blkArg: Value): Value[] {
  const index = hashIndexArg(c, rel);
  const blk = Number(blkArg);
  const l = index.layout();
  if (blk < 0 || blk >= l.nblocks) throw new PgError('22023', `block number ${blk} is out of range for relation "${index.name}"`);
  // the metapage and a bitmap page have no bit of their own to show (only an overflow page's is meaningful)
  const bit = blk === 0 || l.pages[blk]?.flag === LH_BITMAP_PAGE ? null : blknoToBit(l.meta, blk);
  if (bit === null) throw new PgError('22023', `invalid overflow block number ${blk}`);
  const mapPage = bit >> BMSHIFT;
  if (mapPage >= l.meta.nmaps) throw new PgError('22023', `invalid overflow bit number ${bit}`);
  return [l.meta.mapp[mapPage]!, bit & ((1 << BMSHIFT) - 1), !l.freeBits.has(bit)];
}

const INT8_ARRAY = { name: '_int8', typmod: -1, elem: T.int8 } as SqlType;
const int8Array = (xs: number[]) => new PgArray(xs);

const defs: FuncDef[] = [
  { name: 'hash_page_type', args: ['bytea'], ret: T.text, extension: EXT, fn: (v: Value) => pageType(rawOf(v)) },
  {
    name: 'hash_page_stats', args: ['bytea'], ret: T.text, extension: EXT,
    table: {
      set: false, columns: STATS,
      rows: ([v]) => {
        const r = rawOf(v!);
        verify(r, LH_BUCKET_PAGE | LH_OVERFLOW_PAGE);
        const p = r.page!;
        const dead = p.items.filter((x) => x.dead).length;
        return [[p.items.length - dead, dead, 8192, pageFreeSpace(p), p.prev, p.next, p.bucket, p.flag, HASHO_PAGE_ID]];
      },
    },
  },
  {
    name: 'hash_page_items', args: ['bytea'], ret: T.text, extension: EXT,
    table: {
      set: true, columns: [['itemoffset', T.int4], ['ctid', T.tid], ['data', T.int8]],
      rows: ([v]) => {
        const r = rawOf(v!);
        verify(r, LH_BUCKET_PAGE | LH_OVERFLOW_PAGE);
        return r.page!.items.map((it, i) => [i + 1, formatTid(tidBlock(it.tid), tidOffset(it.tid)), it.hash]);
      },
    },
  },
  {
    name: 'hash_bitmap_info', args: ['regclass', 'int8'], ret: T.text, extension: EXT,
    table: { set: false, columns: [['bitmapblkno', T.int8], ['bitmapbit', T.int4], ['bitstatus', T.bool]], rows: ([a, b], c) => [bitmapInfo(c, a!, b!)] },
  },
  {
    name: 'hash_metapage_info', args: ['bytea'], ret: T.text, extension: EXT,
    table: {
      set: false,
      columns: [['magic', T.int8], ['version', T.int8], ['ntuples', T.float8], ['ffactor', T.int8], ['bsize', T.int8], ['bmsize', T.int8],
        ['bmshift', T.int8], ['maxbucket', T.int8], ['highmask', T.int8], ['lowmask', T.int8], ['ovflpoint', T.int8], ['firstfree', T.int8],
        ['nmaps', T.int8], ['procid', T.oid], ['spares', INT8_ARRAY], ['mapp', INT8_ARRAY]],
      rows: ([v]) => {
        const r = rawOf(v!);
        verify(r, LH_META_PAGE);
        const m = r.meta!;
        return [[HASH_MAGIC, HASH_VERSION, floatIn(String(m.ntuples), false), m.ffactor, 8152, BMSIZE, BMSHIFT, m.maxbucket, m.highmask, m.lowmask, m.ovflpoint,
          m.firstfree, m.nmaps, r.procid!, int8Array(m.spares), int8Array(m.mapp)]];
      },
    },
  },
];
register(defs);
