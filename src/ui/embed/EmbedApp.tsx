/**
 * The embed's page: one lesson or one scenario with minimal chrome — its title, the engine's phase and clock, the
 * sessions, the views the embedder chose and (if asked for) the timeline; no course, no files, no navigation.
 */
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { WorkspaceView, usePlayerView } from '../WorkspaceView';
import { LessonPanel } from '../lessons/LessonPanel';
import type { ViewName } from '../look';
import type { EmbedMode } from './controller';
import type { LessonDoc } from '../../store/player';

const noop = () => {};

interface Props { mode: StoreApi<{ mode: EmbedMode }>; views: readonly ViewName[]; timeline: boolean; onReset(): void }

export function EmbedApp({ mode, views, timeline, onReset }: Props) {
  const m = useStore(mode, (s) => s.mode);
  if (m.kind === 'failed') return <div className="app embedded"><p className="embed-message" role="alert" data-testid="embed-error">{m.message}</p></div>;
  if (m.kind === 'none') return <div className="app embedded"><p className="muted embed-message" data-testid="embed-loading">Loading Heapscope…</p></div>;
  if (m.kind === 'scenario') return <WorkspaceView nav={null} onOpenFile={noop} embed={{ title: m.name, views, timeline, onReset }} />;
  return <EmbeddedLesson doc={m.doc} views={views} timeline={timeline} onReset={onReset} />;
}

function EmbeddedLesson({ doc, views, timeline, onReset }: { doc: LessonDoc; views: readonly ViewName[]; timeline: boolean; onReset(): void }) {
  const pv = usePlayerView(doc);
  if (!pv) return <div className="app embedded"><p className="muted embed-message" data-testid="embed-loading">Loading the lesson…</p></div>;
  return (
    <WorkspaceView
      nav={null} onOpenFile={noop} doc={doc} embed={{ title: '', views, timeline, onReset }}
      panel={(onLook) => <LessonPanel doc={doc} pv={pv} onLook={onLook} onCourse={noop} next={[]} embedded />}
    />
  );
}
