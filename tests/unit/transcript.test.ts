/** PQprint's aligned output, as the isolation tester prints result sets. */
import { describe, it, expect } from 'vitest';
import { formatResultSet, formatMessage } from '../../src/engine/scenario/transcript.js';

describe('formatResultSet', () => {
  it('right-aligns numeric columns (header too) and left-aligns text, padding every column', () => {
    expect(formatResultSet({ columns: ['t', 'n', 'num', 'longlonglong', 'count'], rows: [['ab', null, '1.50', 'x', '0']] })).toBe(
      't |n| num|longlonglong|count\n--+-+----+------------+-----\nab| |1.50|x           |    0\n(1 row)\n\n');
  });
  it('prints (0 rows) with the header widths only', () => {
    expect(formatResultSet({ columns: ['id', 'state'], rows: [] })).toBe('id|state\n--+-----\n(0 rows)\n\n');
  });
  it('treats a column as text once one value is not numeric, and ignores NULLs when deciding', () => {
    expect(formatResultSet({ columns: ['v'], rows: [['10'], [null], ['x']] })).toBe('v \n--\n10\n  \nx \n(3 rows)\n\n');
    expect(formatResultSet({ columns: ['v'], rows: [['1e'], ['2']] })).toBe('v \n--\n1e\n2 \n(2 rows)\n\n');
  });
  it('measures widths in bytes, as libpq does', () => {
    expect(formatResultSet({ columns: ['s'], rows: [['é'], ['ab']] })).toBe('s \n--\né\nab\n(2 rows)\n\n');
  });
});

describe('formatMessage', () => {
  const m = { severity: 'ERROR' as const, sqlstate: '40P01', message: 'deadlock detected', detail: 'd', hint: 'h', context: 'c' };
  it('is terse by default', () => expect(formatMessage(m, false)).toBe('ERROR:  deadlock detected\n'));
  it('adds DETAIL, HINT, CONTEXT when verbose', () => expect(formatMessage(m, true)).toBe('ERROR:  deadlock detected\nDETAIL:  d\nHINT:  h\nCONTEXT:  c\n'));
});
