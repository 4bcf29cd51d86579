/**
 * The SQL editor: Monaco (loaded lazily, with Monaco's PostgreSQL (pgsql) highlighting) with a plain textarea until it
 * arrives. Ctrl+Enter (Cmd+Enter) runs the statement under the cursor; a syntax error is marked in red at
 * PostgreSQL's position.
 */
import { isDark } from './theme';
import { useEffect, useRef, useState } from 'react';
import { statementAt } from './statements';

export interface EditorMarker { offset: number; message: string }

interface Props {
  value: string;
  label: string;
  onChange(v: string): void;
  onRun(statement: string, start: number): void;
  marker: EditorMarker | null;
  /** receives a function that runs the statement under the cursor (for the Run button) */
  registerRun?(run: () => void): void;
}

type Monaco = typeof import('monaco-editor/editor/editor.api');
let monacoPromise: Promise<Monaco> | null = null;
function loadMonaco(): Promise<Monaco> {
  if (!monacoPromise) {
    monacoPromise = (async () => {
      const [monaco, { default: EditorWorker }] = await Promise.all([
        import('monaco-editor/editor/editor.api'),
        import('monaco-editor/editor/editor.worker?worker'),
        import('monaco-editor/languages/definitions/pgsql/register'),
      ]);
      (self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = { getWorker: () => new EditorWorker() };
      return monaco;
    })();
  }
  return monacoPromise;
}

export function SqlEditor({ value, label, onChange, onRun, marker, registerRun }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<import('monaco-editor/editor/editor.api').editor.IStandaloneCodeEditor | null>(null);
  const monacoRef = useRef<Monaco | null>(null);
  const [ready, setReady] = useState(false);
  const latest = useRef({ onChange, onRun });
  latest.current = { onChange, onRun };
  const taRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    let disposed = false;
    let onTheme: ((e: Event) => void) | null = null;
    loadMonaco().then((monaco) => {
      if (disposed || !host.current) return;
      monacoRef.current = monaco;
      const ed = monaco.editor.create(host.current, {
        value, language: 'pgsql', minimap: { enabled: false }, fontSize: 13, lineNumbers: 'on', scrollBeyondLastLine: false,
        automaticLayout: true, wordWrap: 'on', ariaLabel: `${label} (Escape leaves the editor, then Tab moves on)`, renderLineHighlight: 'none', tabSize: 2,
        theme: isDark() ? 'vs-dark' : 'vs',
      });
      onTheme = (e: Event) => monaco.editor.setTheme((e as CustomEvent<boolean>).detail ? 'vs-dark' : 'vs');
      window.addEventListener('heapscope-theme', onTheme);
      ed.onDidChangeModelContent(() => latest.current.onChange(ed.getValue()));
      const runAtCursor = () => {
        const model = ed.getModel()!;
        const offset = model.getOffsetAt(ed.getPosition()!);
        const st = statementAt(model.getValue(), offset);
        if (st) latest.current.onRun(st.text, st.start);
      };
      ed.onKeyDown((e) => {
        // Escape (with no suggestion list open) leaves the editor, so Tab moves on to the next control
        if (e.keyCode === monaco.KeyCode.Escape && !host.current?.querySelector('.suggest-widget.visible')) {
          e.preventDefault();
          (document.activeElement as HTMLElement | null)?.blur();
          host.current?.closest('section')?.querySelector<HTMLElement>('.session-actions button')?.focus();
          return;
        }
        if ((e.ctrlKey || e.metaKey) && e.keyCode === monaco.KeyCode.Enter) {
          e.preventDefault();
          e.stopPropagation();
          runAtCursor();
        }
      });
      editorRef.current = ed;
      setReady(true);
    }).catch(() => { /* stay on the textarea */ });
    return () => { disposed = true; if (onTheme) window.removeEventListener('heapscope-theme', onTheme); editorRef.current?.dispose(); editorRef.current = null; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const ed = editorRef.current;
    if (ed && ed.getValue() !== value) ed.setValue(value);
  }, [value, ready]);

  useEffect(() => {
    const ed = editorRef.current, monaco = monacoRef.current;
    if (!ed || !monaco) return;
    const model = ed.getModel()!;
    if (!marker) { monaco.editor.setModelMarkers(model, 'postgres', []); return; }
    const p = model.getPositionAt(marker.offset);
    monaco.editor.setModelMarkers(model, 'postgres', [{
      severity: monaco.MarkerSeverity.Error, message: marker.message,
      startLineNumber: p.lineNumber, startColumn: p.column, endLineNumber: p.lineNumber, endColumn: p.column + 1,
    }]);
  }, [marker, ready]);

  const runFromTextarea = () => {
    const ta = taRef.current!;
    const st = statementAt(ta.value, ta.selectionStart);
    if (st) onRun(st.text, st.start);
  };
  registerRun?.(() => {
    const ed = editorRef.current;
    if (ed) {
      const model = ed.getModel()!;
      const st = statementAt(model.getValue(), model.getOffsetAt(ed.getPosition()!));
      if (st) latest.current.onRun(st.text, st.start);
    } else if (taRef.current) runFromTextarea();
  });

  return (
    <div className="editor">
      <div ref={host} className="monaco-host" style={{ display: ready ? 'block' : 'none' }} data-testid={`editor-${label}`} />
      {!ready && (
        <textarea
          ref={taRef} aria-label={label} className="editor-fallback" value={value} spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runFromTextarea(); } }}
        />
      )}
      {marker && <div className="marker-text" role="alert">{marker.message}</div>}
    </div>
  );
}
