/**
 * The narration panel: the shown step's title and narration (Markdown, rendered safely), its question or task,
 * and next / back (buttons and keys). Everything it shows comes from the player's view of the store (player.ts),
 * so it always matches the timeline.
 */
import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { usePlayer, useWs } from '../hooks';
import { Markdown } from './Markdown';
import type { Look } from '../look';
import type { LessonDoc, PlayerView } from '../../store/player';
import { judge, type Judgement } from '../../lessons/claims';
import { stepSession, stepSql } from '../../lessons/steps';
import type { Action, LessonStep } from '../../lessons/format';

/** `embedded`: in an embed (embed.html) there is no course around the lesson to go back to. */
interface Props { doc: LessonDoc; pv: PlayerView; onLook(l: Look): void; onCourse(): void; next: LessonDoc[]; embedded?: boolean }

/** A server event or a clock advance in words, as it will happen or as it happened. */
function eventWords(a: Action, ran: boolean): string {
  const v = (now: string, past: string) => (ran ? past : now);
  if (a.kind === 'advance') return `${a.ms >= 1000 && a.ms % 1000 === 0 ? `${a.ms / 1000} s` : `${a.ms} ms`} of virtual time ${v('pass', 'passed')} (timers such as deadlock_timeout ${v('fire', 'fired')})`;
  if (a.kind !== 'server') return '';
  switch (a.action) {
    case 'crash': return a.arg ? `a crash ${v('is', 'was')} armed: ${a.arg.replace(/-/g, ' ')}` : `the server ${v('crashes', 'crashed')} (a power failure)`;
    case 'restart': return `the server ${v('restarts', 'restarted')} and ${v('runs', 'ran')} crash recovery${a.arg ? `; the power ${v('fails', 'failed')} again after ${a.arg} REDO records` : ''}`;
    case 'checkpoint': return `a checkpoint ${v('runs', 'ran')}`;
    case 'bgwriter': return `the background writer ${v('writes', 'wrote')} dirty pages`;
  }
  return a.action;
}

/** What running the step does, in one line. */
function actionLine(step: LessonStep, ran: boolean) {
  const s = stepSession(step);
  if (step.task) return null;
  if (s) return <>{ran ? 'Ran' : 'Runs'} in <strong>{s}</strong>'s session (shown in its column).</>;
  if (step.action) return <>{ran ? 'Done' : 'Next'}: {eventWords(step.action, ran)}.</>;
  return null;
}

/** The keys: → or n next, ← or p back, 1–9 pick an answer — not while typing in an editor or a field. */
function useKeys(onNext: () => void, onBack: () => void, onPick: (i: number) => void) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.closest('.monaco-editor, input, textarea, select, [contenteditable="true"]'))) return;
      if (e.key === 'ArrowRight' || e.key === 'n') { e.preventDefault(); onNext(); } else if (e.key === 'ArrowLeft' || e.key === 'p') { e.preventDefault(); onBack(); } else if (/^[1-9]$/.test(e.key)) onPick(Number(e.key) - 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onNext, onBack, onPick]);
}

export function LessonPanel({ doc, pv, onLook, onCourse, next, embedded = false }: Props) {
  const player = usePlayer();
  const busy = useWs((s) => s.phase !== 'ready');
  const state = useWs((s) => s.state);
  const headNode = useWs((s) => (s.head === null ? undefined : s.nodes.get(s.head)));
  const last = useStore(player.player, (s) => s.lastJudgement);
  const { lesson } = doc;
  const n = lesson.steps.length;
  const step: LessonStep | undefined = pv.cursor >= 0 ? lesson.steps[pv.cursor] : undefined;
  const [hint, setHint] = useState(false);
  const [solution, setSolution] = useState(false);
  useEffect(() => { setHint(false); setSolution(false); }, [pv.cursor]);

  const q = step?.predict ?? null;
  const pendingQuestion = pv.phase === 'pending' && !!q && !pv.answer;
  const onNext = () => { if (!busy) void player.next(); };
  const onBack = () => { if (!busy) void player.back(); };
  const onPick = (i: number) => { if (pendingQuestion && !busy && q && i < q.choices.length) void player.answer(i); };
  useKeys(onNext, onBack, onPick);

  // what the engine says about the picked answer: kept from the reveal, or judged again on the step's own state
  const actual: Judgement[] | null = useMemo(() => {
    if (!q || !pv.answer || q.kind === 'concept') return null;
    if (last?.step === pv.cursor) return last.actual;
    if (pv.pos.stepNodes.get(pv.cursor) === headNode?.id && headNode?.result && state) return judge(q.choiceClaims[pv.answer.choice]!, state, headNode.result,
      step ? stepSession(step) : null);
    return null;
  }, [q, pv.answer, pv.cursor, pv.pos, last, headNode, state, step]);

  const detour = pv.pos.detour > 0;
  const taskPending = pv.phase === 'pending' && !!step?.task;
  let nextLabel = 'Next ▶';
  if (detour && !taskPending) nextLabel = '↩ Back to the lesson';
  else if (pv.phase === 'intro') nextLabel = 'Start ▶';
  else if (taskPending) nextLabel = pv.task?.reached ? 'Continue ▶' : 'Skip: run the solution ▶';
  else if (pv.phase === 'pending' && !pendingQuestion) nextLabel = 'Run this step ▶';
  else if (pv.cursor === n - 1) nextLabel = 'Finish ▶';
  const nextDisabled = busy || (pv.phase === 'summary' && !detour) || (pendingQuestion && !detour);
  const right = pv.saved.answers.filter((a) => a.right).length;
  const asked = lesson.steps.filter((s) => s.predict).length;

  return (
    <div className="narration" data-testid="narration">
      <div className="narration-head">
        {!embedded && <button className="link" onClick={onCourse}>← Course</button>}
        <span className="lesson-title">{lesson.meta.title}</span>
        <span className="step-count" data-testid="step-count">{pv.phase === 'intro' ? 'Introduction' : pv.phase === 'summary' ? 'Complete' : `Step ${pv.cursor + 1} of ${n}`}</span>
        <span className="bar" aria-hidden="true"><span style={{ width: `${(100 * Math.max(0, Math.min(n, pv.cursor + 1))) / n}%` }} /></span>
      </div>

      <div className="narration-body">
        {pv.phase === 'intro' && (
          <>
            <h2 data-testid="step-title">{lesson.meta.title}</h2>
            <p className="meta">{lesson.meta.level} · about {lesson.meta.minutes} min · {lesson.meta.concepts.join(', ')}</p>
            <Markdown text={lesson.intro || lesson.meta.summary} onLook={onLook} />
            {lesson.setup.length > 0 && (
              <details className="setup">
                <summary>The setup (already run on a connection of its own)</summary>
                {lesson.setup.map((s, i) => <pre key={i}>{s.sql}</pre>)}
              </details>
            )}
            <div className="how">
              <strong>How a lesson works.</strong> Each step runs real SQL in one of the sessions {embedded ? 'below' : 'on the right'} and the views
              below them show what the database did. When a step asks a question, answer it first: the step then runs and
              you see whether you were right. You can type your own SQL in any session at any time; that branches off the
              lesson, and “Back to the lesson” brings you back.
            </div>
          </>
        )}

        {step && pv.phase !== 'summary' && (
          <>
            <h2 data-testid="step-title">{step.title}</h2>
            {step.narration && <Markdown text={step.narration} onLook={onLook} />}
            {step.action && actionLine(step, pv.cursor <= pv.pos.done) && <p className="action-line" data-testid="action-line">{actionLine(step, pv.cursor <= pv.pos.done)}</p>}
            {q && <Question q={q} pv={pv} busy={busy} actual={actual} onPick={onPick} />}
            {step.task && <Task step={step} pv={pv} busy={busy} hint={hint} solution={solution}
              onHint={() => setHint(true)} onSolution={() => setSolution(true)} onSolve={() => void player.solve()} />}
          </>
        )}

        {pv.phase === 'summary' && (
          <div className="summary" data-testid="lesson-summary">
            <h2>Lesson complete: {lesson.meta.title}</h2>
            {asked > 0 && <p className="score" data-testid="score">Questions: <strong>{right} of {asked}</strong> answered right{pv.saved.answers.length < asked ? ` (${asked - pv.saved.answers.length} not answered)` : ''}.</p>}
            <h3>What you saw</h3>
            <ol className="covered">{lesson.steps.map((s, k) => {
              const a = pv.saved.answers.find((x) => x.step === k);
              const t = pv.saved.tasks.find((x) => x.step === k);
              return <li key={k}>{s.title}{a ? (a.right ? ' — ✓ predicted right' : ' — ✗ predicted wrong') : ''}{t ? (t.how === 'reached' ? ' — ✓ you did it' : ' — solution shown') : ''}</li>;
            })}</ol>
            <p className="concepts">Concepts: {lesson.meta.concepts.map((c) => <span key={c} className="chip">{c}</span>)}</p>
            {next.length > 0 && !embedded && <p>Next: {next.map((d, i) => <span key={d.lesson.meta.id}>{i ? ', ' : ''}<a href={`#/lesson/${d.lesson.meta.id}`}>{d.lesson.meta.title}</a></span>)}</p>}
            <p>{!embedded && <button className="primary" onClick={onCourse}>Back to the course</button>} <button onClick={() => void player.restart()}>Play it again</button></p>
          </div>
        )}

        {detour && !taskPending && (
          <div className="detour" role="status" data-testid="detour">
            <strong>You are trying your own SQL</strong> ({pv.pos.detour} step{pv.pos.detour === 1 ? '' : 's'} of your own). The lesson waits
            where you left it. “↩ Back to the lesson” returns to it; what you ran stays in the timeline as a branch.
          </div>
        )}
        {!detour && pv.phase !== 'summary' && pv.phase !== 'intro' && !taskPending && (
          <p className="whatif muted">Curious? Type your own SQL in any session (Ctrl+Enter runs it): it branches off the lesson, and you can come back.</p>
        )}
      </div>

      <div className="narration-nav">
        <button onClick={onBack} disabled={busy || pv.phase === 'intro'} data-testid="lesson-back">◀ Back</button>
        {(pv.phase !== 'summary' || detour) && <button className="primary" onClick={onNext} disabled={nextDisabled} data-testid="lesson-next" title={pendingQuestion ? 'Answer the question first' : undefined}>{nextLabel}</button>}
        <span className="keys muted">Keys: → next · ← back{pendingQuestion ? ' · 1–' + q!.choices.length + ' answer' : ''}</span>
        {pendingQuestion && !detour && <span className="hold muted" data-testid="answer-first">Answer the question to go on.</span>}
      </div>
    </div>
  );
}

function Question({ q, pv, busy, actual, onPick }: { q: NonNullable<LessonStep['predict']>; pv: PlayerView; busy: boolean; actual: Judgement[] | null; onPick(i: number): void }) {
  const a = pv.answer;
  const revealed = !!a && pv.cursor <= pv.pos.done;
  return (
    <div className={`predict${revealed ? (a!.right ? ' right' : ' wrong') : ''}`} data-testid="predict">
      <p className="question"><strong>Predict:</strong> {q.text}</p>
      <ol className="choices">
        {q.choices.map((c, i) => {
          const picked = a?.choice === i;
          const truth = revealed && a!.truth === i;
          return (
            <li key={i}>
              <button className={`choice${picked ? ' picked' : ''}${truth ? ' truth' : ''}`} disabled={busy || !!a} onClick={() => onPick(i)} data-testid={`choice-${i}`}>
                <span className="choice-key">{i + 1}</span> {c}{truth ? ' ✓' : picked && revealed ? ' ✗' : ''}
              </button>
            </li>
          );
        })}
      </ol>
      {!a && <p className="muted">Pick an answer: the step runs, and you see what really happens.</p>}
      {revealed && (
        <div className="feedback" role="status" data-testid="feedback">
          <p className="verdict">{a!.right ? '✓ Right.' : `✗ Not quite — the answer is “${q.choices[a!.truth] ?? q.choices[q.answer]}”.`}</p>
          {!a!.right && actual && actual.some((j) => !j.holds) && <p className="actual">What happened: {actual.filter((j) => !j.holds).map((j) => j.actual).join('; ')}.</p>}
          <Markdown text={q.explain} />
        </div>
      )}
    </div>
  );
}

function Task({ step, pv, busy, hint, solution, onHint, onSolution, onSolve }:
  { step: LessonStep; pv: PlayerView; busy: boolean; hint: boolean; solution: boolean; onHint(): void; onSolution(): void; onSolve(): void }) {
  const t = step.task!;
  const done = pv.cursor <= pv.pos.done;
  const how = pv.saved.tasks.find((x) => x.step === pv.cursor)?.how;
  return (
    <div className={`task${done || pv.task?.reached ? ' reached' : ''}`} data-testid="task">
      <p><strong>Your turn:</strong> {t.prompt}</p>
      {!done && <p className="muted">Type SQL in <strong>{t.session}</strong>'s editor and run it (Ctrl+Enter). After every statement the goal is checked.</p>}
      {!done && pv.task && (
        <p className="task-status" role="status" data-testid="task-status">
          {pv.task.reached ? <>✓ Goal reached. Well done — go on when you are ready.</>
            : pv.task.tried ? <>Not yet: {pv.task.judgements.filter((j) => !j.holds).map((j) => `it should be that ${j.claimed}, but ${j.actual}`).join('; ')}.</>
              : <>Nothing tried yet.</>}
        </p>
      )}
      {done && <p className="task-status" data-testid="task-status">{how === 'reached' ? '✓ You reached the goal. ' : ''}The lesson continued from the instructor's solution{how === 'reached' ? ' (your attempt is kept in the timeline as a branch)' : ''}: <code>{stepSql(step)}</code></p>}
      {!done && !pv.task?.reached && (
        <div className="task-actions">
          {t.hint && (hint ? <p className="hint">Hint: {t.hint}</p> : <button onClick={onHint}>Hint</button>)}
          {solution ? <div className="solution"><pre>{t.solution}</pre><button className="primary" onClick={onSolve} disabled={busy}>Run the solution ▶</button></div>
            : <button onClick={onSolution}>Show the solution</button>}
        </div>
      )}
    </div>
  );
}
