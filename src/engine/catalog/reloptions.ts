/**
 * Storage parameters of a table (pg_class.reloptions): CREATE TABLE ... WITH (fillfactor = 50) and ALTER TABLE ...
 * SET (...) / RESET (...). Each option has a type and a range; a value is checked as PostgreSQL's parseRelOptions
 * does and stored as the text "name=value" the user wrote. fillfactor changes where INSERT and UPDATE put new
 * tuples (heap/heap.ts); autovacuum_enabled and the autovacuum_*_threshold / _scale_factor / autovacuum_freeze_max_age
 * options are read by autovacuum (postmaster/autovacuum.ts); the others are checked and stored.
 *
 * Each option also says which lock ALTER TABLE SET needs for it (AlterTableGetRelOptionsLockLevel): every heap
 * option of PostgreSQL 15 takes ShareUpdateExclusiveLock except user_catalog_table (AccessExclusiveLock), so
 * SET (fillfactor = 50) does not block readers or writers — only VACUUM, ANALYZE, CREATE INDEX and other DDL.
 *
 * Mirrors: src/backend/access/common/reloptions.c (boolRelOpts, intRelOpts, realRelOpts, enumRelOpts,
 * parseRelOptions, transformRelOptions), nbtree.c btoptions (a B-tree's fillfactor, vacuum_cleanup_index_scale_factor and
 * deduplicate_items: CREATE INDEX ... WITH (...)). Simplifications: no toast.* options.
 */
import { PgError } from '../errors.js';
import { LockMode } from '../lock/lock.js';

type Opt =
  | { kind: 'bool'; lock?: LockMode }
  | { kind: 'int'; min: number; max: number; lock?: LockMode }
  | { kind: 'real'; min: number; max: number; lock?: LockMode }
  | { kind: 'enum'; values: string[]; detail: string; lock?: LockMode };

const INT_MAX = 2147483647;
const HEAP_OPTIONS: ReadonlyMap<string, Opt> = new Map<string, Opt>([
  ['fillfactor', { kind: 'int', min: 10, max: 100 }],
  ['autovacuum_enabled', { kind: 'bool' }],
  ['user_catalog_table', { kind: 'bool', lock: LockMode.AccessExclusive }],
  ['vacuum_truncate', { kind: 'bool' }],
  ['autovacuum_vacuum_threshold', { kind: 'int', min: 0, max: INT_MAX }],
  ['autovacuum_vacuum_insert_threshold', { kind: 'int', min: -1, max: INT_MAX }],
  ['autovacuum_analyze_threshold', { kind: 'int', min: 0, max: INT_MAX }],
  ['autovacuum_vacuum_cost_limit', { kind: 'int', min: 1, max: 10000 }],
  ['autovacuum_freeze_min_age', { kind: 'int', min: 0, max: 1000000000 }],
  ['autovacuum_multixact_freeze_min_age', { kind: 'int', min: 0, max: 1000000000 }],
  ['autovacuum_freeze_max_age', { kind: 'int', min: 100000, max: 2000000000 }],
  ['autovacuum_multixact_freeze_max_age', { kind: 'int', min: 10000, max: 2000000000 }],
  ['autovacuum_freeze_table_age', { kind: 'int', min: 0, max: 2000000000 }],
  ['autovacuum_multixact_freeze_table_age', { kind: 'int', min: 0, max: 2000000000 }],
  ['log_autovacuum_min_duration', { kind: 'int', min: -1, max: INT_MAX }],
  ['toast_tuple_target', { kind: 'int', min: 128, max: 8160 }],
  ['parallel_workers', { kind: 'int', min: 0, max: 1024 }],
  ['autovacuum_vacuum_cost_delay', { kind: 'real', min: 0, max: 100 }],
  ['autovacuum_vacuum_scale_factor', { kind: 'real', min: 0, max: 100 }],
  ['autovacuum_vacuum_insert_scale_factor', { kind: 'real', min: 0, max: 100 }],
  ['autovacuum_analyze_scale_factor', { kind: 'real', min: 0, max: 100 }],
  ['vacuum_index_cleanup', { kind: 'enum', values: ['auto', 'on', 'off', 'true', 'false', 'yes', 'no', '1', '0'], detail: 'Valid values are "on", "off", and "auto".' }],
]);

/** btree_reloptions (nbtree.c): a B-tree's own parameters */
const BTREE_OPTIONS: ReadonlyMap<string, Opt> = new Map<string, Opt>([
  ['fillfactor', { kind: 'int', min: 10, max: 100 }],
  ['vacuum_cleanup_index_scale_factor', { kind: 'real', min: 0, max: 1e10 }],
  ['deduplicate_items', { kind: 'bool' }],
]);

type N = Record<string, any>;

/** The text of a DefElem's argument (defGetString): 50, 0.05, false, 'x'. */
function argText(d: N): string | null {
  const a = d.arg;
  if (!a) return null;
  if (a.Integer) return String(a.Integer.ival ?? 0);
  if (a.Float) return String(a.Float.fval);
  if (a.String) return String(a.String.sval);
  if (a.Boolean) return a.Boolean.boolval ? 'true' : 'false';
  if (a.TypeName) return (a.TypeName.names as N[]).map((x) => x.String.sval).pop() ?? '';
  return null;
}

const BOOL_TEXT = new Map([['true', true], ['on', true], ['yes', true], ['1', true], ['t', true], ['y', true], ['false', false], ['off', false], ['no', false], ['0', false], ['f', false], ['n', false]]);

/** parse_one_reloption: check one value against its option's type and range. */
function checkValue(name: string, opt: Opt, text: string): void {
  switch (opt.kind) {
    case 'bool':
      if (!BOOL_TEXT.has(text.toLowerCase())) throw new PgError('22023', `invalid value for boolean option "${name}": ${text}`);
      return;
    case 'int': {
      if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new PgError('22023', `invalid value for integer option "${name}": ${text}`);
      const v = Number(text);
      if (v < opt.min || v > opt.max) throw new PgError('22023', `value ${text} out of bounds for option "${name}"`, { detail: `Valid values are between "${opt.min}" and "${opt.max}".` });
      return;
    }
    case 'real': {
      const v = Number(text);
      if (text.trim() === '' || !Number.isFinite(v)) throw new PgError('22023', `invalid value for floating point option "${name}": ${text}`);
      if (v < opt.min || v > opt.max) throw new PgError('22023', `value ${text} out of bounds for option "${name}"`, { detail: `Valid values are between "${opt.min.toFixed(6)}" and "${opt.max.toFixed(6)}".` });
      return;
    }
    case 'enum':
      if (!opt.values.includes(text.toLowerCase())) throw new PgError('22023', `invalid value for enum option "${name}": ${text}`, { detail: opt.detail });
  }
}

/**
 * transformRelOptions + heap_reloptions: the new reloptions after SET (`reset` false) or RESET (`reset` true) of
 * the DefElems in `defs`, and the lock the change needs.
 */
export function applyRelOptions(current: readonly string[] | undefined, defs: N[], reset: boolean, kind: 'heap' | 'btree' = 'heap'): { options: string[]; lock: LockMode } {
  const table = kind === 'btree' ? BTREE_OPTIONS : HEAP_OPTIONS;
  const out = new Map<string, string>();
  for (const o of current ?? []) { const i = o.indexOf('='); out.set(o.slice(0, i), o.slice(i + 1)); }
  let lock = LockMode.ShareUpdateExclusive;
  const seen = new Set<string>();
  for (const el of defs) {
    const d = el.DefElem as N;
    if (d.defnamespace) throw new PgError('22023', `unrecognized parameter namespace "${d.defnamespace}"`);
    const name = String(d.defname).toLowerCase();
    const opt = table.get(name);
    if (reset) {
      // RESET of an unknown name is accepted silently (transformRelOptions only removes)
      out.delete(name);
      if (opt?.lock !== undefined && opt.lock > lock) lock = opt.lock;
      continue;
    }
    if (!opt) throw new PgError('22023', `unrecognized parameter "${d.defname}"`);
    if (seen.has(name)) throw new PgError('22023', `parameter "${name}" specified more than once`);
    seen.add(name);
    // a bare name (WITH (autovacuum_enabled)) means true
    const text = argText(d) ?? 'true';
    checkValue(name, opt, text);
    out.set(name, text);
    if (opt.lock !== undefined && opt.lock > lock) lock = opt.lock;
  }
  return { options: [...out].map(([k, v]) => `${k}=${v}`), lock };
}

/** The fillfactor the options set (100 when absent). */
export function fillfactorOf(options: readonly string[] | undefined): number {
  const f = options?.find((o) => o.startsWith('fillfactor='));
  return f ? Number(f.slice('fillfactor='.length)) : 100;
}

/** A B-tree's storage parameters: leaf fillfactor (BTGetFillFactor, default 90) and deduplicate_items (default on). */
export function btreeOptionsOf(options: readonly string[] | undefined): { fillfactor: number; dedup: boolean } {
  const f = options?.find((o) => o.startsWith('fillfactor='));
  const d = options?.find((o) => o.startsWith('deduplicate_items='));
  return { fillfactor: f ? Number(f.slice('fillfactor='.length)) : 90, dedup: d ? BOOL_TEXT.get(d.slice('deduplicate_items='.length).toLowerCase()) !== false : true };
}
