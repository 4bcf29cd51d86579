/**
 * The shapes of compiled expressions (PostgreSQL's nodes/primnodes.h and execnodes.h, as closures): a Row the
 * expression runs on, the Compiled result (its function, type and FigureColname name), the Scope that resolves
 * names, and ExprEnv, the engine's callbacks (xids, snapshots, settings, sequences, subqueries, parameters).
 * Types only: every module of sql/ shares them without importing each other in a circle.
 */
import type { SqlType, Value } from './types.js';
import type { Item } from '../heap/tuple.js';
import type { ContribHost } from '../contrib/host.js';

/** The row an expression is evaluated on. One object is reused across a scan. */
export interface Row {
  vals: Value[];
  item: Item | null;
  blk: number;
  off: number;
  /** aggregate results, in grouping mode */
  aggs: Value[] | null;
}

export type Fn = (r: Row) => Value;

export interface Compiled {
  fn: Fn; type: SqlType; name: string; strength: number; isConst?: boolean;
  /** 1-based position of the expression (exprLocation: the leftmost of an operator and its operands) */
  location?: number;
  /** an untyped string literal: coercing it reports errors at the literal itself, wherever the coercion is */
  literal?: boolean;
  /** a plain column of the scanned row (a Var): pg_column_size reads how that row stores it */
  columnRef?: true;
  /** a ROW(...) constructor's fields: two of them compared are compared field by field (sql/rowexpr.ts) */
  rowArgs?: Compiled[];
  /** a whole-row reference (SELECT t FROM t): a row coerce_record_to_complex can take apart like a ROW(...) */
  wholeRow?: true;
  /** a call of a user function as the whole expression: the same value computed as a statement step that may wait
   *  for a lock and yield (pl/fmgr.ts); where the caller can run a generator it prefers this to `fn` */
  gen?: (r: Row) => Generator<import('../session/session.js').StepYield, Value, void>;
}

/** Functions the compiler calls back into the engine for (transaction ids, snapshots, settings). */
export interface ExprEnv {
  txidCurrent(assign: boolean): number | null;
  nextval(seq: string | number): number | bigint;
  currval(seq: string | number): number | bigint;
  /** lastval(): the value of the sequence this session's latest nextval() advanced */
  lastval(): number | bigint;
  setval(seq: string | number, value: number | bigint, isCalled: boolean): number | bigint;
  /** prepare a subquery (SubLink); `outer` gives it access to the enclosing query's columns */
  /** names: the subquery's output column names (a scalar subquery's column is named after its one column, FigureColname) */
  subquery(select: Record<string, any>, outer: Scope, opts?: { exists?: boolean }): { run(outerRow: Row): Value[][]; types: SqlType[]; names?: string[] };
  currentSnapshot(): string;
  /** pg_export_snapshot(): name the statement's snapshot for SET TRANSACTION SNAPSHOT */
  exportSnapshot?(): string;
  xactStatus(xid: number): string | null;
  currentSetting(name: string, missingOk: boolean): string | null;
  /** set_config(name, value, is_local) */
  setConfig(name: string | null, value: string | null, isLocal: boolean): string;
  /** $1, $2, … of the EXECUTE being run (commands/prepare.ts); absent in a simple query */
  params?: { value: Value; type: SqlType }[] | null;
  /** virtual milliseconds: the transaction's start, the statement's start, now (for now() and friends) */
  timestamps(): { xact: number; stmt: number; clock: number };
  /** inside a PL/pgSQL function: its variables and $n (pl/frame.ts), consulted before a name is a column */
  pl?: {
    variable(names: string[], scope: Scope, location: number | undefined): Compiled | null; param(n: number, location: number | undefined): Compiled | null;
    /** `rec.*` in a select list: the record variable's field names (null: no record of that name); fromItem: a FROM
     *  item has that name too */
    recordFields?(name: string, location: number | undefined, fromItem: boolean): string[] | null;
  } | null;
  /** a call of a user function (CREATE FUNCTION; pl/fmgr.ts), or null when no user function has that name */
  /** a user function of that name the arguments fit (null: none by that name); `schema` as a call qualified it
   *  (public, pg_temp, pg_temp_N) */
  userFunction?(name: string, args: Compiled[], pos: number | undefined, names?: (string | null)[], scope?: Scope, variadic?: boolean,
    schema?: string): Compiled | null;
  /** is this extension created (CREATE EXTENSION)? its functions exist only then */
  hasExtension?(name: string): boolean;
  /** the engine and the session, for the inspection and size functions (contrib/, sql/funcs/dbsize.ts) */
  contrib?(): ContribHost;
  /** pg_stat_force_next_flush(): this backend's next statistics report flushes whatever the interval */
  forceNextStatsFlush?(): void;
  /** pg_advisory_lock & co. (lock/advisory.ts); may throw ExprWait (executor/exprwait.ts) */
  advisory(c: import('../lock/advisory.js').AdvisoryCall): Value;
  advisoryUnlockAll(): Value;
  /** pg_sleep: throws ExprWait for the sleep, unless it is over */
  sleep(seconds: number): Value;
  /** pg_cancel_backend / pg_terminate_backend */
  signalBackend(pid: number, kind: 'cancel' | 'terminate'): boolean;
  backendPid(): number;
  /** Async_Notify (pg_notify): queue a notification for commit */
  notify?(channel: string, payload: string): void;
  /** the channels this backend listens on (pg_listening_channels) */
  listeningChannels?(): string[];
  /** pg_notification_queue_usage */
  notificationQueueUsage?(): number;
  /** pg_my_temp_schema(): the OID of this backend's pg_temp_N once it made a temporary table, else 0 */
  myTempSchema?(): number;
}

/** a column in scope; `dropped` (attisdropped) keeps its slot in the row but is left out of * and never matches a name */
/** `hidden`: a side's column of a JOIN ... USING (executor/joinusing.ts), reached only qualified (t.x) or by t.* */
/** A column a scope offers; `refused`: a column PostgreSQL has that is not modelled (naming it is 0A000, this text) */
export interface ColumnSource { name: string; type: SqlType; dropped?: boolean; hidden?: boolean; refused?: string }

export interface AggSpec {
  kind: 'count' | 'sum' | 'avg' | 'min' | 'max' | import('./aggtrans.js').ExtraAggKind | import('./jsonagg.js').JsonAggKind
    | import('./orderedset.js').OrderedSetKind; arg: Compiled | null; star: boolean; distinct: boolean; type: SqlType;
  /** a second argument (string_agg's delimiter) */
  extra?: Compiled | null;
  /** FILTER (WHERE ...): only the rows it is true for reach the aggregate */
  filter?: Compiled | null;
  /** ORDER BY inside the call (string_agg(x, ',' ORDER BY x)): the rows are fed in this order */
  order?: { key: Compiled; desc: boolean; nullsFirst: boolean }[];
}

export interface Scope {
  /** the OID of the table this scope reads (tableoid), when it is one */
  relOid?: number;
  relName: string | null;
  /** the name of its row type, when it is a view, sequence or system view (a table's is relName: relOid is set) */
  rowType?: string;
  alias: string | null;
  columns: ColumnSource[];
  /** true when system columns (ctid, xmin, ...) are available */
  hasSystem: boolean;
  /** grouping mode: aggregates allowed; plain columns must be grouped */
  aggs?: AggSpec[];
  groupCols?: Set<number>;
  /** the columns functionally dependent on a grouped primary key (optimizer/groupkeys.ts): a whole row of them may appear */
  groupDependent?: Set<number>;
  /** inside an aggregate's arguments (plain columns allowed) */
  inAgg?: boolean;
  /** compiling an aggregate used as a window function over groups: its arguments are compiled in this grouped scope */
  windowOver?: Scope;
  /** GROUP BY expressions: an expression with this key (executor/util.ts expressionKey) is the hidden column at the index */
  groupExprs?: { key: (n: Record<string, any>) => string; map: Map<string, number> };
  /**
   * GROUPING(): the grouping expressions' columns, and with grouping sets the hidden column holding a group's set
   * number and each set's columns (sql/groupingfunc.ts); col null: a plain GROUP BY
   */
  groupingSets?: { cols: Set<number>; col: number | null; sets: Set<number>[] };
  /** the row's own columns, when `columns` goes on with the query's (window results): what a whole row holds */
  rowWidth?: number;
  /** several relations (a join): each one's visible name and where its columns start in `columns` */
  rels?: { name: string; offset: number; count: number; table?: import('../catalog/catalog.js').Table; nullable?: boolean }[];
  /** the enclosing query, for correlated subqueries: its scope and the row being evaluated */
  outer?: { scope: Scope; row: { current: Row | null }; used: boolean };
  env: ExprEnv;
  sql: string;
  /** FROM ONLY t (the RangeVar's inh false): an inheritance parent's scan reads the parent alone */
  inhOnly?: boolean;
  /** the inheritance tree the statement expanded and locked (optimizer/inherit.ts), read by the scan as it was found */
  inhMembers?: import('../catalog/catalog.js').Table[];
  /** SELECT * over this source is refused with this 0A000 feature (a system view with only some of its columns) */
  starRefused?: string;
}
