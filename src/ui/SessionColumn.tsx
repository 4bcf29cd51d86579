/**
 * One session: its editor, what it is doing (in words), its last result or error, and its notices. While a lesson
 * plays, the step's SQL for this session is shown above the editor (the statement the lesson runs next, or just
 * ran), and a task says that the learner types here.
 */
import { useRef, useState } from 'react';
import { useWorkspace, useWs } from './hooks';
import { SqlEditor, type EditorMarker } from './SqlEditor';
import type { SessionOutcome } from '../shared/api';
import { History } from './History';

/** What the lesson shows in this column: the step's SQL (next to run, or run), or the learner's task. */
export interface LessonSql { sql: string | null; state: 'next' | 'ran' | 'task' }

export function SessionColumn({ name, lesson = null, looked = false }: { name: string; lesson?: LessonSql | null; looked?: boolean }) {
  const { actions } = useWorkspace();
  const text = useWs((s) => s.sessions.find((x) => x.name === name)?.text ?? '');
  const view = useWs((s) => s.state?.sessions.find((x) => x.name === name));
  const outcome = useWs((s) => s.latest.get(name));
  const busy = useWs((s) => s.phase !== 'ready');
  const canRemove = useWs((s) => s.sessions.length > 1);
  const inLesson = useWs((s) => s.lesson !== null);
  const progress = useWs((s) => (s.progress?.session === name ? s.progress : null));
  const [marker, setMarker] = useState<EditorMarker | null>(null);
  const runRef = useRef<() => void>(() => {});

  const run = async (sql: string, start: number) => {
    setMarker(null);
    const r = await actions.run(name, sql);
    const mine = r?.outcomes.find((o) => o.session === name);
    if (mine?.error?.position) setMarker({ offset: start + mine.error.position - 1, message: `${mine.error.message} (SQLSTATE ${mine.error.sqlstate})` });
  };

  const waiting = view?.waiting;
  const timer = useWs((s) => s.state?.timers.find((t) => t.session === name && t.kind === 'deadlock') ?? null);
  const clockNow = useWs((s) => s.state?.clock ?? 0);
  const down = useWs((s) => s.state?.durability.server === 'down');
  const statusClass = down ? 'failed' : waiting ? 'waiting' : view?.block === 'failed' ? 'failed' : view?.block === 'inprogress' ? 'intx' : 'idle';
  return (
    <section className={`session ${statusClass}${looked ? ' looked' : ''}${lesson ? ' lesson-step' : ''}`} aria-label={`session ${name}`} data-testid={`session-${name}`}>
      <header className="session-head">
        <h2>{name}</h2>
        <span className="pid">pid {view?.pid ?? '—'}</span>
        {canRemove && !inLesson && <button className="link" onClick={() => actions.removeSession(name)} aria-label={`remove session ${name}`}>remove</button>}
      </header>
      <p className="status" data-testid={`status-${name}`} role="status">
        <span className={`badge ${statusClass}`}>{down ? 'NO CONNECTION' : waiting ? 'WAITING' : view?.block === 'failed' ? 'FAILED' : view?.block === 'inprogress' ? 'IN TRANSACTION' : 'IDLE'}</span>{' '}
        {down ? 'the server crashed; this session reconnects as a new backend once it is restarted (Durability view)' : view?.status ?? 'starting…'}
        {view?.snapshot && <> · snapshot <code>{view.snapshot}</code></>}
      </p>
      {waiting && (
        <p className="wakes" data-testid={`wakes-${name}`}>
          {timer
            ? <>Wakes when {waiting.blockedBy.length ? waiting.blockedBy.join(', ') : 'the lock holder'} commits or rolls back — or at <strong>t = {timer.at} ms</strong>, when deadlock_timeout fires and it checks for a deadlock (now t = {clockNow} ms: press <strong>+1 s</strong> or <strong>Wait…</strong> to let virtual time pass).</>
            : <>Wakes only when {waiting.blockedBy.length ? waiting.blockedBy.join(', ') : 'the lock holder'} commits or rolls back (its deadlock check already ran and found no cycle).</>}
        </p>
      )}
      {lesson && (
        <div className={`lesson-sql ${lesson.state}`} data-testid={`lesson-sql-${name}`}>
          <div className="lesson-sql-label">{lesson.state === 'next' ? '▶ the lesson runs this next' : lesson.state === 'ran' ? '✓ this step ran' : '✎ your turn: type your SQL in the editor below'}</div>
          {lesson.sql && <pre>{lesson.sql}</pre>}
        </div>
      )}
      <SqlEditor value={text} label={`SQL for ${name}`} marker={marker} onChange={(v) => actions.setText(name, v)} onRun={run} registerRun={(f) => { runRef.current = f; }} />
      <div className="session-actions">
        <button onClick={() => runRef.current()} disabled={busy || !!waiting} title="Run the statement under the cursor (Ctrl+Enter)">Run statement</button>
        <span className="muted editor-keys">Ctrl+Enter runs · Esc leaves the editor, then Tab moves on</span>
        {waiting && <button onClick={() => actions.waitFor(name)} title="Let virtual time pass until this statement finishes (deadlock checks fire)">Wait…</button>}
        {progress && <button onClick={() => void actions.cancel()} data-testid={`cancel-${name}`}>Cancel</button>}
      </div>
      {progress && (
        <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done} data-testid={`progress-${name}`}>
          <div style={{ width: progress.total ? `${(100 * progress.done) / progress.total}%` : '100%' }} />
          {/* total 0: PL/pgSQL code, whose length nobody knows (pl/exec.ts yields every few thousand statements) */}
          <span>{progress.total ? `${progress.done.toLocaleString('en')} of ${progress.total.toLocaleString('en')} rows` : `${progress.done.toLocaleString('en')} PL/pgSQL statements`}</span>
        </div>
      )}
      <History name={name} />
      <Result outcome={outcome} />
    </section>
  );
}

function Result({ outcome }: { outcome: SessionOutcome | undefined }) {
  if (!outcome) return <div className="result empty">No statement run yet.</div>;
  return (
    <div className="result" data-testid="result">
      {outcome.notices.map((n, i) => <div key={i} className="notice">{n.severity}: {n.message}</div>)}
      {outcome.status === 'waiting' && <div className="waiting-note"><strong>waiting</strong> — see the Waits view for whom it waits for</div>}
      {outcome.results.map((r, i) => (
        <div key={i}>
          {r.columns && (r.columns.length > 0 || r.rows.length > 0) && (
            <table className="grid">
              <thead><tr>{r.columns.map((c, j) => <th key={j}>{c.name}</th>)}</tr></thead>
              <tbody>{r.rows.slice(0, 200).map((row, k) => <tr key={k}>{row.map((v, j) => <td key={j} className={v === null ? 'null' : ''}>{v ?? 'NULL'}</td>)}</tr>)}</tbody>
            </table>
          )}
          {r.rows.length > 200 && <div className="more">… {r.rows.length - 200} more rows</div>}
          <div className="tag">{r.command}</div>
        </div>
      ))}
      {outcome.error && (
        <div className="error" role="alert">
          <strong>{outcome.error.severity ?? 'ERROR'}:</strong> {outcome.error.message} <span className="sqlstate">SQLSTATE {outcome.error.sqlstate}</span>
          {outcome.error.detail && <div className="detail">DETAIL: {outcome.error.detail}</div>}
          {outcome.error.hint && <div className="detail">HINT: {outcome.error.hint}</div>}
          {outcome.error.context && <div className="detail">CONTEXT: {outcome.error.context}</div>}
        </div>
      )}
    </div>
  );
}
