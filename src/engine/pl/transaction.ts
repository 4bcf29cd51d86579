/**
 * Transaction control inside PL/pgSQL: COMMIT and ROLLBACK in a procedure (or a DO block).
 *
 * A CALL or DO typed at top level, outside a transaction block, runs non-atomically: its code may end the
 * transaction it runs in. COMMIT commits it — the COMMIT record, the CLOG, the locks released, other sessions see
 * its rows at once — and a new transaction starts at once for the statements that follow (a new virtual xid; an
 * xid at its first write). ROLLBACK aborts it the same way. This is how a batch job commits every few rows:
 *
 *     CREATE PROCEDURE batch() LANGUAGE plpgsql AS $$
 *     DECLARE r record; BEGIN
 *       FOR r IN SELECT id FROM jobs LOOP UPDATE jobs SET done = true WHERE id = r.id; COMMIT; END LOOP;
 *     END $$;
 *     CALL batch();          -- rows 1, 2, 3 ... each stamped with its own xid 731, 732, 733 ...
 *
 * Everywhere else the code is atomic and COMMIT is 2D000 "invalid transaction termination": inside BEGIN ...
 * COMMIT, in a query string of several statements (an implicit block), in a function called from SQL (SELECT f()),
 * in a trigger. Inside a block with an EXCEPTION clause the code runs in a subtransaction: 2D000 "cannot commit
 * while a subtransaction is active".
 *
 * Mirrors: src/pl/plpgsql/src/pl_exec.c (exec_stmt_commit, exec_stmt_rollback), src/backend/executor/spi.c
 * (_SPI_commit, _SPI_rollback), the atomic flag of ExecuteCallStmt / ExecuteDoStmt (commands/functioncmds.c).
 * COMMIT AND CHAIN starts the next one with the same isolation level and access mode.
 * Simplifications: a FOR loop's query has read all its rows
 * before the first iteration (pl/exec.ts), so the portal PostgreSQL makes holdable at COMMIT needs no counterpart.
 */
import { PgError } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { Gen } from '../executor/util.js';
import type { Session } from '../session/session.js';
import { abortTx, commitTx, startTx } from '../xact/xactblock.js';
import { fireDeferred } from '../ri/ri_triggers.js';
import { hasDeferred } from '../ri/aftertriggers.js';

/** May code called now end its transaction (the atomic flag of ExecuteCallStmt / ExecuteDoStmt, negated)? */
export function callIsNonAtomic(s: Session): boolean {
  return s.block === 'none' && (s.plDepth === 0 || s.plNonAtomic);
}

/** COMMIT or ROLLBACK inside PL/pgSQL (_SPI_commit / _SPI_rollback), then StartTransaction for what follows. */
export function* plTransactionEnd(ex: Executor, s: Session, rollback: boolean, chain: boolean): Gen<void> {
  if (!s.plNonAtomic) throw new PgError('2D000', 'invalid transaction termination');
  const eng = ex.eng;
  if (s.tx && s.tx.subs.length > 0) throw new PgError('2D000', `cannot ${rollback ? 'roll back' : 'commit'} while a subtransaction is active`);
  // AND CHAIN: the next transaction keeps this one's isolation level and access mode
  const iso = chain && s.tx ? s.tx.isolation : s.gucs.default_transaction_isolation;
  const readOnly = chain && s.tx ? s.tx.readOnly : s.gucs.default_transaction_read_only;
  if (s.tx) {
    if (rollback) abortTx(eng, s);
    else {
      // CommitTransaction: the deferred constraint triggers fire first
      if (hasDeferred(s)) yield* fireDeferred(ex, s, true);
      commitTx(eng, s);
    }
  }
  if (eng.tracer.wants('statement')) {
    eng.tracer.emit({ kind: 'statement', session: s.name,
      text: `${s.name}'s procedure ${rollback ? 'rolls back' : 'commits'} its transaction; a new one starts for the statements after it` });
  }
  startTx(eng, s, iso, readOnly);
}
