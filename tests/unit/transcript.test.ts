/** PQprint's aligned output, as the isolation tester prints result sets. */
import { describe, it, expect } from 'vitest';
import { formatResultSet, formatMessage, formatLibpqMessage, errorCursor } from '../../src/scenario/transcript.js';

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

/**
 * libpq's cursor display. Each expectation was checked against PostgreSQL 15's isolationtester (a setup block
 * failing with that query text: "setup failed: " + PQerrorMessage); tests/scenarios/runner/*setup-fails.spec
 * keep two such cases under npm run check:isolationtester.
 */
describe('errorCursor / formatLibpqMessage', () => {
  it('shows the line holding the position with a caret under it; "\\r\\n" ends one line, a lone "\\r" one too', () => {
    expect(errorCursor('SELECT 1;\r\nSELECT x;', 19)).toBe('LINE 2: SELECT x;\n               ^\n');
    expect(errorCursor('SELECT 1;\rSELECT 2;\nSELECT x;', 28)).toBe('LINE 3: SELECT x;\n               ^\n');
  });
  it('points past the end for "at end of input", and shows nothing for a position beyond it', () => {
    expect(errorCursor('SELECT 1 FROM', 14)).toBe('LINE 1: SELECT 1 FROM\n                     ^\n');
    expect(errorCursor('SELECT 1 FROM', 15)).toBe('');
  });
  it('counts wide characters as two columns and prints tabs as spaces', () => {
    expect(errorCursor("SELECT '漢字漢字', x;", 16)).toBe("LINE 1: SELECT '漢字漢字', x;\n                           ^\n");
    expect(errorCursor('\tSELECT x', 9)).toBe('LINE 1:  SELECT x\n                ^\n');
  });
  it('cuts a long line to 60 columns around the position, with "..." where it cut', () => {
    const q = `SELECT '${'漢字'.repeat(24)}', x, 'aaaaaaaaaaaaaaaaaaaaaaaaaaa';`;
    expect(errorCursor(q, q.indexOf(', x') + 3)).toBe(`LINE 1: ...字${'漢字'.repeat(11)}', x, 'aaaaaa...\n${' '.repeat(60)}^\n`);
    const long = `SELECT ${'a, '.repeat(30)}x FROM t`;
    expect(errorCursor(long, 8)).toBe(`LINE 1: SELECT ${'a, '.repeat(17)}a,...\n${' '.repeat(15)}^\n`);
  });
  it('formats like PQerrorMessage: message, cursor, DETAIL, HINT, and CONTEXT only for errors', () => {
    const m = { severity: 'ERROR' as const, sqlstate: '42703', message: 'column "x" does not exist', position: 8, detail: 'd', hint: 'h', context: 'c' };
    expect(formatLibpqMessage(m, 'SELECT x', true)).toBe('ERROR:  column "x" does not exist\nLINE 1: SELECT x\n               ^\nDETAIL:  d\nHINT:  h\nCONTEXT:  c\n');
    expect(formatLibpqMessage({ ...m, severity: 'NOTICE' }, 'SELECT x', false)).toBe('NOTICE:  column "x" does not exist\nLINE 1: SELECT x\n               ^\nDETAIL:  d\nHINT:  h\n');
    expect(formatLibpqMessage(m, null, false)).toBe('ERROR:  column "x" does not exist at character 8\nDETAIL:  d\nHINT:  h\n');
  });
});
