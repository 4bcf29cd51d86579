/**
 * has_table_privilege's privilege list (sql/funcs/privileges.ts, acl.c's convert_any_priv_string): comma-separated,
 * trimmed, any case, each with an optional WITH GRANT OPTION; RULE accepted and never held; anything else 22023.
 */
import { describe, it, expect } from 'vitest';
import { tablePrivileges } from '../../src/engine/sql/funcs/privileges.js';
import { PgError } from '../../src/engine/errors.js';

describe('has_table_privilege privilege strings', () => {
  it('reads a list of privileges with their grant options', () => {
    expect(tablePrivileges(' Select ,insert WITH  grant option,RULE')).toEqual([
      { letter: 'r', grant: false }, { letter: 'a', grant: true }, { letter: '', grant: false },
    ]);
  });
  it('refuses an unknown or empty privilege with the trimmed text', () => {
    for (const [text, shown] of [['sel', 'sel'], ['', ''], ['select, usage ', 'usage']]) {
      try { tablePrivileges(text!); expect.unreachable(); } catch (e) {
        expect(e).toBeInstanceOf(PgError);
        expect((e as PgError).sqlstate).toBe('22023');
        expect((e as PgError).message).toBe(`unrecognized privilege type: "${shown}"`);
      }
    }
  });
});
