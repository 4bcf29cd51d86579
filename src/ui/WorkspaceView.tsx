/**
 * The workspace: sessions side by side, the views of the engine's insides, the timeline and the event player.
 * While a lesson plays, its narration panel sits beside the sessions; the step's SQL is shown in its session's
 * column, the views follow the step (the Heap view outlines the tuples it wrote or read) and a look: link in the
 * narration switches to its view and highlights its target.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useWorkspace, useWs } from './hooks';
import { SessionColumn, type LessonSql } from './SessionColumn';
import { HeapView, type HeapMarks } from './views/HeapView';
// the Heap view is what opens first; the other views (and d3, which two of them draw with) load on first use
const IndexView = lazy(() => import('./views/IndexView').then((m) => ({ default: m.IndexView })));
const SnapshotView = lazy(() => import('./views/SnapshotView').then((m) => ({ default: m.SnapshotView })));
const WaitsView = lazy(() => import('./views/WaitsView').then((m) => ({ default: m.WaitsView })));
const WalView = lazy(() => import('./views/WalView').then((m) => ({ default: m.WalView })));
const DurabilityView = lazy(() => import('./views/DurabilityView').then((m) => ({ default: m.DurabilityView })));
const DepsView = lazy(() => import('./views/DepsView').then((m) => ({ default: m.DepsView })));
const VacuumView = lazy(() => import('./views/VacuumView').then((m) => ({ default: m.VacuumView })));
import { Timeline, Player, useHighlight, viewForEvent } from './Timeline';
import { MAX_SESSIONS } from '../store/workspace';
import { viewOf, type LessonDoc, type PlayerView } from '../store/player';
import { stepSession, stepSql } from '../lessons/steps';
import { ThemeToggle } from './ThemeToggle';
import { shareUrl } from './shareLink';
import type { Encoded } from '../store/share';
import { VIEW_NAMES, viewOfLook, lookTuple, touchedTuples, viewForStep, type Look, type ViewName } from './look';

const NO_TOUCH: ReadonlyMap<string, 'write' | 'read'> = new Map();

/** The player's view of the lesson, from the store (recomputed when the timeline, head or lesson record change). */
export function usePlayerView(doc: LessonDoc | null): PlayerView | null {
  const nodes = useWs((s) => s.nodes);
  const head = useWs((s) => s.head);
  const lesson = useWs((s) => s.lesson);
  const state = useWs((s) => s.state);
  return useMemo(() => (doc ? viewOf({ nodes, head, lesson, state }, doc.lesson) : null), [doc, nodes, head, lesson, state]);
}

/** An embedded workspace (embed.html): minimal chrome, the views the embedder chose, the timeline if asked for. */
export interface EmbedChrome { title: string; views: readonly ViewName[]; timeline: boolean; onReset(): void }

interface Props {
  /** the site's navigation (course, free workspace) */
  nav: ReactNode;
  onOpenFile(f: File): void;
  /** the lesson playing here, and its narration panel (given the look handler) */
  doc?: LessonDoc | null;
  panel?: (onLook: (l: Look) => void) => ReactNode;
  embed?: EmbedChrome;
}

export function WorkspaceView({ nav, onOpenFile, doc = null, panel, embed }: Props) {
  const { actions } = useWorkspace();
  const sessions = useWs((s) => s.sessions);
  const phase = useWs((s) => s.phase);
  const notice = useWs((s) => s.notice);
  const clock = useWs((s) => s.state?.clock ?? 0);
  const scenario = useWs((s) => s.scenario);
  const selected = useWs((s) => s.selectedSession);
  const headNode = useWs((s) => (s.head === null ? undefined : s.nodes.get(s.head)));
  const views = embed?.views ?? VIEW_NAMES;
  const stored = useWs((s) => s.view);
  const view: ViewName = (views as readonly string[]).includes(stored) ? (stored as ViewName) : views[0]!;
  const setView = useCallback((v: ViewName) => { if (views.includes(v)) actions.setView(v); }, [views, actions]);
  const [share, setShare] = useState<Encoded | null>(null);
  const [follow, setFollow] = useState(true);
  const [look, setLook] = useState<Look | null>(null);
  const highlight = useHighlight();
  const fileRef = useRef<HTMLInputElement>(null);
  const pv = usePlayerView(doc);
  const lessonMode = !!doc && !!pv;

  // a new step (or a jump): the look of the old one goes, and the views follow what the step did
  const cursor = pv?.cursor;
  useEffect(() => { setLook(null); }, [cursor, headNode?.id]);
  // a view the learner picked stays until the lesson moves on: steps still landing for the same lesson step (its
  // setup, a replay after a reload) do not take it away
  const picked = useRef<number | undefined | null>(null);
  const pickView = (v: ViewName) => { picked.current = cursor; setView(v); };
  useEffect(() => {
    if (!lessonMode || !follow) return;
    if (picked.current !== null && picked.current === cursor) return;
    picked.current = null;
    const v = viewForStep(headNode?.result);
    if (v) setView(v);
  }, [lessonMode, follow, headNode?.id, headNode?.result, setView]);

  const onLook = (l: Look) => {
    setLook(l);
    const v = viewOfLook(l);
    if (v) setView(v);
  };

  const download = (name: string, text: string) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    a.download = name;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  const exportSpec = () => { const spec = actions.exportScenario(); if (spec !== null) download('workspace.spec', spec); };
  const saveJson = () => download('workspace.json', actions.exportWorkspace());

  // what the lesson marks: its step's SQL in the step's session, the tuples the step touched, the look target
  const step = pv && pv.cursor >= 0 ? pv.lesson.steps[pv.cursor] : undefined;
  const stepIn = step ? stepSession(step) : null;
  const lessonSqlFor = (name: string): LessonSql | null => {
    if (!pv || !step || stepIn !== name || (pv.pos.detour > 0 && !step.task)) return null;
    const ran = pv.cursor <= pv.pos.done;
    if (step.task) return ran ? { sql: stepSql(step), state: 'ran' } : { sql: null, state: 'task' };
    return { sql: stepSql(step), state: ran ? 'ran' : 'next' };
  };
  const onLessonPath = !!pv && pv.pos.detour === 0 && pv.cursor >= 0 && pv.cursor <= pv.pos.done;
  const marks: HeapMarks = useMemo(() => ({
    touched: lessonMode && onLessonPath ? touchedTuples(headNode?.result) : NO_TOUCH,
    look: lookTuple(look),
  }), [lessonMode, onLessonPath, headNode?.result, look]);
  const lookSession = look && (look.kind === 'session' || look.kind === 'lock') ? look.path[0] ?? null : null;

  const top = embed ? (
    <header className="top embed-top">
      <h1 title="Heapscope: PostgreSQL 15's insides, step by step">{embed.title ? <>{embed.title} <small>Heapscope</small></> : <small>Heapscope · PostgreSQL 15, simulated in your browser</small>}</h1>
      <div className="toolbar" role="toolbar" aria-label="workspace">
        <span className={`phase ${phase}`} data-testid="phase">{phase === 'ready' ? 'engine ready' : phase === 'busy' ? 'running…' : phase}</span>
        <span className="clock" title="virtual clock">t = {clock} ms</span>
        <button onClick={() => void actions.advance(1000)} title="Advance the virtual clock by 1 s (deadlock_timeout checks fire)">+1 s</button>
        {!lessonMode && scenario && <button onClick={() => void actions.nextScenarioStep()} disabled={scenario.position >= scenario.queue.length} data-testid="next-step">Next step ({scenario.position}/{scenario.queue.length})</button>}
        <button onClick={embed.onReset} title="Start this example over">Reset</button>
      </div>
    </header>
  ) : (
      <header className="top">
        <h1>Heapscope <small>PostgreSQL 15's insides, step by step</small></h1>
        {nav}
        <div className="toolbar" role="toolbar" aria-label="workspace">
          <span className={`phase ${phase}`} data-testid="phase">{phase === 'ready' ? 'engine ready' : phase === 'busy' ? 'running…' : phase}</span>
          <span className="clock" title="virtual clock">t = {clock} ms</span>
          <button onClick={() => void actions.advance(1000)} title="Advance the virtual clock by 1 s (deadlock_timeout checks fire, the wal writer flushes asynchronous commits)">+1 s</button>
          <label>show visibility for <select value={selected} onChange={(e) => actions.selectSession(e.target.value)} aria-label="session for visibility">
            {sessions.map((s) => <option key={s.name}>{s.name}</option>)}
          </select></label>
          {!lessonMode && <button onClick={() => actions.addSession()} disabled={sessions.length >= MAX_SESSIONS}>+ session</button>}
          {!lessonMode && scenario && <button onClick={() => void actions.nextScenarioStep()} disabled={scenario.position >= scenario.queue.length} data-testid="next-step">Next step ({scenario.position}/{scenario.queue.length})</button>}
          <button onClick={() => fileRef.current?.click()} title="Open a lesson (.md), a scenario (.spec) or a saved workspace (.json)">Open…</button>
          <input ref={fileRef} type="file" accept=".md,.spec,.json,.txt" hidden onChange={(e) => { const f = e.target.files?.[0]; if (f) onOpenFile(f); e.target.value = ''; }} data-testid="file-input" />
          <button onClick={exportSpec}>Export .spec</button>
          <button onClick={saveJson}>Save .json</button>
          <button onClick={() => setShare(actions.shareData())} disabled={phase !== 'ready'} title="A link that opens exactly this state, in any browser" data-testid="share">Share</button>
          {!lessonMode && <button onClick={() => { if (confirm('Start over with an empty timeline?')) void actions.reset(); }}>Reset</button>}
          <ThemeToggle />
        </div>
      </header>
  );

  return (
    <div className={`app${lessonMode ? ' lesson-mode' : ''}${embed ? ' embedded' : ''}`}>
      {top}
      {share && <SharePanel share={share} onSave={saveJson} onClose={() => setShare(null)} />}
      {notice && (
        <div className={`notice-bar ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
          {notice.text} <button className="link" onClick={() => actions.dismissNotice()}>dismiss</button>
        </div>
      )}
      <div className={lessonMode ? 'lesson-layout' : 'plain-layout'}>
        {lessonMode && panel && <aside className="narration-panel" aria-label="lesson">{panel(onLook)}</aside>}
        <main>
          {/* beside the narration, four sessions wrap onto two rows rather than run off the page */}
          <div className="sessions" style={{ gridTemplateColumns: lessonMode ? `repeat(auto-fit, minmax(${sessions.length > 2 ? 300 : 230}px, 1fr))` : `repeat(${sessions.length}, minmax(260px, 1fr))` }}>
            {sessions.map((s) => <SessionColumn key={s.name} name={s.name} lesson={lessonSqlFor(s.name)} looked={lookSession === s.name} />)}
          </div>
          <div className="lower">
            <section className="views">
              <div role="tablist" aria-label="views (← → move between them)" onKeyDown={(e) => {
                // the WAI-ARIA tabs pattern: arrows move, Home / End jump; the selected tab is the one Tab reaches
                const i = views.indexOf(view);
                const j = e.key === 'ArrowRight' ? (i + 1) % views.length : e.key === 'ArrowLeft' ? (i + views.length - 1) % views.length : e.key === 'Home' ? 0 : e.key === 'End' ? views.length - 1 : -1;
                if (j < 0) return;
                e.preventDefault();
                pickView(views[j]!);
                (e.currentTarget.children[j] as HTMLElement | undefined)?.focus();
              }}>
                {views.map((v) => <button key={v} role="tab" aria-selected={view === v} tabIndex={view === v ? 0 : -1} className={view === v ? 'active' : ''} onClick={() => pickView(v)}>{v}</button>)}
              </div>
              <label className="follow"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> views follow {lessonMode ? 'the lesson' : 'the events'}</label>
              <Player lesson={lessonMode} onEvent={(k) => { const v = viewForEvent(k); if (follow && v) setView(v); }} />
              <div className="view-body" role="tabpanel">
                {view === 'Heap' && <HeapView highlight={highlight && highlight.rel !== undefined ? highlight : null} marks={marks} />}
                <Suspense fallback={<p className="muted">loading the view…</p>}>
                  {view === 'Index' && <IndexView />}
                  {view === 'Snapshots' && <SnapshotView lookSession={lookSession} />}
                  {view === 'Waits' && <WaitsView lookSession={lookSession} />}
                  {view === 'WAL' && <WalView highlightLsn={highlight?.lsn} highlightLast={look?.kind === 'wal'} />}
                  {view === 'Durability' && <DurabilityView highlight={highlight} />}
                  {view === 'Dependencies' && <DepsView />}
                  {view === 'Vacuum' && <VacuumView onLookSession={(name) => setLook({ kind: 'session', path: [name], raw: `session/${name}` })} />}
                </Suspense>
              </div>
            </section>
            {(!embed || embed.timeline) && <Timeline />}
          </div>
        </main>
      </div>
      {!embed && <footer className="muted">
        A simulator, not a server: one process, a virtual clock, no background workers (autovacuum wakes on the virtual clock when switched on;
        statistics reach the views as PostgreSQL 15 flushes them, up to 10 s late; the wal writer only flushes asynchronous commits,
        200 ms of virtual time after them; the checkpointer runs on CHECKPOINT and every 5 min of virtual time; the background writer when asked).
        A crash here is a power failure: memory is lost, the disk is not.
        Behaviour is checked against PostgreSQL 15 transcripts.
      </footer>}
    </div>
  );
}

/** The link a Share made (with a Copy button), or why there is none and the file instead. */
function SharePanel({ share, onSave, onClose }: { share: Encoded; onSave(): void; onClose(): void }) {
  const [copied, setCopied] = useState(false);
  const url = share.ok ? shareUrl(share.data) : '';
  const copy = () => { void navigator.clipboard?.writeText(url).then(() => setCopied(true), () => setCopied(false)); };
  return (
    <div className={`notice-bar share-panel ${share.ok ? 'info' : 'error'}`} role={share.ok ? 'status' : 'alert'} data-testid="share-panel">
      {share.ok ? (
        <>
          <label>A link to exactly this state (steps, current step, view, session) — anyone who opens it sees the same:{' '}
            <input readOnly value={url} onFocus={(e) => e.target.select()} data-testid="share-url" aria-label="share link" />
          </label>{' '}
          <button onClick={copy}>{copied ? 'Copied ✓' : 'Copy'}</button>{' '}
          <span className="muted">{url.length.toLocaleString('en')} characters</span>
        </>
      ) : (
        <>{share.message} <button onClick={onSave} data-testid="share-save-file">Save .json</button></>
      )}{' '}
      <button className="link" onClick={onClose}>close</button>
    </div>
  );
}
