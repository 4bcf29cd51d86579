/**
 * Sequences: CREATE / ALTER / DROP SEQUENCE and nextval, currval, setval. A sequence is not transactional — a
 * value handed out is never given back, even if the transaction rolls back — and to avoid a WAL record per value,
 * nextval logs 32 values ahead (SEQ_LOG_VALS) and only writes again when those are used up or a checkpoint has
 * happened since.
 *
 *     SELECT nextval('s');  -- 1: WAL record "last value 33", the transaction gets an xid
 *     SELECT nextval('s');  -- 2: no WAL
 *     ROLLBACK;              -- 1 and 2 stay used: the next nextval gives 3
 *
 * ALTER SEQUENCE, unlike nextval, is transactional (it writes a new relfilenode for the sequence): a ROLLBACK
 * undoes it. Its options are checked as init_params does: INCREMENT not zero, MINVALUE < MAXVALUE, both inside
 * the data type (AS smallint | integer | bigint), START and the current value (RESTART) between them.
 *
 * Mirrors: src/backend/commands/sequence.c (DefineSequence, AlterSequence, init_params, nextval_internal,
 * currval_oid, do_setval, process_owned_by). Simplifications: CACHE 1 only; nextval takes no lock on the sequence.
 */
import { stampCreated, shadowOf, unshadow, catalogSees } from '../catalog/catalogsnapshot.js';
import { logAccessExclusiveLock } from '../wal/standby.js';
import type { Engine } from '../engine.js';
import type { Executor } from '../executor/executor.js';
import { PgError, notSupported } from '../errors.js';
import { type Session, type QueryResult } from '../session/session.js';
import { type SequencePayload } from '../wal/records.js';
import { WalKind } from '../wal/wal.js';
import { ensureTopXid, ensureTx } from '../xact/xactblock.js';
import { LockMode } from '../lock/lock.js';
import { Sequence, type SeqParams, type SeqType, SEQ_TYPE_RANGE, seqValue } from '../sequence/sequence.js';
import type { N, Gen } from '../executor/util.js';
import { relKey } from '../catalog/catalog.js';
import { isTempRelation, schemaOf, tempNamespace } from './tempcmds.js';
import { grantLock } from '../lock/proc.js';
import { markUnloggedSequence, INIT_FORK } from './unlogged.js';

/** A sequence named by text ('s', 'public.s', 'pg_temp.s': regclassin's parse) or by OID (a regclass). */
export function sequence(eng: Engine, name: string | number): Sequence {
  const cat = eng.catalog;
  if (typeof name === 'number') {
    for (const q of cat.sequences.values()) if (q.oid === name && (!q.temp || q.temp.session === cat.current) && catalogSees(cat, q.nameXmin)) return q;
    throw new PgError('42P01', `relation with OID ${name} does not exist`);
  }
  const { schema, rel } = splitQualified(name);
  const seq = cat.sequence(rel, schema);
  if (!seq) {
    if (cat.get(rel) || cat.view(rel)) throw new PgError('42809', `"${rel}" is not a sequence`);
    throw new PgError('42P01', `relation "${name}" does not exist`);
  }
  return seq;
}

/** A relation name as regclass input reads it: [schema.]name, unquoted parts folded to lower case. */
export function splitQualified(text: string): { schema: string | undefined; rel: string } {
  const parts = text.match(/"(?:[^"]|"")*"|[^.]+/g)?.map((p) => (p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p.toLowerCase())) ?? [text];
  const rel = parts[parts.length - 1]!;
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  return { schema: schema && /^pg_temp_\d+$/.test(schema) ? 'pg_temp' : schema, rel };
}

/** nextval(): not transactional; logs (and assigns an xid) every SEQ_LOG_VALS values or after a checkpoint. */
export function nextval(eng: Engine, s: Session, name: string | number): number | bigint {
  const seq = sequence(eng, name);
  const tx = ensureTx(eng, s);
  // a temporary sequence may be advanced in a read-only transaction, and writes no WAL (RelationNeedsWAL): its page
  // never gets an LSN, so every call "logs" ahead again — log_cnt stays 32, and the transaction gets no xid
  if (tx.readOnly && !seq.temp) throw new PgError('25006', 'cannot execute nextval() in a read-only transaction');
  const { value, logged } = seq.next(eng.wal.redoLsn);
  // (an unlogged sequence's page, like a temporary one's, never gets an LSN: no WAL, no xid)
  if (logged !== null && !seq.temp && !seq.unlogged) {
    const xid = ensureTopXid(eng, s, tx);
    seq.pageLsn = eng.wal.insert(WalKind.SequenceLog, xid, 99, seq.oid, 0, 0, 0, { lastValue: logged, isCalled: true } satisfies SequencePayload);
  }
  const v = seqValue(value);
  s.currvals.set(seq.oid, v);
  s.lastSeq = seq.oid;
  if (eng.tracer.wants('wal')) eng.tracer.emit({ kind: 'wal', session: s.name, text: `nextval('${seq.name}') = ${value}${seq.temp ? ' (a temporary sequence: no WAL)' : logged !== null ? ` (logged ahead up to ${logged}: WAL record, and the transaction gets an xid)` : ' (no WAL: within the values already logged)'}; a rollback will not give it back` });
  return v;
}

export function currval(eng: Engine, s: Session, name: string | number): number | bigint {
  const seq = sequence(eng, name);
  const v = s.currvals.get(seq.oid);
  if (v === undefined) throw new PgError('55000', `currval of sequence "${seq.name}" is not yet defined in this session`);
  return v;
}

/** lastval(): currval of the sequence the latest nextval() advanced; 55000 before any, or once it is dropped. */
export function lastval(eng: Engine, s: Session): number | bigint {
  const seq = s.lastSeq === undefined ? undefined : [...eng.catalog.sequences.values()].find((q) => q.oid === s.lastSeq);
  const v = seq && s.currvals.get(seq.oid);
  if (v === undefined) throw new PgError('55000', 'lastval is not yet defined in this session');
  return v;
}

export function setval(eng: Engine, s: Session, name: string | number, big: number | bigint, isCalled: boolean): number | bigint {
  const seq = sequence(eng, name);
  const value = BigInt(big);
  if (value < seq.min || value > seq.max) throw new PgError('22003', `setval: value ${value} is out of bounds for sequence "${seq.name}" (${seq.min}..${seq.max})`);
  seq.lastValue = value; seq.isCalled = isCalled; seq.logCnt = 0;
  if (seq.temp || seq.unlogged) ensureTx(eng, s);
  else seq.pageLsn = eng.wal.insert(WalKind.SequenceLog, ensureTopXid(eng, s), 99, seq.oid, 0, 0, 0, { lastValue: value, isCalled } satisfies SequencePayload);
  if (isCalled) s.currvals.set(seq.oid, seqValue(value));
  return big;
}

/**
 * lock_and_open_sequence: nextval / currval / setval hold RowExclusiveLock on the sequence until the transaction
 * ends, so they wait for an uncommitted ALTER SEQUENCE (ShareRowExclusiveLock) and it waits for them. The calls
 * cannot wait in the middle of an expression here, so a statement takes these locks for every sequence it names
 * by a constant before it reads any row — what the first call would do.
 */
export function* lockSequencesIn(ex: Executor, s: Session, node: unknown): Gen<void> {
  const names = new Set<string>();
  const walk = (n: unknown) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) { n.forEach(walk); return; }
    const o = n as N;
    if (o.FuncCall) {
      const fname = (o.FuncCall.funcname as N[]).map((x) => x.String.sval).pop();
      const a = (o.FuncCall.args as N[] | undefined)?.[0];
      if ((fname === 'nextval' || fname === 'currval' || fname === 'setval') && a?.A_Const?.sval) names.add(a.A_Const.sval.sval as string);
    }
    Object.values(o).forEach(walk);
  };
  walk(node);
  for (const name of names) {
    const { schema, rel } = splitQualified(name);
    const seq = ex.eng.catalog.sequence(rel, schema);
    if (seq) yield* ex.eng.acquireLock(s, { type: 'relation', rel: seq.oid }, LockMode.RowExclusive);
  }
}

// ------------------------------------------------------------------ CREATE / ALTER / DROP SEQUENCE

const TYPE_DISPLAY: Record<SeqType, string> = { int2: 'smallint', int4: 'integer', int8: 'bigint' };

function intArg(d: N): bigint {
  const a = d.arg as N;
  if (a?.Integer) return BigInt(a.Integer.ival ?? 0);
  if (a?.Float) {
    const f = String(a.Float.fval);
    if (!/^[+-]?\d+$/.test(f)) throw new PgError('22P02', `invalid input syntax for type bigint: "${f}"`);
    return BigInt(f);
  }
  if (a?.String) return BigInt(a.String.sval);
  throw new PgError('42601', `${d.defname} requires a numeric value`);
}

/**
 * init_params: the sequence's parameters after `options`, starting from `old` (ALTER) or the defaults (CREATE).
 * Returns the parameters, a RESTART value (ALTER) and OWNED BY (undefined: not given; null: NONE).
 */
function initParams(ex: Executor, options: N[], old: SeqParams | null, lastValue: bigint | null):
{ params: SeqParams; restart: bigint | null; ownedBy: { table: string; column: string } | null | undefined } {
  const get = (name: string) => { const d = options.map((o) => o.DefElem as N).filter((d) => d.defname === name); if (d.length > 1) throw new PgError('42601', 'conflicting or redundant options'); return d[0]; };
  for (const o of options) {
    const nm = (o.DefElem as N).defname as string;
    if (!['as', 'increment', 'minvalue', 'maxvalue', 'start', 'restart', 'cache', 'cycle', 'owned_by', 'sequence_name'].includes(nm)) throw notSupported(`sequence option ${nm}`);
  }
  const asD = get('as'), incD = get('increment'), minD = get('minvalue'), maxD = get('maxvalue'), startD = get('start'), restartD = get('restart'), cacheD = get('cache'), cycleD = get('cycle'), ownD = get('owned_by');
  let type: SeqType = old?.type ?? 'int8';
  if (asD) {
    const tn = (asD.arg.TypeName.names as N[]).map((x) => x.String.sval as string).pop()!.toLowerCase();
    const t = ({ int2: 'int2', smallint: 'int2', int4: 'int4', integer: 'int4', int: 'int4', int8: 'int8', bigint: 'int8' } as Record<string, SeqType>)[tn];
    if (!t) throw new PgError('22023', 'sequence type must be smallint, integer, or bigint');
    type = t;
  }
  const [tmin, tmax] = SEQ_TYPE_RANGE[type];
  const increment = incD ? intArg(incD) : old?.increment ?? 1n;
  if (increment === 0n) throw new PgError('22023', 'INCREMENT must not be zero');
  const cycle = cycleD ? !!(cycleD.arg?.Boolean?.boolval ?? cycleD.arg?.Integer?.ival) : old?.cycle ?? false;
  const typeChanged = !!old && type !== old.type;
  let max: bigint;
  if (maxD?.arg) max = intArg(maxD);
  else if (maxD || !old || (typeChanged && old.max === SEQ_TYPE_RANGE[old.type][1])) max = increment > 0n ? tmax : -1n;
  else max = old.max;
  if (max < tmin || max > tmax) throw new PgError('22023', `MAXVALUE (${max}) is out of range for sequence data type ${TYPE_DISPLAY[type]}`);
  let min: bigint;
  if (minD?.arg) min = intArg(minD);
  else if (minD || !old || (typeChanged && old.min === SEQ_TYPE_RANGE[old.type][0])) min = increment > 0n ? 1n : tmin;
  else min = old.min;
  if (min < tmin || min > tmax) throw new PgError('22023', `MINVALUE (${min}) is out of range for sequence data type ${TYPE_DISPLAY[type]}`);
  if (min >= max) throw new PgError('22023', `MINVALUE (${min}) must be less than MAXVALUE (${max})`);
  const start = startD ? intArg(startD) : old && !minD && !maxD && !incD ? old.start : old ? old.start : increment > 0n ? min : max;
  if (start < min) throw new PgError('22023', `START value (${start}) cannot be less than MINVALUE (${min})`);
  if (start > max) throw new PgError('22023', `START value (${start}) cannot be greater than MAXVALUE (${max})`);
  const restart = restartD ? (restartD.arg ? intArg(restartD) : start) : null;
  const current = restart ?? lastValue ?? start;
  if (current < min) throw new PgError('22023', `RESTART value (${current}) cannot be less than MINVALUE (${min})`);
  if (current > max) throw new PgError('22023', `RESTART value (${current}) cannot be greater than MAXVALUE (${max})`);
  if (cacheD) {
    const c = intArg(cacheD);
    if (c <= 0n) throw new PgError('22023', `CACHE (${c}) must be greater than zero`);
    if (c > 1n) throw notSupported('sequences with CACHE greater than 1');
  }
  let ownedBy: { table: string; column: string } | null | undefined;
  if (ownD) {
    const parts = (ownD.arg.List.items as N[]).map((x) => x.String.sval as string);
    if (parts.length === 1 && parts[0]!.toLowerCase() === 'none') ownedBy = null;
    else if (parts.length < 2) throw new PgError('42601', 'invalid OWNED BY option', { hint: 'Specify OWNED BY table.column or OWNED BY NONE.' });
    else {
      const [table, column] = parts.slice(-2) as [string, string];
      const t = ex.eng.catalog.get(table);
      if (!t) throw new PgError('42P01', `relation "${table}" does not exist`);
      if (!t.columns.some((c) => !c.dropped && c.name === column)) throw new PgError('42703', `column "${column}" of relation "${table}" does not exist`);
      ownedBy = { table, column };
    }
  }
  // keep the start a default sequence would have if only the direction changed (init_params recomputes it)
  const fixedStart = !startD && old && (incD || minD || maxD) ? old.start : start;
  return { params: { type, start: fixedStart, increment, min, max, cycle }, restart, ownedBy };
}

/** The implicit sequence of an identity column: its options, AS the column's type. */
export function identityParams(ex: Executor, options: N[], type: string): SeqParams {
  const as = { DefElem: { defname: 'as', arg: { TypeName: { names: [{ String: { sval: type } }] } } } };
  return initParams(ex, [as, ...options], null, null).params;
}

export function* createSequence(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const done: QueryResult = { command: 'CREATE SEQUENCE', columns: null, rows: [] };
  const rv = n.sequence as N;
  const temp = isTempRelation(rv);
  ex.checkReadOnly(s, 'CREATE SEQUENCE');
  const cat = ex.eng.catalog;
  const name = rv.relname as string;
  if (cat.relationExists(name, temp ? s.name : undefined)) {
    if (n.if_not_exists) {
      s.acc.notices.push({ severity: 'NOTICE', sqlstate: '42P07', message: `relation "${name}" already exists, skipping` });
      return done;
    }
    throw new PgError('42P07', `relation "${name}" already exists`);
  }
  const { params, ownedBy } = initParams(ex, (n.options ?? []) as N[], null, null);
  ex.eng.ensureXid(s);
  const nsp = temp ? tempNamespace(ex.eng, s).nsp : 0; // first use: pg_temp_N and pg_toast_temp_N take two OIDs
  const seq = new Sequence(cat.allocOid(), name, params, ownedBy?.table ?? null);
  seq.ownedByColumn = ownedBy?.column ?? null;
  if (temp) seq.temp = { session: s.name, nsp };
  if (rv.relpersistence === 'u') markUnloggedSequence(ex.eng, seq);
  // (one OID: heap_create_with_catalog makes no row type for a sequence)
  const key = relKey(seq);
  cat.sequences.set(key, seq);
  if (!temp) stampCreated(cat, s.name, ensureTopXid(ex.eng, s), seq); // not in others' catalog snapshots until COMMIT
  s.tx!.undo.push(() => cat.sequences.delete(key));
  grantLock(ex.eng, s, { type: 'relation', rel: seq.oid }, LockMode.AccessExclusive);
  logAccessExclusiveLock(ex.eng, s, seq.oid); // the new relation's lock, for standbys (wal/standby.ts)
  s.tx!.cidUsed = true;
  if (temp) return done; // local storage: no WAL
  // fill_seq_with_data: its page, logged — an unlogged sequence's only in its init fork (fill_seq_fork_with_data)
  const fork = seq.unlogged ? INIT_FORK : {};
  ex.eng.wal.insert(WalKind.StorageCreate, s.tx!.writeXid, 42, seq.oid, -1, 0, 0, seq.unlogged ? INIT_FORK : undefined);
  const lsn = ex.eng.wal.insert(WalKind.SequenceLog, s.tx!.writeXid, 99, seq.oid, 0, 0, 0,
    { lastValue: seq.lastValue, isCalled: false, ...fork } satisfies SequencePayload);
  if (!seq.unlogged) seq.pageLsn = lsn;
  s.tx!.cidUsed = true;
  return done;
}

export function* alterSequence(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  const done: QueryResult = { command: 'ALTER SEQUENCE', columns: null, rows: [] };
  const name = (n.sequence as N).relname as string;
  const cat = ex.eng.catalog;
  const seq = cat.sequence(name, schemaOf(n.sequence as N));
  if (!seq) {
    if (cat.get(name) || cat.view(name)) throw new PgError('42809', `"${name}" is not a sequence`);
    if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `relation "${name}" does not exist, skipping` }); return done; }
    throw new PgError('42P01', `relation "${name}" does not exist`);
  }
  ex.checkReadOnly(s, 'ALTER SEQUENCE');
  yield* ex.eng.acquireLock(s, { type: 'relation', rel: seq.oid }, LockMode.ShareRowExclusive);
  const { params, restart, ownedBy } = initParams(ex, (n.options ?? []) as N[], seq.params, seq.lastValue);
  ex.eng.ensureXid(s);
  const saved = { params: seq.params, lastValue: seq.lastValue, isCalled: seq.isCalled, logCnt: seq.logCnt, ownedBy: seq.ownedBy,
    ownedByColumn: seq.ownedByColumn };
  s.tx!.undo.push(() => Object.assign(seq, saved));
  seq.params = params;
  if (restart !== null) { seq.lastValue = restart; seq.isCalled = false; seq.logCnt = 0; }
  if (ownedBy !== undefined) { seq.ownedBy = ownedBy?.table ?? null; seq.ownedByColumn = ownedBy?.column ?? null; }
  s.tx!.cidUsed = true;
  if (seq.temp) return done;
  if (seq.unlogged) { // its new init fork holds the new state (what a crash puts back)
    const init = seq.init;
    s.tx!.undo.push(() => { seq.init = init; });
    seq.init = { lastValue: seq.lastValue, isCalled: seq.isCalled };
    ex.eng.wal.insert(WalKind.SequenceLog, s.tx!.writeXid, 99, seq.oid, 0, 0, 0,
      { lastValue: seq.lastValue, isCalled: seq.isCalled, ...INIT_FORK } satisfies SequencePayload);
    return done;
  }
  // a new relfilenode with the sequence's tuple (fill_seq_with_data): logged, so the page LSN moves
  seq.pageLsn = ex.eng.wal.insert(WalKind.SequenceLog, s.tx!.writeXid, 99, seq.oid, 0, 0, 0,
    { lastValue: seq.lastValue, isCalled: seq.isCalled } satisfies SequencePayload);
  s.tx!.cidUsed = true;
  return done;
}

/** Does a parse tree call nextval('name')? (a column DEFAULT's dependency on a sequence) */
function callsNextval(n: unknown, name: string): boolean {
  if (!n || typeof n !== 'object') return false;
  if (Array.isArray(n)) return n.some((x) => callsNextval(x, name));
  const o = n as N;
  if (o.FuncCall && (o.FuncCall.funcname as N[]).map((x) => x.String.sval).pop() === 'nextval') {
    const a = (o.FuncCall.args as N[] | undefined)?.[0];
    if (a?.A_Const?.sval?.sval === name) return true;
  }
  return Object.values(o).some((x) => callsNextval(x, name));
}

export function* dropSequence(ex: Executor, s: Session, n: N): Gen<QueryResult> {
  ex.checkReadOnly(s, 'DROP SEQUENCE');
  const cat = ex.eng.catalog;
  for (const obj of n.objects as N[]) {
    const parts = (obj.List.items as N[]).map((x) => x.String.sval as string);
    const name = parts[parts.length - 1]!;
    const seq = cat.sequence(name, schemaOf({ schemaname: parts[parts.length - 2] }));
    if (!seq) {
      if (cat.get(name)) throw new PgError('42809', `"${name}" is not a sequence`, { hint: 'Use DROP TABLE to remove a table.' });
      if (cat.view(name)) throw new PgError('42809', `"${name}" is not a sequence`, { hint: 'Use DROP VIEW to remove a view.' });
      if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `sequence "${name}" does not exist, skipping` }); continue; }
      throw new PgError('42P01', `sequence "${name}" does not exist`);
    }
    const owner = seq.ownedBy ? cat.get(seq.ownedBy)?.columns.find((c) => !c.dropped && c.name === seq.ownedByColumn) : undefined;
    if (owner?.identity) {
      throw new PgError('2BP01', `cannot drop sequence ${name} because column ${owner.name} of table ${seq.ownedBy} requires it`, { hint: `You can drop column ${owner.name} of table ${seq.ownedBy} instead.` });
    }
    const users = [...cat.tables.values()].flatMap((t) => t.columns.filter((c) => !c.dropped && callsNextval(c.defaultExpr, name)).map((c) => `default value for column ${c.name} of table ${t.name} depends on sequence ${name}`));
    if (users.length && n.behavior !== 'DROP_CASCADE') {
      throw new PgError('2BP01', `cannot drop sequence ${name} because other objects depend on it`, { detail: users.join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
    }
    if (users.length) throw notSupported('DROP SEQUENCE ... CASCADE');
    yield* ex.eng.acquireLock(s, { type: 'relation', rel: seq.oid }, LockMode.AccessExclusive);
    ex.eng.ensureXid(s);
    const key = relKey(seq);
    cat.sequences.delete(key);
    const sh = seq.temp ? null : shadowOf(cat, s.name, ensureTopXid(ex.eng, s), key, seq.name, seq, { seq });
    s.tx!.undo.push(() => { cat.sequences.set(key, seq); if (sh) unshadow(cat, sh); });
    s.tx!.cidUsed = true;
  }
  return { command: 'DROP SEQUENCE', columns: null, rows: [] };
}

/** SELECT ... FROM a sequence: its one row (last_value, log_cnt, is_called). */
export function sequenceRow(seq: Sequence): { names: string[]; types: string[]; row: (number | bigint | boolean)[] } {
  return { names: ['last_value', 'log_cnt', 'is_called'], types: ['int8', 'int8', 'bool'], row: [seqValue(seq.lastValue), seq.logCnt, seq.isCalled] };
}
