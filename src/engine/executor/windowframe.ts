/**
 * Window frames (PostgreSQL's parser/parse_clause.c transformFrameOffset, executor/nodeWindowAgg.c
 * update_frameheadpos / update_frametailpos, and the WINDOW clause's named windows, transformWindowDefinitions).
 *
 * A window function sees its partition in ORDER BY order; the frame is the part of it an aggregate, first_value,
 * last_value or nth_value reads for the current row. ROWS counts rows, GROUPS counts peer groups (rows equal on
 * ORDER BY), RANGE compares the ORDER BY value itself with an offset:
 *
 *     k:  1   2   2   4   NULL        current row: the first k = 2 (row 1)
 *     ROWS   BETWEEN 1 PRECEDING AND CURRENT ROW     rows 0..1
 *     GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW     rows 0..2  (the group before, and its own group)
 *     RANGE  BETWEEN 1 PRECEDING AND 1 FOLLOWING     rows 0..2  (1 <= k <= 3; NULL is only its own peers' frame)
 *     ... EXCLUDE CURRENT ROW / GROUP / TIES         drop the row itself / its peers too / its peers only
 *
 * The default frame is RANGE UNBOUNDED PRECEDING to CURRENT ROW: the partition's start to the current row's last
 * peer (the whole partition without ORDER BY). The offsets are computed once, before the first row (a negative or
 * NULL one is an error even over no rows). row_number, rank, dense_rank, ntile, lag and lead ignore the frame.
 *
 * Simplifications: RANGE with an offset orders by an integer or float column only (numeric, dates and times with
 * an interval are 0A000 here); aggregates are recomputed for each row's frame (no moving-aggregate inverse
 * transition: the same values, more work).
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { castTo, compileExpr, type Compiled, type Row, type Scope } from '../sql/expr.js';
import { type Value, T, typeDisplayName } from '../sql/types.js';
import type { N } from './util.js';

/** frameOptions bits (nodes/parsenodes.h) */
export const FRAMEOPTION = {
  NONDEFAULT: 0x1, RANGE: 0x2, ROWS: 0x4, GROUPS: 0x8, BETWEEN: 0x10,
  START_UNBOUNDED_PRECEDING: 0x20, END_UNBOUNDED_FOLLOWING: 0x100, START_CURRENT_ROW: 0x200, END_CURRENT_ROW: 0x400,
  START_OFFSET_PRECEDING: 0x800, END_OFFSET_PRECEDING: 0x1000, START_OFFSET_FOLLOWING: 0x2000, END_OFFSET_FOLLOWING: 0x4000,
  EXCLUDE_CURRENT_ROW: 0x8000, EXCLUDE_GROUP: 0x10000, EXCLUDE_TIES: 0x20000,
} as const;
export const FRAME_DEFAULT = FRAMEOPTION.RANGE | FRAMEOPTION.START_UNBOUNDED_PRECEDING | FRAMEOPTION.END_CURRENT_ROW;

type Bound = 'unbounded' | 'current' | 'preceding' | 'following';
export interface FrameSpec {
  mode: 'rows' | 'range' | 'groups';
  start: Bound; end: Bound;
  exclude: 'none' | 'current' | 'group' | 'ties';
  startOffset: Compiled | null; endOffset: Compiled | null;
  /** RANGE with an offset: the one ORDER BY key's direction */
  desc: boolean;
}

/**
 * The WINDOW clause's named windows resolved into every OVER: `OVER w` is w itself; `OVER (w ORDER BY ...)` copies
 * w's PARTITION BY (and ORDER BY, when it has none of its own), never a frame.
 */
export function resolveWindows(windowClause: N[] | undefined): (over: N) => N {
  const defs = new Map<string, N>();
  const resolve = (d: N): N => {
    if (!d.refname) return d;
    const base = defs.get(d.refname);
    if (!base) throw new PgError('42704', `window "${d.refname}" does not exist`, { position: posOf(d.location) });
    if (d.partitionClause?.length) throw new PgError('42P20', `cannot override PARTITION BY clause of window "${d.refname}"`, { position: posOf(d.location) });
    if (d.orderClause?.length && base.orderClause?.length) throw new PgError('42P20', `cannot override ORDER BY clause of window "${d.refname}"`, { position: posOf(d.location) });
    if (base.frameOptions !== FRAME_DEFAULT) {
      const bare = !d.orderClause?.length && d.frameOptions === FRAME_DEFAULT;
      throw new PgError('42P20', `cannot copy window "${d.refname}" because it has a frame clause`, { position: posOf(d.location), ...(bare ? { hint: 'Omit the parentheses in this OVER clause.' } : {}) });
    }
    return { ...d, refname: undefined, partitionClause: base.partitionClause, orderClause: d.orderClause?.length ? d.orderClause : base.orderClause };
  };
  for (const wd of windowClause ?? []) {
    const d = wd.WindowDef as N;
    if (defs.has(d.name)) throw new PgError('42P20', `window "${d.name}" is already defined`, { position: posOf(d.location) });
    defs.set(d.name, resolve(d));
  }
  return (over) => {
    if (over.name && !over.refname && !over.partitionClause?.length && !over.orderClause?.length && over.frameOptions === FRAME_DEFAULT) {
      const d = defs.get(over.name);
      if (!d) throw new PgError('42704', `window "${over.name}" does not exist`, { position: posOf(over.location) });
      return d;
    }
    return resolve(over);
  };
}

/** The frame of a window definition, or null for the default frame. */
export function compileFrame(w: N, order: { c: Compiled; desc: boolean }[], scope: Scope): FrameSpec | null {
  const o = w.frameOptions as number;
  if (o === FRAME_DEFAULT || !(o & FRAMEOPTION.NONDEFAULT)) return null;
  const F = FRAMEOPTION;
  const mode = o & F.ROWS ? 'rows' : o & F.GROUPS ? 'groups' : 'range';
  const start: Bound = o & F.START_UNBOUNDED_PRECEDING ? 'unbounded' : o & F.START_CURRENT_ROW ? 'current' : o & F.START_OFFSET_PRECEDING ? 'preceding' : 'following';
  const end: Bound = o & F.END_UNBOUNDED_FOLLOWING ? 'unbounded' : o & F.END_CURRENT_ROW ? 'current' : o & F.END_OFFSET_PRECEDING ? 'preceding'
    : o & F.END_OFFSET_FOLLOWING ? 'following' : 'current';
  const exclude = o & F.EXCLUDE_CURRENT_ROW ? 'current' : o & F.EXCLUDE_GROUP ? 'group' : o & F.EXCLUDE_TIES ? 'ties' : 'none';
  const hasOffset = start === 'preceding' || start === 'following' || end === 'preceding' || end === 'following';
  if (mode === 'groups' && !order.length) throw new PgError('42P20', 'GROUPS mode requires an ORDER BY clause', { position: posOf(w.location) });
  if (mode === 'range' && hasOffset && order.length !== 1) {
    throw new PgError('42P20', 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column', { position: posOf(w.location) });
  }
  const offset = (node: N | undefined): Compiled | null => {
    if (!node) return null;
    const what = mode.toUpperCase();
    const v = firstColumnRef(node);
    if (v) throw new PgError('42P10', `argument of ${what} must not contain variables`, { position: posOf(v.ColumnRef.location) });
    const c = compileExpr(node, { ...scope, columns: [], hasSystem: false });
    if (mode !== 'range') return castTo(c, T.int8, true);
    const key = order[0]!.c.type;
    const numeric = ['int2', 'int4', 'int8', 'float4', 'float8'];
    if (!numeric.includes(key.name)) {
      if (key.name === 'numeric' || key.name.startsWith('date') || key.name.startsWith('time')) throw notSupported(`RANGE with offset PRECEDING/FOLLOWING over a ${typeDisplayName(key)} column`, posOf(locationOf(node)));
      throw new PgError('0A000', `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${typeDisplayName(key)}`, { position: posOf(locationOf(node)) });
    }
    const ok = c.type.name === 'unknown' || (key.name.startsWith('int') ? ['int2', 'int4', 'int8'] : ['int2', 'int4', 'int8', 'float4', 'float8']).includes(c.type.name);
    if (!ok) {
      throw new PgError('0A000', `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${typeDisplayName(key)} and offset type ${typeDisplayName(c.type)}`,
        { position: posOf(locationOf(node)), hint: 'Cast the offset value to an appropriate type.' });
    }
    return castTo(c, c.type.name === 'unknown' ? key : c.type, false);
  };
  return { mode, start, end, exclude, startOffset: offset(w.startOffset), endOffset: offset(w.endOffset), desc: order[0]?.desc ?? false };
}

/** in_range's check of a RANGE offset, row by row: a negative size is an error */
const rangeSize = (v: Value): number => {
  const n = Number(v);
  if (n < 0 || Number.isNaN(n)) throw new PgError('22013', 'invalid preceding or following size in window function');
  return n;
};

/** The offsets, once before the first row (calculate_frame_offsets): ROWS / GROUPS offsets must be >= 0, none NULL. */
export function frameOffsets(f: FrameSpec): { start: Value; end: Value } {
  const one = (c: Compiled | null, which: 'starting' | 'ending'): Value => {
    if (!c) return null;
    const v = c.fn(null as unknown as Row);
    if (v === null) throw new PgError('22004', `frame ${which} offset must not be null`);
    if (f.mode !== 'range' && Number(v) < 0) throw new PgError('22013', `frame ${which} offset must not be negative`);
    return v;
  };
  return { start: one(f.startOffset, 'starting'), end: one(f.endOffset, 'ending') };
}

/** A partition's peer groups: each row's group, and each group's first and last row. */
export interface Groups { of: number[]; first: number[]; last: number[] }
export function peerGroups(n: number, peers: (i: number, j: number) => boolean): Groups {
  const of: number[] = new Array(n), first: number[] = [], last: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i === 0 || !peers(i - 1, i)) { first.push(i); last.push(i); } else last[last.length - 1] = i;
    of[i] = first.length - 1;
  }
  return { of, first, last };
}

/**
 * The rows of row i's frame, in partition order (exclusions removed). key(j): the ORDER BY value (RANGE offsets).
 */
export function frameRows(f: FrameSpec, n: number, i: number, g: Groups, key: (j: number) => Value, offs: { start: Value; end: Value }): number[] {
  const gi = g.of[i]!, ng = g.first.length;
  let lo: number, hi: number;
  const rangeBound = (which: 'start' | 'end', dir: 'preceding' | 'following'): number => {
    const k = key(i);
    if (k === null) return which === 'start' ? g.first[gi]! : g.last[gi]!; // NULL: its peers only
    const size = rangeSize(offs[which]);
    const s = f.desc ? -1 : 1;
    const target = Number(k) + (dir === 'preceding' ? -s : s) * size;
    const inside = (j: number) => { const v = key(j); return v !== null && (which === 'start' ? s * (Number(v) - target) >= 0 : s * (Number(v) - target) <= 0); };
    if (which === 'start') { for (let j = 0; j < n; j++) if (inside(j)) return j; return n; }
    for (let j = n - 1; j >= 0; j--) if (inside(j)) return j;
    return -1;
  };
  const off = (which: 'start' | 'end') => Number(offs[which]);
  switch (f.start) {
    case 'unbounded': lo = 0; break;
    case 'current': lo = f.mode === 'rows' ? i : g.first[gi]!; break;
    default:
      if (f.mode === 'rows') lo = f.start === 'preceding' ? Math.max(0, i - off('start')) : i + off('start');
      else if (f.mode === 'groups') {
        const to = f.start === 'preceding' ? Math.max(0, gi - off('start')) : gi + off('start');
        lo = to < ng ? g.first[to]! : n;
      } else lo = rangeBound('start', f.start);
  }
  switch (f.end) {
    case 'unbounded': hi = n - 1; break;
    case 'current': hi = f.mode === 'rows' ? i : g.last[gi]!; break;
    default:
      if (f.mode === 'rows') hi = f.end === 'preceding' ? i - off('end') : Math.min(n - 1, i + off('end'));
      else if (f.mode === 'groups') {
        const to = f.end === 'preceding' ? gi - off('end') : Math.min(ng - 1, gi + off('end'));
        hi = to >= 0 ? g.last[to]! : -1;
      } else hi = rangeBound('end', f.end);
  }
  const out: number[] = [];
  for (let j = lo; j <= hi; j++) {
    if (f.exclude === 'current' && j === i) continue;
    if (f.exclude === 'group' && g.of[j] === gi) continue;
    if (f.exclude === 'ties' && g.of[j] === gi && j !== i) continue;
    out.push(j);
  }
  return out;
}

const firstColumnRef = (x: unknown): N | null => {
  if (!x || typeof x !== 'object') return null;
  const o = x as N;
  if (o.ColumnRef) return o;
  for (const v of Object.values(o)) { const r = firstColumnRef(v); if (r) return r; }
  return null;
};
const locationOf = (x: N): number | undefined => {
  for (const v of Object.values(x)) if (v && typeof v === 'object' && typeof (v as N).location === 'number') return (v as N).location;
  return undefined;
};
