/**
 * pageinspect: look at a page as it sits in shared buffers — the line pointers, each tuple's header, a B-tree's
 * metapage, page statistics and items.
 *
 *     CREATE EXTENSION pageinspect;
 *     SELECT lp, lp_flags, t_xmin, t_xmax, t_ctid, t_infomask FROM heap_page_items(get_raw_page('t', 0));
 *     SELECT * FROM page_header(get_raw_page('t', 0));
 *     SELECT * FROM heap_tuple_infomask_flags(2818, 2);   -- {…,HEAP_XMIN_COMMITTED,HEAP_XMIN_INVALID,…} / {HEAP_XMIN_FROZEN}
 *     SELECT lp, t_attrs FROM heap_page_item_attrs(get_raw_page('t', 0), 't');   -- {"\\x01000000",NULL,"\\x096f6e65"}
 *     SELECT tuple_data_split('t'::regclass, t_data, t_infomask, t_infomask2, t_bits) FROM heap_page_items(get_raw_page('t', 0));
 *     SELECT itemoffset, ctid, data FROM bt_page_items('t_pkey', 1);
 *     SELECT blkno, type, live_items, btpo_prev, btpo_next, btpo_level FROM bt_page_stats('t_pkey', 3);
 *
 * get_raw_page() copies the 8 kB block out of the buffer: what the other functions show is the page as it was
 * when the copy was made, not as it is when they run. The engine keeps a page as a structure (line pointers with
 * their tuples) rather than as bytes, so the copy is a bytea of 8192 bytes kept as that structure: these functions
 * read the structure; read as plain bytea (length, substring, md5, stored in a table) a heap page's bytes are laid
 * out (contrib/rawpage.ts), another page's are refused with 0A000 (sql/types.ts Bytea). t_data is laid out as heap_fill_tuple does for
 * integers, floats, dates, timestamps, intervals, booleans and strings; for other types (numeric) it is opaque too.
 *
 * Mirrors: contrib/pageinspect/rawpage.c (get_raw_page, page_header), heapfuncs.c (heap_page_items,
 * heap_page_item_attrs, tuple_data_split, heap_tuple_infomask_flags), fsmfuncs.c (fsm_page_contents of the fsm fork's
 * pages as VACUUM leaves them: after an insert searched or updated the map, get_raw_page of that fork is refused),
 * btreefuncs.c (bt_metap, bt_page_stats, bt_page_items). A B-tree's pages — metapage,
 * root, internal pages with their downlinks, leaves with their high keys and sibling links — are laid out from the
 * index's history as nbtree would have split them, posting lists included (index/nbtlayout.ts, which lists what it
 * refuses: bottom-up deletion, page deletion...). Simplifications: page LSNs are the engine's (its WAL starts elsewhere than a real
 * cluster's); no LP_DEAD hints on index items; page_header() reads heap pages only; the vm and init forks are
 * refused; expression indexes are refused by the B-tree functions; heap_page_item_attrs of an index's page is refused
 * (PostgreSQL reads its bytes as if they were a heap page's); tuple_data_split walks only the types t_data lays out,
 * and its do_detoast strips a varlena's header and decompresses a value the toaster compressed (heap/heaptoast.ts;
 * no value is ever stored out of line).
 */
import { compressedOf, copyValues } from '../heap/heaptoast.js';
import { pglzDecompress } from '../heap/pglz.js';
import { PgError, notSupported } from '../errors.js';
import { register, type CallCtx, type FuncDef } from '../sql/funcs/registry.js';
import { T, Bytea, PgArray, type Value, type SqlType } from '../sql/types.js';
import type { Page } from '../heap/heap.js';
import { BLCKSZ, tidBlock, tidOffset, formatTid } from '../heap/heap.js';
import { LpFlags, MAXALIGN, HEAP_HASNULL, HEAP_NATTS_MASK } from '../heap/tuple.js';
import { fsmCategory } from '../heap/heap.js';
import { relationArg } from './host.js';
import type { BtreeIndex } from '../index/btree.js';
import type { Table } from '../catalog/catalog.js';
import { indexLayout, pageFree, allEqualImage, type BtLayout, type BtPage } from '../index/nbtlayout.js';
import { keySize, heapTid, dataOffset } from '../index/nbtree.js';
import { datumBytes, FIXED } from '../heap/datum.js';
import { heapPageImage } from './rawpage.js';
import { HashIndex } from '../index/hash.js';
import { hashRawPage } from './hashfuncs.js';
export { datumBytes };

type RawPage =
  | { kind: 'heap'; rel: string; blk: number; page: Page; types: SqlType[] }
  | { kind: 'btmeta'; rel: string; blk: number }
  | { kind: 'btpage'; rel: string; blk: number; page: BtPage }
  | { kind: 'fsm'; rel: string; blk: number; nodes: Uint8Array };

const EXT = 'pageinspect';
const BYTEA_ARRAY: SqlType = { name: '_bytea', typmod: -1, elem: T.bytea };
/**
 * The page a bytea argument carries. A plain bytea (not from get_raw_page): heap_page_items and
 * heap_page_item_attrs check only that it holds a page header (heapfuncs.c), the others get_page_from_raw's exact
 * size; one of 8192 bytes would be parsed as a page by PostgreSQL — refused here (0A000).
 */
const rawPageOf = (v: Value, fn: string): RawPage => {
  if (v instanceof Bytea && v.opaque?.payload) return v.opaque.payload as RawPage;
  if (!(v instanceof Bytea)) throw new PgError('22023', 'input page is not a valid page');
  const n = v.length;
  if (fn.startsWith('heap_page_item')) { if (n < 24) throw new PgError('22023', `input page too small (${n} bytes)`); } else if (n !== BLCKSZ) {
    throw new PgError('22023', 'invalid page size', { detail: `Expected ${BLCKSZ} bytes, got ${n}.` });
  }
  throw notSupported(`${fn}() of a bytea value that is not a page from get_raw_page()`);
};

/** An index's pages, laid out from its history (index/nbtlayout.ts), with keys laid out as index_form_tuple does. */
function layoutOf(c: CallCtx, name: string): { layout: BtLayout; index: BtreeIndex; table: Table } {
  const { table, index } = relationArg(c, name);
  if (!index || index.am !== 'btree') throw new PgError('42809', `"${name}" is not a btree index`);
  return { layout: indexLayout(index, table.types), index, table };
}

/** bt_index_block_validate and the read of the block */
function btBlock(c: CallCtx, name: string, blk: number): { page: BtPage } {
  if (blk < 0 || blk > 0xfffffffe) throw new PgError('22023', 'invalid block number');
  const { layout } = layoutOf(c, name);
  if (blk === 0) throw new PgError('22023', 'block 0 is a meta page');
  const page = layout.pages[blk];
  if (!page) throw new PgError('22023', 'block number out of range');
  return { page };
}

/** pg_lsn_out: the two halves in hex, %X/%X (no zero padding) */
export const lsnOut = (lsn: number) => `${Math.floor(lsn / 0x100000000).toString(16).toUpperCase()}/${(lsn % 0x100000000).toString(16).toUpperCase()}`;
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

function getRawPage(c: CallCtx, relname: string, fork: string, blk: number): Bytea {
  if (!['main', 'fsm', 'vm', 'init'].includes(fork)) throw new PgError('22023', 'invalid fork name', { hint: 'Valid fork names are "main", "fsm", "vm", and "init".' });
  const { table, index } = relationArg(c, relname);
  const name = index?.name ?? table.name;
  if (fork !== 'main') {
    if (fork === 'init' || (fork === 'fsm' && !table.heap.fsmPages) || (fork === 'vm' && !table.heap.vmExists) || index) {
      throw new PgError('58P01', `could not open file "base/5/${index ? index.oid : table.relfilenode ?? table.oid}_${fork}": No such file or directory`);
    }
    if (fork === 'fsm') {
      if (blk < 0 || blk >= table.heap.fsmPages) throw new PgError('22023', `block number ${blk} is out of range for relation "${name}"`);
      if (!table.heap.fsmAsVacuumLeft) throw notSupported('get_raw_page of the fsm fork after an insert searched or updated the map (its fp_next_slot hints and lagging upper levels are not kept; VACUUM resets them)');
      const payload: RawPage = { kind: 'fsm', rel: name, blk, nodes: fsmNodes(table, blk) };
      return new Bytea(null, { what: `a raw page (block ${blk} of the fsm fork of "${name}")`, payload, length: BLCKSZ });
    }
    throw notSupported(`get_raw_page of the ${fork} fork (pg_visibility_map() reads it)`);
  }
  let raw: RawPage;
  if (index instanceof HashIndex) {
    const payload = hashRawPage(index, blk);
    return new Bytea(null, { what: `a raw page (block ${blk} of "${name}")`, payload, length: BLCKSZ });
  }
  if (index) {
    const { layout } = layoutOf(c, name);
    if (blk >= layout.pages.length || blk < 0) throw new PgError('22023', `block number ${blk} is out of range for relation "${name}"`);
    raw = blk === 0 ? { kind: 'btmeta', rel: name, blk } : { kind: 'btpage', rel: name, blk, page: layout.pages[blk]! };
  } else {
    const page = table.heap.pages[blk];
    if (!page || blk < 0) throw new PgError('22023', `block number ${blk} is out of range for relation "${name}"`);
    raw = { kind: 'heap', rel: name, blk, page: { ...page, items: page.items.map((it) => ({ ...it, values: copyValues(it.values) })) }, types: table.types.slice() };
  }
  // its bytes laid out when read as plain bytea (contrib/rawpage.ts: heap pages only)
  const image = raw.kind === 'heap' ? () => heapPageImage(raw.page, raw.types) : undefined;
  return new Bytea(null, { what: `a raw page (block ${blk} of "${name}")`, payload: raw, length: BLCKSZ, ...(image ? { image } : {}) });
}

/** An FSM page's binary tree (fsm_internals.h): 4095 inner nodes, then one leaf per heap block (4069 on a page) */
const NON_LEAF_NODES = BLCKSZ / 2 - 1, NODES_PER_PAGE = BLCKSZ - 24 - 4;
/**
 * The page as VACUUM leaves it: physical block 2 is the bottom level's first page (a leaf per heap block: its
 * category), blocks 1 and 0 the levels above (their first leaf the maximum of the page below); each inner node
 * the larger of its children. The engine's tables stay below 4069 blocks: one page per level.
 */
function fsmNodes(t: Table, blk: number): Uint8Array {
  const nodes = new Uint8Array(NODES_PER_PAGE);
  let max = 0;
  for (const [b, avail] of t.heap.fsm) {
    const cat = fsmCategory(avail);
    if (b < NODES_PER_PAGE - NON_LEAF_NODES) { if (blk === 2) nodes[NON_LEAF_NODES + b] = cat; if (cat > max) max = cat; }
  }
  if (blk !== 2) nodes[NON_LEAF_NODES] = max;
  for (let n = NON_LEAF_NODES - 1; n >= 0; n--) nodes[n] = Math.max(nodes[2 * n + 1] ?? 0, nodes[2 * n + 2] ?? 0);
  return nodes;
}

/** fsm_page_contents: each non-zero node "N: V", then the page's fp_next_slot (0 as VACUUM leaves it) */
function fsmPageContents(v: Value): string {
  const r = rawPageOf(v, 'fsm_page_contents');
  if (r.kind !== 'fsm') throw notSupported('fsm_page_contents() of a page that is not a free space map page');
  let out = '';
  r.nodes.forEach((x, i) => { if (x) out += `${i}: ${x}\n`; });
  return `${out}fp_next_slot: 0\n`;
}

const heapPageOf = (v: Value, fn: string): RawPage & { kind: 'heap' } => {
  const r = rawPageOf(v, fn);
  if (r.kind !== 'heap') throw notSupported(`${fn}() of an index page`);
  return r;
};

const ITEM_COLUMNS: [string, SqlType][] = [
  ['lp', T.int2], ['lp_off', T.int2], ['lp_flags', T.int2], ['lp_len', T.int2], ['t_xmin', T.xid], ['t_xmax', T.xid],
  ['t_field3', T.int4], ['t_ctid', T.tid], ['t_infomask2', T.int4], ['t_infomask', T.int4], ['t_hoff', T.int2],
  ['t_bits', T.text], ['t_oid', T.oid], ['t_data', T.bytea],
];

function heapPageItems(v: Value, fn = 'heap_page_items'): Value[][] {
  const r = heapPageOf(v, fn);
  return r.page.items.map((it, i) => {
    const lpLen = it.lpFlags === LpFlags.NORMAL ? it.lpLen : 0;
    const head: Value[] = [i + 1, it.lpOff, it.lpFlags, lpLen];
    if (it.lpFlags !== LpFlags.NORMAL) return [...head, ...new Array<Value>(10).fill(null)];
    const natts = it.infomask2 & HEAP_NATTS_MASK;
    const hasNull = (it.infomask & HEAP_HASNULL) !== 0;
    const hoff = MAXALIGN(23 + (hasNull ? Math.ceil(natts / 8) : 0));
    let bits: string | null = null;
    if (hasNull) {
      bits = '';
      for (let a = 0; a < Math.ceil(natts / 8) * 8; a++) bits += a < natts && it.values[a] !== null && it.values[a] !== undefined ? '1' : '0';
    }
    const bytes = datumBytes(it.values, r.types, compressedOf(it.values));
    const data = bytes && bytes.length === it.lpLen - hoff
      ? new Bytea(bytes) : new Bytea(null, { what: `the data of tuple ${formatTid(r.blk, i + 1)} (its column types are not laid out byte by byte)`, payload: null });
    return [...head, it.xmin, it.xmax, it.field3, formatTid(it.ctidBlock, it.ctidOffset), it.infomask2, it.infomask, hoff, bits, null, data];
  });
}

/** typlen / typalign of the types tuple_data_split walks (-1: a varlena); undefined: not laid out by the engine */
const WIDE: Record<string, [number, number]> = {
  float4: [4, 4], float8: [8, 8], date: [4, 4], timestamp: [8, 8], timestamptz: [8, 8], interval: [16, 8], time: [8, 8], timetz: [12, 8],
};
const EIGHT = new Set(['int8', 'float8', 'timestamp', 'timestamptz', 'interval', 'time', 'timetz']);
function typeLayout(t: SqlType): [number, number] | undefined {
  const fixed = FIXED[t.name] ?? WIDE[t.name];
  if (fixed) return fixed;
  if (t.elem) return [-1, EIGHT.has(t.elem.name) ? 8 : 4];
  if (['text', 'varchar', 'bpchar', 'json', 'jsonb', 'bit', 'varbit', 'bytea'].includes(t.name)) return [-1, 4];
  return undefined;
}

/**
 * tuple_data_split: t_data cut into its attributes as heap_deform_tuple walks them (the null bitmap's 0s are
 * NULLs; a varlena is not aligned when its first byte is not a pad byte), each attribute's raw bytes.
 */
function tupleDataSplit(types: SqlType[], data: Uint8Array, infomask: number, infomask2: number, bits: string | null, detoast = false): PgArray {
  const natts = infomask2 & HEAP_NATTS_MASK;
  if (natts > types.length) throw new PgError('XX000', 'number of attributes in tuple header is greater than number of attributes in tuple descriptor');
  const hasNulls = (infomask & HEAP_HASNULL) !== 0;
  if (hasNulls) {
    if (bits === null) throw new PgError('22023', 't_bits string must not be NULL');
    const want = Math.ceil(natts / 8) * 8;
    if (bits.length !== want) throw new PgError('22023', `unexpected length of t_bits string: ${bits.length}, expected ${want}`);
  } else if (bits !== null) throw new PgError('22023', `t_bits string is expected to be NULL, but instead it is ${bits.length} bytes long`);
  const out: Value[] = [];
  let off = 0;
  for (let i = 0; i < types.length; i++) {
    if (i >= natts || (hasNulls && bits![i] === '0')) { out.push(null); continue; }
    const lay = typeLayout(types[i]!);
    if (!lay) throw notSupported(`tuple_data_split() of a ${types[i]!.name} column (its bytes are not laid out)`);
    const [len, align] = lay;
    let n = len;
    if (len === -1) {
      if (data[off] === 0) off = Math.ceil(off / align) * align;
      const b = data[off] ?? 0;
      const u32 = ((data[off] ?? 0) | ((data[off + 1] ?? 0) << 8) | ((data[off + 2] ?? 0) << 16) | ((data[off + 3] ?? 0) << 24)) >>> 0;
      // 1-byte header (1: an external TOAST pointer, its tag the next byte), else a 4-byte one (VARSIZE_ANY)
      n = b & 1 ? (b === 1 ? 2 + (data[off + 1] === 18 ? 16 : 8) : b >> 1) : (u32 >>> 2) & 0x3fffffff;
    } else off = Math.ceil(off / align) * align;
    if (off + n > data.length) throw new PgError('XX000', 'unexpected end of tuple data');
    // do_detoast of a TOAST pointer reads the chunks back from the TOAST table: not modelled here
    if (detoast && len === -1 && data[off] === 1) throw notSupported('do_detoast of a value stored out of line in the TOAST table (pageinspect)');
    // do_detoast: a varlena's data without its header, a compressed one (VARATT_4B_C) decompressed
    if (detoast && len === -1 && (data[off]! & 0x03) === 0x02) {
      const raw = ((data[off + 4]! | (data[off + 5]! << 8) | (data[off + 6]! << 16) | (data[off + 7]! << 24)) >>> 0) & 0x3fffffff;
      out.push(new Bytea(pglzDecompress(data.slice(off + 8, off + n), raw)));
      off += n;
      continue;
    }
    const head = detoast && len === -1 ? (data[off]! & 1 ? 1 : 4) : 0;
    out.push(new Bytea(data.slice(off + head, off + n)));
    off += n;
  }
  if (off !== data.length) throw new PgError('XX000', 'end of tuple reached without looking at all its data');
  return new PgArray(out);
}

/** heap_page_item_attrs: heap_page_items with t_data split into t_attrs by the relation's column types */
function heapPageItemAttrs(c: CallCtx, v: Value, rel: Value, detoast: boolean): Value[][] {
  const { table, index } = relationArg(c, rel);
  if (index) throw new PgError('0A000', 'only heap AM is supported');
  const types = table.types;
  return heapPageItems(v, 'heap_page_item_attrs').map((row) => {
    const data = row[13];
    if (row[2] !== LpFlags.NORMAL || !(data instanceof Bytea)) return row;
    if (!data.bytes) return [...row.slice(0, 13), new PgArray([data])];
    return [...row.slice(0, 13), tupleDataSplit(types, data.bytes, Number(row[9]), Number(row[8]), row[11] as string | null, detoast)];
  });
}

/** heap_tuple_infomask_flags: each bit's name, then the combinations (in heapfuncs.c's order). */
const RAW_FLAGS: [number, number, string][] = [
  [0x0001, 0, 'HEAP_HASNULL'], [0x0002, 0, 'HEAP_HASVARWIDTH'], [0x0004, 0, 'HEAP_HASEXTERNAL'], [0x0008, 0, 'HEAP_HASOID_OLD'],
  [0x0010, 0, 'HEAP_XMAX_KEYSHR_LOCK'], [0x0020, 0, 'HEAP_COMBOCID'], [0x0040, 0, 'HEAP_XMAX_EXCL_LOCK'], [0x0080, 0, 'HEAP_XMAX_LOCK_ONLY'],
  [0x0100, 0, 'HEAP_XMIN_COMMITTED'], [0x0200, 0, 'HEAP_XMIN_INVALID'], [0x0400, 0, 'HEAP_XMAX_COMMITTED'], [0x0800, 0, 'HEAP_XMAX_INVALID'],
  [0x1000, 0, 'HEAP_XMAX_IS_MULTI'], [0x2000, 0, 'HEAP_UPDATED'], [0x4000, 0, 'HEAP_MOVED_OFF'], [0x8000, 0, 'HEAP_MOVED_IN'],
  [0, 0x2000, 'HEAP_KEYS_UPDATED'], [0, 0x4000, 'HEAP_HOT_UPDATED'], [0, 0x8000, 'HEAP_ONLY_TUPLE'],
];
const COMBINED: [number, string][] = [[0x0050, 'HEAP_XMAX_SHR_LOCK'], [0x0300, 'HEAP_XMIN_FROZEN'], [0xc000, 'HEAP_MOVED']];
export function infomaskFlags(infomask: number, infomask2: number): [PgArray, PgArray] {
  const raw = RAW_FLAGS.filter(([a, b]) => (a && (infomask & a) === a) || (b && (infomask2 & b) === b)).map(([, , n]) => n);
  const combined = COMBINED.filter(([m]) => (infomask & m) === m).map(([, n]) => n);
  return [new PgArray(raw), new PgArray(combined)];
}

const BT_ITEM_COLUMNS: [string, SqlType][] = [
  ['itemoffset', T.int2], ['ctid', T.tid], ['itemlen', T.int2], ['nulls', T.bool], ['vars', T.bool], ['data', T.text],
  ['dead', T.bool], ['htid', T.tid], ['tids', T.tid_array],
];
const btRows = (page: BtPage): Value[][] => {
  const leaf = page.level === 0;
  const fmt = (t: number) => formatTid(tidBlock(t), tidOffset(t));
  return [...(page.hikey ? [page.hikey] : []), ...page.items].map((it, i) => {
    // data: the key, padded — not a posting list's TIDs nor a pivot's heap TID
    const padded = new Uint8Array(keySize(it) - dataOffset(it));
    padded.set(it.data);
    const htid = heapTid(it);
    const tids = it.tids ? new PgArray(it.tids.map(fmt)) : null;
    const dead = leaf && !it.pivot ? it.dead === true : null;
    return [i + 1, fmt(it.tid), it.size, it.nulls === true, it.vars, hex(padded), dead, htid === undefined ? null : fmt(htid), tids];
  });
};

const BT_STATS_COLUMNS: [string, SqlType][] = [
  ['blkno', T.int8], ['type', T.text], ['live_items', T.int4], ['dead_items', T.int4], ['avg_item_size', T.int4], ['page_size', T.int4],
  ['free_size', T.int4], ['btpo_prev', T.int8], ['btpo_next', T.int8], ['btpo_level', T.int8], ['btpo_flags', T.int4],
];
/** bt_page_stats: type l(eaf), r(oot), i(nternal); flags BTP_LEAF 1, BTP_ROOT 2, BTP_HAS_GARBAGE 64 */
function btStats(page: BtPage): Value[] {
  const items = [...(page.hikey ? [page.hikey] : []), ...page.items];
  const leaf = page.level === 0;
  const avg = items.length ? Math.floor(items.reduce((n, t) => n + t.size, 0) / items.length) : 0;
  const dead = items.filter((t) => t.dead).length;
  return [page.blk, leaf ? 'l' : page.root ? 'r' : 'i', items.length - dead, dead, avg, BLCKSZ, pageFree(page), page.prev, page.next, page.level, (leaf ? 1 : 0) | (page.root ? 2 : 0) | (page.garbage ? 64 : 0)];
}

const defs: FuncDef[] = [
  { name: 'get_raw_page', args: ['text', 'int8'], ret: T.bytea, extension: EXT, fn: undefined, build: ([a, b], c) => (r) => { const x = a!.fn(r), y = b!.fn(r); return x === null || y === null ? null : getRawPage(c, String(x), 'main', Number(y)); } },
  {
    name: 'get_raw_page', args: ['text', 'text', 'int8'], ret: T.bytea, extension: EXT,
    build: ([a, f, b], c) => (r) => {
      const x = a!.fn(r), k = f!.fn(r), y = b!.fn(r); return x === null || k === null || y === null ? null : getRawPage(c, String(x), String(k), Number(y));
    },
  },
  {
    name: 'page_header', args: ['bytea'], ret: T.text, extension: EXT,
    table: {
      set: false,
      columns: [['lsn', T.pg_lsn], ['checksum', T.int2], ['flags', T.int2], ['lower', T.int4], ['upper', T.int4], ['special', T.int4], ['pagesize', T.int4], ['version', T.int2], ['prune_xid', T.xid]],
      rows: ([v]) => { const p = heapPageOf(v!, 'page_header').page; return [[lsnOut(p.lsn), 0, p.flags, p.lower, p.upper, BLCKSZ, BLCKSZ, 4, p.pruneXid]]; },
    },
  },
  { name: 'fsm_page_contents', args: ['bytea'], ret: T.text, extension: EXT, fn: (v: Value) => fsmPageContents(v) },
  { name: 'heap_page_items', args: ['bytea'], ret: T.text, extension: EXT, table: { set: true, columns: ITEM_COLUMNS, rows: ([v]) => heapPageItems(v!) } },
  ...[['bytea', 'regclass'], ['bytea', 'regclass', 'bool']].map((args): FuncDef => ({
    name: 'heap_page_item_attrs', args: args as FuncDef['args'], ret: T.text, extension: EXT,
    table: { set: true, columns: [...ITEM_COLUMNS.slice(0, 13), ['t_attrs', BYTEA_ARRAY]], rows: ([v, rel, dt], c) => heapPageItemAttrs(c, v!, rel!, dt === true) },
  })),
  ...[['regclass', 'bytea', 'int4', 'int4', 'text'], ['regclass', 'bytea', 'int4', 'int4', 'text', 'bool']].map((args): FuncDef => ({
    name: 'tuple_data_split', args: args as FuncDef['args'], ret: BYTEA_ARRAY, extension: EXT,
    // not strict: t_bits may be NULL
    build: ([rel, d, im, im2, b, dt], c) => (r) => {
      const rv = rel!.fn(r), dv = d!.fn(r), x = im!.fn(r), y = im2!.fn(r), bv = b!.fn(r), detoast = dt?.fn(r) === true;
      if (rv === null || dv === null || x === null || y === null) return null;
      const { table, index } = relationArg(c, rv);
      if (index) throw new PgError('0A000', 'only heap AM is supported');
      if (!(dv instanceof Bytea) || !dv.bytes) throw notSupported('tuple_data_split() of t_data whose bytes are not laid out');
      return tupleDataSplit(table.types, dv.bytes, Number(x), Number(y), bv === null ? null : String(bv), detoast);
    },
  })),
  {
    name: 'heap_tuple_infomask_flags', args: ['int4', 'int4'], ret: T.text, extension: EXT,
    table: { set: false, columns: [['raw_flags', T.text_array], ['combined_flags', T.text_array]], rows: ([a, b]) => [infomaskFlags(Number(a), Number(b))] },
  },
  {
    name: 'bt_metap', args: ['text'], ret: T.text, extension: EXT,
    table: {
      set: false,
      columns: [['magic', T.int4], ['version', T.int4], ['root', T.int8], ['level', T.int8], ['fastroot', T.int8], ['fastlevel', T.int8],
        ['last_cleanup_num_delpages', T.int8], ['last_cleanup_num_tuples', T.float8], ['allequalimage', T.bool]],
      rows: ([n], c) => {
        const { layout, index, table } = layoutOf(c, String(n));
        const equalImage = !index.include.length && allEqualImage(index.keyTypes(table.types) as SqlType[]);
        // the fast root is the root: no page deletion has left a root with one child
        return [[340322, 4, layout.root, layout.level, layout.root, layout.level, 0, floatOf(-1), equalImage]];
      },
    },
  },
  { name: 'bt_page_items', args: ['text', 'int8'], ret: T.text, extension: EXT, table: { set: true, columns: BT_ITEM_COLUMNS, rows: ([n, b], c) => { const r = btBlock(c, String(n), Number(b)); return btRows(r.page); } } },
  { name: 'bt_page_stats', args: ['text', 'int8'], ret: T.text, extension: EXT, table: { set: false, columns: BT_STATS_COLUMNS, rows: ([n, b], c) => [btStats(btBlock(c, String(n), Number(b)).page)] } },
  {
    name: 'bt_page_items', args: ['bytea'], ret: T.text, extension: EXT,
    table: {
      set: true, columns: BT_ITEM_COLUMNS,
      rows: ([v]) => {
        const r = rawPageOf(v!, 'bt_page_items');
        if (r.kind === 'heap' || r.kind === 'fsm') throw notSupported(`bt_page_items() of a ${r.kind} page`);
        if (r.kind === 'btmeta') throw new PgError('22023', 'block is a meta page');
        return btRows(r.page);
      },
    },
  },
];
register(defs);

import { floatIn } from '../adt/float.js';
const floatOf = (x: number) => floatIn(String(x), false);
