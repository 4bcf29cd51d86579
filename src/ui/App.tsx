/** The workspace: sessions side by side, the views of the engine's insides, the timeline and the player. */
import { lazy, Suspense, useRef, useState } from 'react';
import { useWorkspace, useWs } from './hooks';
import { SessionColumn } from './SessionColumn';
import { HeapView } from './views/HeapView';
// the Heap view is what opens first; the other views (and d3, which two of them draw with) load on first use
const IndexView = lazy(() => import('./views/IndexView').then((m) => ({ default: m.IndexView })));
const SnapshotView = lazy(() => import('./views/SnapshotView').then((m) => ({ default: m.SnapshotView })));
const WaitsView = lazy(() => import('./views/WaitsView').then((m) => ({ default: m.WaitsView })));
const WalView = lazy(() => import('./views/WalView').then((m) => ({ default: m.WalView })));
const DurabilityView = lazy(() => import('./views/DurabilityView').then((m) => ({ default: m.DurabilityView })));
import { Timeline, Player, useHighlight, viewForEvent } from './Timeline';
import { MAX_SESSIONS } from '../store/workspace';

const VIEWS = ['Heap', 'Index', 'Snapshots', 'Waits', 'WAL', 'Durability'] as const;
type View = (typeof VIEWS)[number];

export function App() {
  const { actions } = useWorkspace();
  const sessions = useWs((s) => s.sessions);
  const phase = useWs((s) => s.phase);
  const notice = useWs((s) => s.notice);
  const clock = useWs((s) => s.state?.clock ?? 0);
  const scenario = useWs((s) => s.scenario);
  const selected = useWs((s) => s.selectedSession);
  const [view, setView] = useState<View>('Heap');
  const [follow, setFollow] = useState(true);
  const highlight = useHighlight();
  const fileRef = useRef<HTMLInputElement>(null);

  const download = (name: string, text: string) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    a.download = name;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  const onFile = async (f: File | undefined) => { if (f) await actions.openFile(f); };
  const exportSpec = () => { const spec = actions.exportScenario(); if (spec !== null) download('workspace.spec', spec); };

  return (
    <div className="app">
      <header className="top">
        <h1>Heapscope <small>PostgreSQL 15's insides, step by step</small></h1>
        <div className="toolbar" role="toolbar" aria-label="workspace">
          <span className={`phase ${phase}`} data-testid="phase">{phase === 'ready' ? 'engine ready' : phase === 'busy' ? 'running…' : phase}</span>
          <span className="clock" title="virtual clock">t = {clock} ms</span>
          <button onClick={() => void actions.advance(1000)} title="Advance the virtual clock by 1 s (deadlock_timeout checks fire, the wal writer flushes asynchronous commits)">+1 s</button>
          <label>show visibility for <select value={selected} onChange={(e) => actions.selectSession(e.target.value)} aria-label="session for visibility">
            {sessions.map((s) => <option key={s.name}>{s.name}</option>)}
          </select></label>
          <button onClick={() => actions.addSession()} disabled={sessions.length >= MAX_SESSIONS}>+ session</button>
          {scenario && <button onClick={() => void actions.nextScenarioStep()} disabled={scenario.position >= scenario.queue.length} data-testid="next-step">Next step ({scenario.position}/{scenario.queue.length})</button>}
          <button onClick={() => fileRef.current?.click()}>Open…</button>
          <input ref={fileRef} type="file" accept=".spec,.json,.txt" hidden onChange={(e) => { void onFile(e.target.files?.[0]); e.target.value = ''; }} data-testid="file-input" />
          <button onClick={exportSpec}>Export .spec</button>
          <button onClick={() => download('workspace.json', actions.exportWorkspace())}>Save .json</button>
          <button onClick={() => { if (confirm('Start over with an empty timeline?')) void actions.reset(); }}>Reset</button>
        </div>
      </header>
      {notice && (
        <div className={`notice-bar ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
          {notice.text} <button className="link" onClick={() => actions.dismissNotice()}>dismiss</button>
        </div>
      )}
      <main>
        <div className="sessions" style={{ gridTemplateColumns: `repeat(${sessions.length}, minmax(260px, 1fr))` }}>
          {sessions.map((s) => <SessionColumn key={s.name} name={s.name} />)}
        </div>
        <div className="lower">
          <section className="views">
            <div role="tablist" aria-label="views">
              {VIEWS.map((v) => <button key={v} role="tab" aria-selected={view === v} className={view === v ? 'active' : ''} onClick={() => setView(v)}>{v}</button>)}
            </div>
            <label className="follow"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> views follow the events</label>
            <Player onEvent={(k) => { const v = viewForEvent(k); if (follow && v) setView(v); }} />
            <div className="view-body" role="tabpanel">
              {view === 'Heap' && <HeapView highlight={highlight && highlight.rel !== undefined ? highlight : null} />}
              <Suspense fallback={<p className="muted">loading the view…</p>}>
                {view === 'Index' && <IndexView />}
                {view === 'Snapshots' && <SnapshotView />}
                {view === 'Waits' && <WaitsView />}
                {view === 'WAL' && <WalView highlightLsn={highlight?.lsn} />}
                {view === 'Durability' && <DurabilityView highlight={highlight} />}
              </Suspense>
            </div>
          </section>
          <Timeline />
        </div>
      </main>
      <footer className="muted">
        A simulator, not a server: one process, a virtual clock, no background workers (no autovacuum; the wal writer only flushes asynchronous commits, 200 ms of virtual time after them; the checkpointer runs on CHECKPOINT and every 5 min of virtual time; the background writer when asked). A crash here is a power failure: memory is lost, the disk is not.
        Behaviour is checked against PostgreSQL 15 transcripts.
      </footer>
    </div>
  );
}
