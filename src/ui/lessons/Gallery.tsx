/**
 * The course gallery, where a new visitor lands: one card per lesson in course order — title, summary, level,
 * minutes, concepts, prerequisites and the visitor's progress — and the free workspace one click away.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useWorkspace, useWs } from '../hooks';
import { bundledCatalog } from './catalog';
import { loadProgress, progressText, type LessonProgress } from '../../store/progress';
import type { Route } from '../route';

const storage = () => { try { return localStorage; } catch { return undefined; } };

export function Gallery({ nav, go, onOpenFile }: { nav: ReactNode; go(r: Route): void; onOpenFile(f: File): void }) {
  const { actions } = useWorkspace();
  const notice = useWs((s) => s.notice);
  const { lessons, broken } = bundledCatalog();
  const [progress, setProgress] = useState<Map<string, LessonProgress>>(() => loadProgress(storage()));
  useEffect(() => {
    const again = () => setProgress(loadProgress(storage()));
    window.addEventListener('focus', again);
    window.addEventListener('storage', again);
    return () => { window.removeEventListener('focus', again); window.removeEventListener('storage', again); };
  }, []);
  const fileRef = useRef<HTMLInputElement>(null);
  const titles = new Map(lessons.map((d) => [d.lesson.meta.id, d.lesson.meta.title]));
  const done = lessons.filter((d) => progress.get(d.lesson.meta.id)?.done).length;
  return (
    <div className="app gallery-page">
      <header className="top">
        <h1>Heapscope <small>PostgreSQL 15's insides, step by step</small></h1>
        {nav}
        <div className="toolbar">
          <button onClick={() => fileRef.current?.click()} title="Play a lesson file (.md) you wrote, or open a scenario (.spec) or workspace (.json)">Open…</button>
          <input ref={fileRef} type="file" accept=".md,.spec,.json,.txt" hidden onChange={(e) => { const f = e.target.files?.[0]; if (f) onOpenFile(f); e.target.value = ''; }} data-testid="file-input" />
        </div>
      </header>
      {notice && (
        <div className={`notice-bar ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
          {notice.text} <button className="link" onClick={() => actions.dismissNotice()}>dismiss</button>
        </div>
      )}
      <main className="gallery" data-testid="gallery">
        <section className="gallery-intro">
          <h2>How PostgreSQL keeps your data consistent and safe — seen from the inside</h2>
          <p>
            {lessons.length} short lessons. Each one runs real SQL in two or three sessions side by side and shows what the
            database does underneath: row versions on the page, snapshots, locks, the write-ahead log. Before each reveal
            you are asked to predict what happens. Everything the lessons show was checked against a real PostgreSQL 15.
          </p>
          <p>
            <button className="primary" onClick={() => go({ kind: 'workspace' })} data-testid="open-workspace">Open the free workspace →</button>
            <span className="muted"> type any SQL in sessions of your own, no lesson.</span>
            {done > 0 && <span className="muted"> · You have finished {done} of {lessons.length} lessons.</span>}
          </p>
        </section>
        <ol className="cards">
          {lessons.map((d, i) => {
            const m = d.lesson.meta;
            const p = progress.get(m.id);
            const started = !!p && (p.step >= 0 || p.done);
            const open = () => go({ kind: 'lesson', id: m.id });
            return (
              <li key={m.id} className={`card${p?.done ? ' done' : ''}`} data-testid={`lesson-card-${m.id}`}>
                <div className="card-top"><span className="num">{i + 1}</span><span className={`level ${m.level}`}>{m.level}</span><span className="muted">{m.minutes} min</span></div>
                <h3><button className="card-title" onClick={open}>{m.title}</button></h3>
                <p className="summary">{m.summary}</p>
                <div className="concepts" aria-label="concepts">{m.concepts.map((c) => <span key={c} className="chip">{c}</span>)}</div>
                <p className="prereq">
                  {m.prerequisites.length ? <>Take first: {m.prerequisites.map((id, k) => (
                    <span key={id}>{k ? ', ' : ''}<button className="link" onClick={() => go({ kind: 'lesson', id })}>{titles.get(id) ?? id}</button></span>
                  ))}</> : <span className="muted">No prerequisites</span>}
                </p>
                <div className="card-foot">
                  <span className="progress-text" data-testid={`progress-${m.id}`}>{progressText(p)}</span>
                  {p && p.of > 0 && <span className="bar" aria-hidden="true"><span style={{ width: `${p.done ? 100 : Math.max(0, (100 * (p.step + 1)) / p.of)}%` }} /></span>}
                  <button className="primary" onClick={open} aria-label={`${!started ? 'Start' : p?.done ? 'Review' : 'Continue'} ${m.title}`}>{!started ? 'Start' : p?.done ? 'Review' : 'Continue'}</button>
                </div>
              </li>
            );
          })}
        </ol>
        {broken.length > 0 && (
          <section className="broken" role="alert">
            <h3>{broken.length} lesson{broken.length === 1 ? '' : 's'} could not be read</h3>
            {broken.map((b) => <div key={b.file}><strong>{b.file}</strong><pre>{b.errors.join('\n')}</pre></div>)}
          </section>
        )}
      </main>
    </div>
  );
}
