/**
 * The pg_settings view: every setting, one row each, with the value this session sees.
 *
 *     SELECT name, setting, unit FROM pg_settings WHERE name = 'work_mem';   -- work_mem | 4096 | kB
 *     SET work_mem = '64MB';  -- now setting is 65536: pg_settings shows the value in the setting's base unit,
 *                             -- where SHOW and current_setting() show it in the largest unit that divides it
 *
 * setting is the raw value: a number in the base unit (unit: kB, 8kB, MB, B, ms, s, min) for integer and real
 * settings, on/off for booleans, the value itself for enums and strings. min_val / max_val are in the same unit,
 * enumvals the allowed values of an enum.
 *
 * Mirrors: src/backend/utils/misc/guc.c (show_all_settings, GetConfigOptionByNum), the pg_settings view in
 * catalog/system_views.sql. Simplifications: the columns modelled are name, setting, unit, category, short_desc,
 * context, vartype, min_val, max_val and enumvals — extra_desc, source, boot_val, reset_val, sourcefile, sourceline
 * and pending_restart are not (SELECT * is refused with 0A000: name the columns); the rows are in pg15settings.ts's
 * order (PostgreSQL's is the same: by name).
 */
import { T, PgArray, type SqlType, type Value } from '../sql/types.js';
import { formatG } from '../adt/float.js';
import { allSettings, numericValue, type SessionGucs } from './guc.js';

export interface SettingsView { columns: { name: string; type: SqlType }[]; rows: Value[][]; starRefused: string }

const COLUMNS: [string, SqlType][] = [
  ['name', T.text], ['setting', T.text], ['unit', T.text], ['category', T.text], ['short_desc', T.text], ['context', T.text],
  ['vartype', T.text], ['min_val', T.text], ['max_val', T.text], ['enumvals', T.text_array],
];

/** show_all_settings: the rows of pg_settings as this session sees them. */
export function pgSettingsView(gucs: SessionGucs): SettingsView {
  const rows: Value[][] = allSettings().map((d) => {
    const shown = gucs.get(d.name);
    // the octal modes (data_directory_mode 0700, log_file_mode, unix_socket_permissions) have a show hook: shown as is
    const numeric = (d.vartype === 'integer' || d.vartype === 'real') && !/^0\d/.test(shown);
    // integers print with %d, reals with %g (guc.c _ShowOption, GetConfigOptionByNum)
    const num = (x: number) => (d.vartype === 'real' ? formatG(x, 6) : String(x));
    const setting = numeric ? num(numericValue(d, shown)) : shown;
    return [
      d.name, setting, d.unit, d.category, d.desc, d.context, d.vartype,
      d.min === null ? null : num(d.min), d.max === null ? null : num(d.max), d.enumvals ? new PgArray(d.enumvals) : null,
    ];
  });
  return {
    columns: COLUMNS.map(([name, type]) => ({ name, type })), rows,
    starRefused: `SELECT * FROM pg_settings (Heapscope models ${COLUMNS.map(([n]) => n).join(', ')}: name them)`,
  };
}
