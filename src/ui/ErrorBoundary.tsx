/**
 * The last line of defence: if drawing the workspace ever throws, say so and offer a way out instead of a blank
 * page (React unmounts everything below an uncaught render error). The workspace itself is in the store and in
 * localStorage, untouched: "Try again" draws it again, "Save .json" keeps it, "Reset" starts over.
 */
import { Component, type ReactNode } from 'react';
import type { Workspace } from '../store/workspace';

export class ErrorBoundary extends Component<{ workspace: Workspace; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };
  static getDerivedStateFromError(error: Error) { return { error }; }
  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    const { actions } = this.props.workspace;
    const save = () => {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([actions.exportWorkspace()], { type: 'application/json' }));
      a.download = 'workspace.json';
      a.click();
      URL.revokeObjectURL(a.href);
    };
    return (
      <div className="app crashed" role="alert" data-testid="view-error">
        <h1>Heapscope could not draw this workspace</h1>
        <p>{error.message}</p>
        <p>Your steps and texts are kept. Try drawing it again, save it as a file, or start over.</p>
        <p>
          <button onClick={() => this.setState({ error: null })}>Try again</button>{' '}
          <button onClick={save}>Save .json</button>{' '}
          <button onClick={() => { void actions.reset().then(() => this.setState({ error: null })); }}>Reset the workspace</button>
        </p>
      </div>
    );
  }
}
