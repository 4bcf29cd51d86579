/**
 * Errors and notices, shaped like PostgreSQL's ErrorData (elog.c / ereport).
 *
 * Every failure the engine reports carries a SQLSTATE (errcodes.txt), a primary message and optionally
 * DETAIL, HINT, CONTEXT and a 1-based cursor position, exactly the fields libpq exposes to a client.
 * Notices (WARNING, NOTICE, INFO) use the same shape with another severity.
 *
 * Simplification: no error stack unwinding — an ERROR raised while executing a statement aborts the
 * statement; the session layer then aborts the transaction, as PostgreSQL's AbortCurrentTransaction does.
 */
import { byteToCharPosition } from './sql/utf8.js';
export type Severity = 'ERROR' | 'WARNING' | 'NOTICE' | 'INFO' | 'FATAL';

export interface PgMessage {
  severity: Severity;
  sqlstate: string;
  message: string;
  detail?: string;
  hint?: string;
  context?: string;
  /** 1-based character position in the statement text, as PostgreSQL's "position" field. */
  position?: number;
}

export class PgError extends Error {
  readonly sqlstate: string;
  detail?: string;
  hint?: string;
  context?: string;
  position?: number;
  /** the backend exits after this error (FATAL: pg_terminate_backend, idle_in_transaction_session_timeout) */
  fatal?: boolean;
  /** the object fields (PG_DIAG_COLUMN_NAME ...): what RAISE ... USING COLUMN = ... set, GET STACKED DIAGNOSTICS reads */
  fields?: { column?: string; constraint?: string; datatype?: string; table?: string; schema?: string };
  constructor(sqlstate: string, message: string, extra: Partial<Omit<PgMessage, 'severity' | 'sqlstate' | 'message'>> & { fatal?: boolean } = {}) {
    super(message);
    this.sqlstate = sqlstate;
    Object.assign(this, extra);
  }
  toMessage(): PgMessage {
    const m: PgMessage = { severity: this.fatal ? 'FATAL' : 'ERROR', sqlstate: this.sqlstate, message: this.message };
    if (this.detail !== undefined) m.detail = this.detail;
    if (this.hint !== undefined) m.hint = this.hint;
    if (this.context !== undefined) m.context = this.context;
    if (this.position !== undefined) m.position = this.position;
    return m;
  }
}

/** SQLSTATE 0A000: the statement is valid PostgreSQL, but this simulator does not model it (yet). */
export function notSupported(feature: string, position?: number): PgError {
  return new PgError('0A000', `${feature} is not supported by Heapscope`, position !== undefined ? { position } : {});
}

/**
 * SQLSTATE 25P02: a statement other than ROLLBACK / COMMIT / ROLLBACK TO arrived in a failed transaction block
 * (postgres.c's IsTransactionExitStmt test in exec_simple_query, and xact.c for the block commands).
 */
export function inFailedSqlTransaction(): PgError {
  return new PgError('25P02', 'current transaction is aborted, commands ignored until end of transaction block');
}

/** The query text positions refer to (set by the engine while a statement runs). */
let positionText: string | null = null;
/** whether positionText is all ASCII (byte offsets are then character offsets), worked out once per text */
let positionAscii = true;
export function setPositionText(sql: string | null): void {
  if (sql !== positionText) positionAscii = !sql || !/[^\x00-\x7f]/.test(sql);
  positionText = sql;
}
export function getPositionText(): string | null { return positionText; }

/**
 * Positions in the parse tree are 0-based byte offsets; PostgreSQL reports 1-based character positions
 * (parser_errposition counts characters with pg_mbstrlen_with_len).
 */
export function posOf(location: number | undefined): number | undefined {
  if (location === undefined || location < 0) return undefined;
  if (!positionText || positionAscii) return location + 1;
  return byteToCharPosition(positionText, location) + 1;
}
