/**
 * Dependencies between transactions, as Adya defines them, from what the engine itself knows.
 *
 * Adya's Direct Serialization Graph has a node per transaction and an edge per direct dependency on a row version:
 *  - ww (write dependency): Tj installs the version after one Ti installed — Tj updated or deleted Ti's version;
 *  - wr (read dependency): Tj read a version Ti installed;
 *  - rw (anti-dependency): Ti read a version and Tj installed the next one — Tj overwrote what Ti read.
 * A history is serializable (for item reads) iff the graph of committed transactions has no cycle. The cycles have
 * names (Adya; the Hermitage test suite uses them): G0 (only ww: dirty write), G1c (ww and wr: circular
 * information flow), G-single (exactly one rw: read skew, or lost update when both transactions wrote the row the
 * rw edge is about), G2-item (two or more rw: write skew); G1a (a committed transaction read an aborted one's
 * version) and G1b (it read a version its writer later overwrote itself) are not cycles but are checked too.
 *
 * Where the knowledge comes from: the reads are recorded by the scans (every visible version a transaction read,
 * with its t_xmin); the writes are on the pages themselves — a version's t_xmin says who installed it, its t_xmax
 * (when it is an updater, not a locker) who installed the next one — so they are read from the heap when the graph
 * is asked for. SERIALIZABLE's own rw-conflicts (predicate.ts, SSI) are recorded as the lock manager flags them,
 * and a 40001 is remembered with its transaction, so the dangerous structure (T0 →rw T1 →rw T2) can be shown.
 *
 * Predicate reads (Adya's predicate anti-dependency, the phantom): a scan also records its search condition, the
 * table and the snapshot it read with. Ti →rw Tj when Tj installed a version that changes the condition's matches —
 * an inserted row it matches, or an update that moves a row into it — and Ti's snapshot did not see Tj (Tj had not
 * committed when Ti read: Ti's search "missed" it), the concurrent INSERT that would have changed a count. (A row
 * leaving the condition is an item anti-dependency: Ti read its old version.) That is the scan's own predicate,
 * re-evaluated on the versions on the pages, not a guess from SQL text; under SERIALIZABLE, SSI's SIREAD locks on the
 * relation or the pages report the same conflicts (predicate.ts) and the edge is marked SSI too. A cycle whose
 * anti-dependencies include a predicate-only
 * one is G2 (phantom / predicate write skew), not G2-item.
 *
 * Simplifications: a search condition is recorded only when it is about the scanned row alone (its own columns,
 * constants and operators: no function calls, subqueries or parameters) and the scan reads one table (a join's
 * inner scans record none); versions VACUUM removed take their edges with them; the newest MAX_TXNS transactions and MAX_READS reads per transaction
 * are kept (bulk statements are not graphed row by row). No PostgreSQL counterpart: PostgreSQL keeps only SSI's part.
 */
export type DepKind = 'ww' | 'wr' | 'rw';

export interface DepTxn {
  id: string;
  session: string;
  isolation: string;
  xid: number;
  /** subtransaction xids that committed with it (their versions are its versions) */
  subXids: number[];
  status: 'running' | 'committed' | 'aborted';
  /** the SQLSTATE that ended it, if an error did (40001: a serialization failure) */
  sqlstate: string | null;
  /** the order transactions ended in (commit or abort), for "committed first" */
  endSeq: number;
}

interface Read { rel: number; blk: number; off: number; xmin: number }
/** The snapshot a predicate read used: a version's creator is "unseen" if it is in progress (or later) for it. */
export interface PredicateSnapshot { xmin: number; xmax: number; xip: readonly number[]; subxip?: readonly number[] | undefined }
/** A search condition a scan evaluated: which versions of `rel` it matches (their column values), as text. */
export interface PredicateRead {
  rel: number; snap: PredicateSnapshot; matches(values: readonly unknown[]): boolean;
  /** the condition as EXPLAIN prints it ("WHERE (shift = 1)"), made when asked */
  describe(): string;
  /** the same key, table and snapshot: the same read (a statement's condition read again) */
  key: unknown;
}

const MAX_TXNS = 40;
const MAX_READS = 2000;
const MAX_PREDICATES = 40;

const unseen = (xid: number, s: PredicateSnapshot) => xid >= s.xmax || (xid >= s.xmin && (s.xip.includes(xid) || !!s.subxip?.includes(xid)));

/** What the engine lets the recorder look at (kept small so the module needs nothing of the engine). */
export interface DepSource {
  /** t_xmin and the updater xid (0 if none, or only a locker) of the version at (rel, blk, off), if it holds one with this xmin */
  version(rel: number, blk: number, off: number, xmin: number): { updater: number } | null;
  /** every version of every table: (rel, blk, off, xmin, updater) */
  versions(f: (rel: number, blk: number, off: number, xmin: number, updater: number) => void): void;
  /**
   * every version of one table with its column values (all columns, in order), its t_xmax (the updater, else the raw
   * xmax) and the values of the version it replaced (an update's old version, still on the page), else null: for
   * predicate reads; only versions whose t_xmin `wanted` accepts
   */
  tuples(rel: number, wanted: (xmin: number) => boolean,
    f: (blk: number, off: number, xmin: number, values: readonly unknown[], xmax: number, prev: readonly unknown[] | null) => void): void;
  relName(rel: number): string;
  /** running transactions: vxid → xid and live subtransaction xids */
  running(): Map<string, { xid: number; subXids: number[] }>;
}

export class DependencyRecorder {
  private txns = new Map<string, DepTxn>();
  private reads = new Map<string, Read[]>();
  private preds = new Map<string, PredicateRead[]>();
  private ssi = new Map<string, { from: string; to: string }>();
  private ends = 0;
  /** set while UPDATE or DELETE looks for its rows: what it then changes is its write, not an item read */
  muted = false;
  unread<T>(f: () => T): T { this.muted = true; try { return f(); } finally { this.muted = false; } }

  clone(): DependencyRecorder {
    const c = new DependencyRecorder();
    for (const [k, t] of this.txns) c.txns.set(k, { ...t, subXids: [...t.subXids] });
    for (const [k, r] of this.reads) c.reads.set(k, [...r]);
    for (const [k, p] of this.preds) c.preds.set(k, [...p]);
    c.ssi = new Map(this.ssi);
    c.ends = this.ends;
    return c;
  }

  begin(id: string, session: string, isolation: string) {
    this.txns.set(id, { id, session, isolation, xid: 0, subXids: [], status: 'running', sqlstate: null, endSeq: 0 });
    if (this.txns.size > MAX_TXNS) {
      // forget the oldest finished transaction
      for (const [k, t] of this.txns) if (t.status !== 'running') { this.txns.delete(k); this.reads.delete(k); this.preds.delete(k); break; }
    }
  }
  read(id: string, rel: number, blk: number, off: number, xmin: number) {
    let r = this.reads.get(id);
    if (!r) { r = []; this.reads.set(id, r); }
    if (r.length < MAX_READS) r.push({ rel, blk, off, xmin });
  }
  /** a scan's search condition (recorded also while muted: UPDATE's and DELETE's searches read a predicate too) */
  predicateRead(id: string, p: PredicateRead) {
    let l = this.preds.get(id);
    if (!l) { l = []; this.preds.set(id, l); }
    const same = l.find((x) => x.rel === p.rel && x.key === p.key && x.snap === p.snap);
    if (!same && l.length < MAX_PREDICATES) l.push(p);
  }
  failing(id: string | undefined, sqlstate: string) { const t = id ? this.txns.get(id) : undefined; if (t && t.status === 'running') t.sqlstate = sqlstate; }
  end(id: string, committed: boolean, xid: number, subXids: number[]) {
    const t = this.txns.get(id);
    if (!t) return;
    t.status = committed ? 'committed' : 'aborted';
    t.xid = xid; t.subXids = subXids; t.endSeq = ++this.ends;
    // a transaction that neither read nor wrote has no edges: not worth a node
    if (!xid && !this.reads.get(id)?.length && !this.preds.get(id)?.length) { this.txns.delete(id); this.reads.delete(id); this.preds.delete(id); }
  }
  /** SSI flagged reader →rw writer (ids of their transactions) */
  rwConflict(reader: string | undefined, writer: string | undefined) {
    if (reader && writer && reader !== writer) this.ssi.set(`${reader}>${writer}`, { from: reader, to: writer });
  }

  /** The graph as it stands. */
  graph(src: DepSource): DepGraph {
    const running = src.running();
    const txns = [...this.txns.values()].map((t) => {
      const r = running.get(t.id);
      return r && t.status === 'running' ? { ...t, xid: r.xid, subXids: r.subXids } : { ...t };
    });
    const byXid = new Map<number, DepTxn>();
    for (const t of txns) { if (t.xid) byXid.set(t.xid, t); for (const x of t.subXids) byXid.set(x, t); }
    const edges = new Map<string, DepEdge>();
    const add = (from: DepTxn, to: DepTxn, kind: DepKind, obj: string, predicate = false) => {
      if (from === to) return;
      const k = `${from.id}>${to.id}:${kind}`;
      let e = edges.get(k);
      if (!e) { e = { from: from.id, to: to.id, kind, objects: [], predicates: [], ssi: false }; edges.set(k, e); }
      const list = predicate ? e.predicates : e.objects;
      if (list.length < 6 && !list.includes(obj)) list.push(obj);
    };
    const objName = (rel: number, blk: number, off: number) => `${src.relName(rel)} (${blk},${off})`;
    // ww: from the pages (t_xmin installed it, an updater t_xmax installed the next version)
    src.versions((rel, blk, off, xmin, updater) => {
      if (!updater) return;
      const a = byXid.get(xmin), b = byXid.get(updater);
      if (a && b) add(a, b, 'ww', objName(rel, blk, off));
    });
    const anomalies: DepAnomaly[] = [];
    for (const [id, reads] of this.reads) {
      const reader = this.txns.get(id) && txns.find((t) => t.id === id);
      if (!reader) continue;
      for (const r of reads) {
        const obj = objName(r.rel, r.blk, r.off);
        const creator = byXid.get(r.xmin);
        if (creator && creator !== reader) {
          add(creator, reader, 'wr', obj);
          if (creator.status === 'aborted' && reader.status === 'committed') anomalies.push({ name: 'G1a', words: 'aborted read', txns: [creator.id, reader.id], edges: [] });
        }
        const v = src.version(r.rel, r.blk, r.off, r.xmin);
        const over = v?.updater ? byXid.get(v.updater) : undefined;
        if (over && over !== reader) add(reader, over, 'rw', obj);
        if (over && creator && over === creator && creator !== reader && reader.status === 'committed' && creator.status === 'committed') {
          anomalies.push({ name: 'G1b', words: 'intermediate read', txns: [creator.id, reader.id], edges: [] });
        }
      }
    }
    // predicate reads: a version the search condition matches, installed by a transaction the reader did not see.
    // Only versions some graphed transaction installed can be such (one pass over a table collects them)
    type Installed = { blk: number; off: number; xmin: number; values: readonly unknown[]; xmax: number; prev: readonly unknown[] | null };
    const installed = new Map<number, Installed[]>();
    const installedIn = (rel: number): Installed[] => {
      const had = installed.get(rel);
      if (had) return had;
      const out: Installed[] = [];
      src.tuples(rel, (xmin) => byXid.has(xmin), (blk, off, xmin, values, xmax, prev) => { out.push({ blk, off, xmin, values, xmax, prev }); });
      installed.set(rel, out);
      return out;
    };
    for (const [id, preds] of this.preds) {
      const reader = this.txns.get(id) && txns.find((t) => t.id === id);
      if (!reader) continue;
      for (const p of preds) {
        for (const v of installedIn(p.rel)) {
          const creator = byXid.get(v.xmin)!;
          if (creator === reader || !unseen(v.xmin, p.snap)) continue;
          // the reader locked, updated or deleted this version itself: it did reach it (READ COMMITTED's re-check of
          // the newest version, EvalPlanQual, after a wait), so its search did not miss it
          if (v.xmax && byXid.get(v.xmax) === reader) continue;
          // Adya: the new version must change the matches — an insert that matches, or an update into the condition
          // (an update that keeps matching overwrote a version the search read: an item dependency, not a phantom)
          let hit: boolean;
          try { hit = p.matches(v.values) && !(v.prev && p.matches(v.prev)); } catch { hit = false; } // a condition that errors on a version does not match it
          if (hit) add(reader, creator, 'rw', `${src.relName(p.rel)} ${p.describe()} matches (${v.blk},${v.off}), which the search did not see`, true);
        }
      }
    }
    for (const { from, to } of this.ssi.values()) {
      const e = edges.get(`${from}>${to}:rw`);
      if (e) e.ssi = true;
      else if (this.txns.has(from) && this.txns.has(to)) edges.set(`${from}>${to}:rw`, { from, to, kind: 'rw', objects: [], predicates: [], ssi: true });
    }
    const list = [...edges.values()];
    const cycle = findCycle(txns, list);
    if (cycle) anomalies.unshift(cycle);
    return { txns, edges: list, anomalies, dangerous: dangerousStructure(txns, list) };
  }
}

export interface DepEdge {
  from: string; to: string; kind: DepKind;
  /** the row versions it is about (item dependencies) */
  objects: string[];
  /** rw only: the search conditions it is about — a version the condition matches that the reader did not see (a phantom) */
  predicates: string[];
  /** also an rw-conflict SSI flagged */
  ssi: boolean;
}
/** an anti-dependency that exists only through a search condition (no row version read is involved) */
export const predicateOnly = (e: DepEdge) => e.kind === 'rw' && !e.objects.length && e.predicates.length > 0;
export interface DepAnomaly {
  /** Adya's name: G0, G1a, G1b, G1c, G-single, G2-item, G2 (with a predicate anti-dependency: a phantom) */
  name: string;
  /** the everyday name: dirty write, lost update, read skew, write skew … */
  words: string;
  txns: string[];
  /** indexes into the graph's edges: the cycle */
  edges: number[];
  /** the cycle is among committed transactions (otherwise it is forming: a transaction in it still runs) */
  committed?: boolean;
}
export interface DepGraph {
  txns: DepTxn[];
  edges: DepEdge[];
  anomalies: DepAnomaly[];
  /** SERIALIZABLE's dangerous structure T0 →rw T1 →rw T2, when a transaction in it failed with 40001 */
  dangerous: { txns: string[]; edges: number[]; cancelled: string; text: string } | null;
}

/** The shortest cycle (committed transactions first, then including running ones), named by its edges. */
function findCycle(txns: DepTxn[], edges: DepEdge[]): DepAnomaly | null {
  const status = new Map(txns.map((t) => [t.id, t.status]));
  for (const allowRunning of [false, true]) {
    const ok = (id: string) => status.get(id) === 'committed' || (allowRunning && status.get(id) === 'running');
    const out = new Map<string, number[]>();
    edges.forEach((e, i) => { if (ok(e.from) && ok(e.to)) { const l = out.get(e.from); if (l) l.push(i); else out.set(e.from, [i]); } });
    let best: number[] | null = null;
    for (const start of out.keys()) {
      // BFS for the shortest way back to start; among equally short ones, fewer rw edges first (the weaker anomaly)
      const prev = new Map<string, number>();
      const queue = [start];
      const seen = new Set([start]);
      let found: number | null = null;
      for (let qi = 0; qi < queue.length && found === null; qi++) {
        const u = queue[qi]!;
        const outs = [...(out.get(u) ?? [])].sort((a, b) => Number(edges[a]!.kind === 'rw') - Number(edges[b]!.kind === 'rw'));
        for (const ei of outs) {
          const v = edges[ei]!.to;
          if (v === start) { found = ei; prev.set(`end`, ei); break; }
          if (!seen.has(v)) { seen.add(v); prev.set(v, ei); queue.push(v); }
        }
      }
      if (found === null) continue;
      const cyc: number[] = [found];
      for (let at = edges[found]!.from; at !== start; at = edges[prev.get(at)!]!.from) cyc.unshift(prev.get(at)!);
      if (!best || cyc.length < best.length) best = cyc;
    }
    if (best) return { ...nameCycle(best, edges), committed: !allowRunning };
  }
  return null;
}

function nameCycle(cyc: number[], edges: DepEdge[]): DepAnomaly {
  const es = cyc.map((i) => edges[i]!);
  const txns = es.map((e) => e.from);
  const rw = es.filter((e) => e.kind === 'rw').length;
  const wr = es.filter((e) => e.kind === 'wr').length;
  if (!rw && !wr) return { name: 'G0', words: 'dirty write (a cycle of write dependencies)', txns, edges: cyc };
  if (!rw) return { name: 'G1c', words: 'circular information flow (write and read dependencies)', txns, edges: cyc };
  if (rw === 1) {
    const r = es.find((e) => e.kind === 'rw')!;
    const lost = es.length === 2 && es.some((e) => e.kind === 'ww' && e.objects.some((o) => r.objects.includes(o) || sameRow(o, r.objects)));
    if (predicateOnly(r)) return { name: 'G-single', words: 'read skew through a phantom (one transaction\'s search missed a row another inserted, while it saw that one\'s other changes)', txns, edges: cyc };
    return { name: 'G-single', words: lost ? 'lost update (both read the row, then both wrote it: one write is based on a stale read)' : 'read skew (one transaction saw part of another\'s changes)', txns, edges: cyc };
  }
  if (es.some(predicateOnly)) return { name: 'G2', words: 'write skew with a phantom (each one\'s search condition matches a row the other inserted or changed, unseen: predicate anti-dependencies)', txns, edges: cyc };
  return { name: 'G2-item', words: 'write skew (each read what the other then changed: two anti-dependencies)', txns, edges: cyc };
}
/** versions of one row sit at different TIDs: the ww edge names the old version, the rw edge the one read — same table is enough here */
const sameRow = (o: string, others: string[]) => others.some((x) => x.split(' ')[0] === o.split(' ')[0]);

/** T0 →rw T1 →rw T2 among SSI's conflicts, with a transaction of it cancelled by 40001. */
function dangerousStructure(txns: DepTxn[], edges: DepEdge[]): DepGraph['dangerous'] {
  const cancelled = txns.filter((t) => t.sqlstate === '40001');
  if (!cancelled.length) return null;
  const ssi = edges.map((e, i) => ({ e, i })).filter((x) => x.e.kind === 'rw' && x.e.ssi);
  const name = (id: string) => { const t = txns.find((x) => x.id === id); return t ? label(t) : id; };
  for (const a of ssi) for (const b of ssi) {
    if (a.e.to !== b.e.from || a === b) continue;
    const members = [a.e.from, a.e.to, b.e.to];
    const victim = cancelled.find((c) => members.includes(c.id));
    if (!victim) continue;
    const t2 = txns.find((t) => t.id === b.e.to);
    const pivot = name(a.e.to);
    return {
      txns: [...new Set(members)], edges: [a.i, b.i], cancelled: victim.id,
      text: `dangerous structure ${name(a.e.from)} →rw ${pivot} →rw ${name(b.e.to)}: two consecutive rw-antidependencies with ${pivot} as the pivot${t2?.status === 'committed' ? `, and ${name(b.e.to)} committed first` : ''} — PostgreSQL cancels ${name(victim.id)} (40001) rather than risk a cycle`,
    };
  }
  return null;
}

export const label = (t: Pick<DepTxn, 'session' | 'xid' | 'id'>) => (t.xid ? `T${t.xid}` : `${t.session}:${t.id}`);
