/**
 * LISTEN / UNLISTEN / NOTIFY: asynchronous notification between sessions.
 *
 * NOTIFY (or pg_notify()) only remembers the channel and payload in the transaction; nothing is sent unless and
 * until it commits. A duplicate of a notification already pending at the same (sub)transaction level is dropped,
 * and a released savepoint's notifications join its parent's without duplicates; a rolled-back savepoint's, or an
 * aborted transaction's, are forgotten. At commit (PreCommit_Notify) the transaction gets an xid if it had none and
 * its notifications are appended, in order, to the one queue all sessions share (pg_notify/, SLRU pages of 8 kB:
 * each entry takes 16 + 2 + channel + payload bytes rounded up to 4, and one that does not fit on a page moves to
 * the next). After the commit (AtCommit_Notify) the LISTEN / UNLISTEN actions take effect and every listening
 * backend not yet at the queue's head is signalled.
 *
 * A signalled backend reads the queue only when it is idle outside a transaction: at once if it waits for a
 * client command, else just before it next says ReadyForQuery outside a transaction block (a session inside BEGIN
 * hears nothing until its COMMIT or ROLLBACK). It reads from its own position to the head, delivering to its client
 * each committed entry of a channel it listens on ("NotificationResponse": channel, payload, sender's pid), and
 * skipping aborted ones. A backend's first LISTEN places it at the furthest position of the other listeners
 * (or the tail) and skips what is already committed there, so it never hears older notifications.
 *
 *     s1: LISTEN c;                    -- at its commit s1 is a listener, at the queue's head
 *     s2: BEGIN; NOTIFY c, 'x'; NOTIFY c, 'x';   -- one pending notification (the duplicate is folded)
 *     s2: COMMIT;                      -- queued with s2's xid; s1 (idle) receives c "x" from s2's pid
 *
 * pg_listening_channels() lists the channels this backend listens on; pg_notification_queue_usage() is the
 * fraction of the queue's 2^20 usable pages between the tail (the slowest listener) and the head.
 *
 * Mirrors: src/backend/commands/async.c (Async_Notify, queue_listen, PreCommit_Notify, AtCommit_Notify,
 * Exec_ListenPreCommit, SignalBackends, asyncQueueAddEntries, asyncQueueReadAllNotifications,
 * asyncQueueAdvanceTail, AtSubCommit_Notify, AtSubAbort_Notify, ProcessNotifyInterrupt, asyncQueueUsage).
 * Simplified: one database; the queue-full refusal and the half-full WARNING (8 GB of unread notifications) are
 * not modelled; the AccessExclusiveLock on "database 0" that serializes queue writers is not taken (the engine's
 * commit is atomic, nobody could see it); reading the queue consumes a virtual transaction id as PostgreSQL's own
 * transaction around it does, but takes no snapshot.
 */
import type { Engine } from '../engine.js';
import type { Session } from '../session/session.js';
import type { Transaction } from '../xact/xact.js';
import { PgError } from '../errors.js';
import { utf8Len } from '../sql/utf8.js';
import { NAMEDATALEN } from '../sql/types.js';
import { countSlruZeroed } from '../pgstat/pgstat_slru.js';

/** A notification as the client receives it (the protocol's NotificationResponse). */
export interface AsyncNotification { channel: string; payload: string; pid: number }

interface QueuePos { page: number; offset: number }
interface QueueEntry { pos: QueuePos; xid: number; pid: number; channel: string; payload: string }

/** BLCKSZ: the queue's page size */
const QUEUE_PAGESIZE = 8192;
/** NOTIFY_PAYLOAD_MAX_LENGTH: BLCKSZ - NAMEDATALEN - 128 (including the terminating NUL) */
const NOTIFY_PAYLOAD_MAX_LENGTH = QUEUE_PAGESIZE - NAMEDATALEN - 128;
/** offsetof(AsyncQueueEntry, data) + 2: length, dboid, xid, srcPid, and two NULs */
const ENTRY_EMPTY_SIZE = 16 + 2;
/** QUEUE_MAX_PAGE: SLRU_PAGES_PER_SEGMENT * 0x10000 - 1 */
const QUEUE_MAX_PAGE = 32 * 0x10000 - 1;
/** QUEUE_CLEANUP_DELAY: the tail is advanced after every this many pages */
const QUEUE_CLEANUP_DELAY = 4;

const align4 = (n: number) => (n + 3) & ~3;
const cmpPos = (a: QueuePos, b: QueuePos) => (a.page !== b.page ? a.page - b.page : a.offset - b.offset);
const maxPos = (a: QueuePos, b: QueuePos) => (cmpPos(a, b) >= 0 ? a : b);
const minPos = (a: QueuePos, b: QueuePos) => (cmpPos(a, b) <= 0 ? a : b);

/** The shared queue (AsyncQueueControl and the pg_notify pages): head, tail, each listener's position. */
export class NotifyQueue {
  head: QueuePos = { page: 0, offset: 0 };
  tail: QueuePos = { page: 0, offset: 0 };
  /** the committed (or being committed) entries between tail and head, in queue order */
  entries: QueueEntry[] = [];
  /** registered listeners: session id → the position it has read up to (kept in backend order) */
  listeners = new Map<number, QueuePos>();
  /** tryAdvanceTail: a page boundary that is a multiple of QUEUE_CLEANUP_DELAY was crossed */
  tryAdvanceTail = false;

  clone(): NotifyQueue {
    const q = new NotifyQueue();
    q.head = { ...this.head };
    q.tail = { ...this.tail };
    q.entries = this.entries.map((e) => ({ ...e, pos: { ...e.pos } }));
    q.listeners = new Map([...this.listeners].map(([k, v]) => [k, { ...v }]));
    q.tryAdvanceTail = this.tryAdvanceTail;
    return q;
  }

  /** asyncQueueAdvance: past an entry of this length; a page with no room for an empty entry is left */
  private advance(pos: QueuePos, length: number): QueuePos {
    let { page, offset } = pos;
    offset += length;
    if (offset + align4(ENTRY_EMPTY_SIZE) > QUEUE_PAGESIZE) {
      page = page + 1 > QUEUE_MAX_PAGE ? 0 : page + 1;
      offset = 0;
      if (page % QUEUE_CLEANUP_DELAY === 0) this.tryAdvanceTail = true;
    }
    return { page, offset };
  }

  /**
   * asyncQueueAddEntries: append, moving to the next page (after a filler entry) when one does not fit. Returns the
   * pages zeroed (SimpleLruZeroPage, pg_stat_slru's Notify blks_zeroed): the first page at the first write since
   * the server started, and each page the head moves on to.
   */
  add(xid: number, pid: number, events: { channel: string; payload: string }[]): number {
    let zeroed = this.head.page === 0 && this.head.offset === 0 ? 1 : 0;
    const step = (length: number) => {
      const page = this.head.page;
      this.head = this.advance(this.head, length);
      if (this.head.page !== page) zeroed++;
    };
    for (const n of events) {
      const length = align4(ENTRY_EMPTY_SIZE + utf8Len(n.channel) + utf8Len(n.payload));
      if (this.head.offset + length > QUEUE_PAGESIZE) step(QUEUE_PAGESIZE - this.head.offset);
      this.entries.push({ pos: this.head, xid, pid, channel: n.channel, payload: n.payload });
      step(length);
    }
    return zeroed;
  }

  /** asyncQueueAdvanceTail: the tail moves up to the slowest listener (or the head); entries behind it go */
  advanceTail(): void {
    let min = this.head;
    for (const p of this.listeners.values()) min = minPos(min, p);
    this.tail = min;
    this.entries = this.entries.filter((e) => cmpPos(e.pos, min) >= 0);
  }

  /** asyncQueueUsage: the fraction of the queue's usable half between tail and head pages */
  usage(): number {
    let occupied = this.head.page - this.tail.page;
    if (occupied === 0) return 0;
    if (occupied < 0) occupied += QUEUE_MAX_PAGE + 1;
    return occupied / ((QUEUE_MAX_PAGE + 1) / 2);
  }
}

type ListenAction = { kind: 'listen' | 'unlisten'; channel: string } | { kind: 'unlisten_all' };

/** A transaction's pending LISTEN / UNLISTEN actions and outbound notifications, one list per nesting level. */
export interface PendingAsync {
  actions: { level: number; list: ListenAction[] }[];
  notifies: { level: number; events: { channel: string; payload: string }[] }[];
}

/** A session's listening state (listenChannels, amRegisteredListener's position lives in the queue). */
export class AsyncBackend {
  /** listenChannels: the committed LISTENs, in the order they were made */
  channels: string[] = [];
  /** notifyInterruptPending: signalled, not yet read */
  interruptPending = false;
  /** unlistenExitRegistered: this backend has registered as a listener at least once */
  everListened = false;
  /** notifications sent to the client that it has not been handed yet (libpq's queue behind PQnotifies) */
  inbox: AsyncNotification[] = [];

  /** for Engine.clone (time travel): the same state, its lists copied */
  clone(): AsyncBackend {
    const c = new AsyncBackend();
    c.channels = this.channels.slice();
    c.interruptPending = this.interruptPending;
    c.everListened = this.everListened;
    c.inbox = this.inbox.slice();
    return c;
  }
}

/** GetCurrentTransactionNestLevel: 1 at the top, one more per open savepoint. */
const nestLevel = (tx: Transaction) => tx.subs.length + 1;

function pending(tx: Transaction): PendingAsync {
  return (tx.asyncPending ??= { actions: [], notifies: [] });
}

const sameEvent = (a: { channel: string; payload: string }, b: { channel: string; payload: string }) => a.channel === b.channel && a.payload === b.payload;

/** Async_Notify: NOTIFY channel [, payload] and pg_notify(). */
export function asyncNotify(eng: Engine, s: Session, channel: string, payload: string): void {
  if (channel.length === 0) throw new PgError('22023', 'channel name cannot be empty');
  if (utf8Len(channel) >= NAMEDATALEN) throw new PgError('22023', 'channel name too long');
  if (utf8Len(payload) >= NOTIFY_PAYLOAD_MAX_LENGTH) throw new PgError('22023', 'payload string too long');
  const tx = eng.ensureTx(s);
  const p = pending(tx);
  const level = nestLevel(tx);
  const top = p.notifies[p.notifies.length - 1];
  const ev = { channel, payload };
  if (!top || level > top.level) { p.notifies.push({ level, events: [ev] }); return; }
  if (top.events.some((e) => sameEvent(e, ev))) return; // a duplicate at this level: forget it
  top.events.push(ev);
}

/** queue_listen, via Async_Listen / Async_Unlisten / Async_UnlistenAll: applied at commit. */
export function queueListen(eng: Engine, s: Session, action: ListenAction): void {
  const tx = eng.ensureTx(s);
  // "If we couldn't possibly be listening, no need to queue anything"
  if (action.kind !== 'listen' && !tx.asyncPending?.actions.length && !s.async.everListened) return;
  const p = pending(tx);
  const level = nestLevel(tx);
  const top = p.actions[p.actions.length - 1];
  if (!top || level > top.level) p.actions.push({ level, list: [action] });
  else top.list.push(action);
}

/** AtSubCommit_Notify for the subtransaction at `level`: its lists go to the parent (notifications without dups). */
export function atSubCommitNotify(tx: Transaction, level: number): void {
  const p = tx.asyncPending;
  if (!p) return;
  const a = p.actions[p.actions.length - 1];
  if (a && a.level >= level) {
    const up = p.actions[p.actions.length - 2];
    if (!up || up.level < level - 1) a.level--;
    else { p.actions.pop(); up.list.push(...a.list); }
  }
  const n = p.notifies[p.notifies.length - 1];
  if (n && n.level >= level) {
    const up = p.notifies[p.notifies.length - 2];
    if (!up || up.level < level - 1) n.level--;
    else {
      p.notifies.pop();
      for (const ev of n.events) if (!up.events.some((e) => sameEvent(e, ev))) up.events.push(ev);
    }
  }
}

/** AtSubAbort_Notify: what the subtransaction at `level` (and any deeper) did is forgotten. */
export function atSubAbortNotify(tx: Transaction, level: number): void {
  const p = tx.asyncPending;
  if (!p) return;
  while (p.actions.length && p.actions[p.actions.length - 1]!.level >= level) p.actions.pop();
  while (p.notifies.length && p.notifies[p.notifies.length - 1]!.level >= level) p.notifies.pop();
}

/**
 * PreCommit_Notify: (the open savepoints commit into the transaction first) register as a listener if a LISTEN is
 * pending, then queue the notifications under the transaction's xid (assigned now if it had none).
 */
export function preCommitNotify(eng: Engine, s: Session, tx: Transaction): void {
  const p = tx.asyncPending;
  if (!p || (!p.actions.length && !p.notifies.length)) return;
  for (let level = nestLevel(tx); level > 1; level--) atSubCommitNotify(tx, level);
  for (const list of p.actions) for (const a of list.list) if (a.kind === 'listen') execListenPreCommit(eng, s);
  const events = p.notifies.flatMap((n) => n.events);
  if (events.length) {
    const xid = eng.ensureTopXid(s, tx);
    const zeroed = eng.notifyQueue.add(xid, s.pid, events);
    if (zeroed) countSlruZeroed(s, 'Notify', zeroed); // pgstat_count_slru_page_zeroed, pending in this backend
  }
}

/** Exec_ListenPreCommit: the first LISTEN places the backend at the furthest listener's position and skips ahead. */
function execListenPreCommit(eng: Engine, s: Session): void {
  const q = eng.notifyQueue;
  if (q.listeners.has(s.id)) return;
  s.async.everListened = true;
  let max = q.tail;
  for (const p of q.listeners.values()) max = maxPos(max, p);
  q.listeners.set(s.id, max);
  // keep the listeners in backend order (the listener list is sorted by BackendId)
  q.listeners = new Map([...q.listeners].sort((a, b) => eng.sessions[a[0]]!.backendId - eng.sessions[b[0]]!.backendId));
  if (cmpPos(max, q.head) !== 0) readAllNotifications(eng, s);
}

/** AtCommit_Notify: the LISTEN / UNLISTEN actions take effect; the listeners are signalled of new notifications. */
export function atCommitNotify(eng: Engine, s: Session, tx: Transaction): void {
  const p = tx.asyncPending;
  tx.asyncPending = undefined;
  if (!p || (!p.actions.length && !p.notifies.length)) return;
  const a = s.async;
  for (const list of p.actions) {
    for (const act of list.list) {
      if (act.kind === 'listen') { if (!a.channels.includes(act.channel)) a.channels.push(act.channel); } else if (act.kind === 'unlisten') { const i = a.channels.indexOf(act.channel); if (i >= 0) a.channels.splice(i, 1); } else a.channels = [];
    }
  }
  const q = eng.notifyQueue;
  if (q.listeners.has(s.id) && a.channels.length === 0) q.listeners.delete(s.id);
  if (p.notifies.length) signalBackends(eng, s);
  if (q.tryAdvanceTail) { q.tryAdvanceTail = false; q.advanceTail(); }
}

/** AtAbort_Notify: a LISTEN registered by PreCommit of a transaction that then failed is undone; the lists go. */
export function atAbortNotify(eng: Engine, s: Session, tx: Transaction): void {
  tx.asyncPending = undefined;
  if (eng.notifyQueue.listeners.has(s.id) && s.async.channels.length === 0) eng.notifyQueue.listeners.delete(s.id);
}

/** SignalBackends: every listener behind the head is signalled; one waiting for its client reads at once. */
function signalBackends(eng: Engine, me: Session): void {
  const q = eng.notifyQueue;
  for (const [id, pos] of q.listeners) {
    if (cmpPos(pos, q.head) === 0) continue;
    const x = eng.sessions[id]!;
    x.async.interruptPending = true;
    // ProcessClientReadInterrupt: a backend idle between commands (not this one, which is still committing)
    if (x !== me && !x.running) processNotifyInterrupt(eng, x);
  }
}

/** ProcessNotifyInterrupt: outside a transaction (block), read what was signalled. */
export function processNotifyInterrupt(eng: Engine, s: Session): void {
  if (s.tx || s.block !== 'none' || s.terminated) return;
  while (s.async.interruptPending) {
    s.async.interruptPending = false;
    if (!s.async.channels.length) return;
    s.lxid++; // ProcessIncomingNotify runs asyncQueueReadAllNotifications in a transaction of its own
    readAllNotifications(eng, s);
  }
}

/** asyncQueueReadAllNotifications: deliver the committed entries of channels listened on, up to the head. */
function readAllNotifications(eng: Engine, s: Session): void {
  const q = eng.notifyQueue;
  let pos = q.listeners.get(s.id);
  if (!pos) return;
  const head = q.head;
  for (const e of q.entries) {
    if (cmpPos(e.pos, pos) < 0) continue;
    if (cmpPos(e.pos, head) >= 0) break;
    if (eng.xacts.isInProgress(e.xid)) { pos = e.pos; q.listeners.set(s.id, pos); return; }
    if (eng.xacts.clog.didCommit(e.xid) && s.async.channels.includes(e.channel)) s.async.inbox.push({ channel: e.channel, payload: e.payload, pid: e.pid });
  }
  q.listeners.set(s.id, head);
}

/** Async_UnlistenOnExit: a backend that exits stops listening. */
export function unlistenOnExit(eng: Engine, s: Session): void {
  s.async.channels = [];
  eng.notifyQueue.listeners.delete(s.id);
}

/** pg_notification_queue_usage(): the tail is advanced first, so a result is not too large. */
export function notificationQueueUsage(eng: Engine): number {
  eng.notifyQueue.advanceTail();
  return eng.notifyQueue.usage();
}

/** The NOTIFY / LISTEN / UNLISTEN statements (standard_ProcessUtility's cases). */
export function asyncStatement(eng: Engine, s: Session, type: string, n: Record<string, any>): { command: string; columns: null; rows: never[] } {
  if (type === 'NotifyStmt') {
    asyncNotify(eng, s, n.conditionname ?? '', n.payload ?? '');
    return { command: 'NOTIFY', columns: null, rows: [] };
  }
  if (type === 'ListenStmt') {
    queueListen(eng, s, { kind: 'listen', channel: n.conditionname });
    return { command: 'LISTEN', columns: null, rows: [] };
  }
  queueListen(eng, s, n.conditionname ? { kind: 'unlisten', channel: n.conditionname } : { kind: 'unlisten_all' });
  return { command: 'UNLISTEN', columns: null, rows: [] };
}
