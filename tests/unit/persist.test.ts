/** Saved workspaces are validated entry by entry: a malformed one is refused as a whole, never half-loaded. */
import { describe, it, expect } from 'vitest';
import { validEntry, validateWorkspace } from '../../src/store/persist.js';
import { CRASH_POINT_CHOICES } from '../../src/shared/api.js';
import { CRASH_POINTS } from '../../src/engine/checkpoint/checkpointer.js';

const ws = (entries: unknown[]) => ({
  version: 1, sessions: [{ name: 's1', text: '' }], head: entries.length || null,
  nodes: entries.map((entry, i) => ({ id: i + 1, parent: i ? i : null, entry })),
});

describe('saved workspace validation', () => {
  it('accepts every kind of log entry, server events included', () => {
    for (const e of [
      { kind: 'sql', session: 's1', sql: 'SELECT 1' }, { kind: 'advance', ms: 200 }, { kind: 'wait', session: 's1' },
      { kind: 'server', action: 'crash' }, { kind: 'server', action: 'crash', arg: 'torn-write' }, { kind: 'server', action: 'restart' },
      { kind: 'server', action: 'restart', arg: '12' }, { kind: 'server', action: 'checkpoint' }, { kind: 'server', action: 'bgwriter' },
      { kind: 'server', action: 'full_page_writes', arg: 'off' },
    ]) expect(validEntry(e), JSON.stringify(e)).toBe(true);
    expect(validateWorkspace(ws([{ kind: 'sql', session: 's1', sql: 'SELECT 1' }, { kind: 'server', action: 'crash' }]))).toBeNull();
  });
  it('refuses malformed server events with a message naming the node', () => {
    for (const e of [
      { kind: 'server', action: 'crash', arg: 'sideways' }, { kind: 'server', action: 'restart', arg: 'soon' },
      { kind: 'server', action: 'restart', arg: 5 }, { kind: 'server', action: 'full_page_writes' }, { kind: 'server', action: 'checkpoint', arg: 'x' },
      { kind: 'server', action: 'format c:' }, { kind: 'server' },
    ]) {
      expect(validEntry(e), JSON.stringify(e)).toBe(false);
      expect(validateWorkspace(ws([{ kind: 'sql', session: 's1', sql: 'SELECT 1' }, e]))).toBe('node 2 has an invalid entry');
    }
  });
  it('offers exactly the crash points the engine knows', () => {
    expect([...CRASH_POINT_CHOICES]).toEqual([...CRASH_POINTS]);
  });
});
