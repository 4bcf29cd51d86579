/**
 * CREATE EXTENSION / DROP EXTENSION: the inspection modules PostgreSQL ships in contrib.
 *
 * An extension is a set of SQL objects (functions, views, types) created by a script; until CREATE EXTENSION runs
 * in a database its functions do not exist there (42883). Heapscope models the seven a learner uses to look inside:
 * pageinspect, pgstattuple, pgrowlocks, pg_visibility, pg_freespacemap, pg_walinspect, pg_buffercache (their functions live in
 * src/engine/contrib/; pg_walinspect's functions and pg_buffercache's view are created but refuse with 0A000,
 * contrib/unmodelled.ts). Creating one writes catalog rows, so it takes a transaction id, and consumes as many OIDs as
 * PostgreSQL 15's script does (measured), so relations created afterwards get the OIDs they would get there.
 * Another extension PostgreSQL 15 ships is refused with 0A000 (not modelled); a name it does not ship gets
 * PostgreSQL's "is not available" error.
 *
 * Mirrors: src/backend/commands/extension.c (CreateExtension, RemoveExtensionById). Simplifications: no versions
 * (each is created at its default version), no SCHEMA / CASCADE options, DROP EXTENSION drops the functions
 * without dependency checks (nothing in the simulator can depend on them).
 */
import type { Executor } from '../executor/executor.js';
import type { Session, QueryResult } from '../session/session.js';
import { PgError, notSupported } from '../errors.js';
import type { N } from '../executor/util.js';

/**
 * The modelled extensions: default version, the OIDs PostgreSQL 15's install script consumes, and the command ids
 * its statements use up in the transaction (CREATE, DROP) — all measured, so the cmin of a row inserted later in
 * the same transaction is PostgreSQL's.
 */
export const MODELLED_EXTENSIONS: ReadonlyMap<string, { version: string; oids: number; cids: number; dropCids: number }> = new Map([
  ['pageinspect', { version: '1.11', oids: 43, cids: 73, dropCids: 31 }],
  ['pgstattuple', { version: '1.5', oids: 10, cids: 37, dropCids: 10 }],
  ['pgrowlocks', { version: '1.2', oids: 2, cids: 2, dropCids: 2 }],
  ['pg_visibility', { version: '1.2', oids: 9, cids: 25, dropCids: 9 }],
  ['pg_freespacemap', { version: '1.2', oids: 3, cids: 8, dropCids: 3 }],
  ['pg_walinspect', { version: '1.0', oids: 6, cids: 16, dropCids: 6 }],
  ['pg_buffercache', { version: '1.3', oids: 6, cids: 9, dropCids: 6 }],
]);

/** The other extensions Debian's postgresql-15 ships (/usr/share/postgresql/15/extension/*.control). */
const SHIPPED = new Set(('adminpack amcheck autoinc bloom btree_gin btree_gist citext cube dblink dict_int dict_xsyn earthdistance file_fdw '
  + 'fuzzystrmatch hstore insert_username intagg intarray isn lo ltree moddatetime old_snapshot pg_prewarm pg_stat_statements pg_surgery '
  + 'pg_trgm pgcrypto plpgsql postgres_fdw refint seg sslinfo tablefunc tcn tsm_system_rows tsm_system_time unaccent uuid-ossp xml2').split(' '));

export function createExtension(ex: Executor, s: Session, n: N): QueryResult {
  const name = String(n.extname);
  const done: QueryResult = { command: 'CREATE EXTENSION', columns: null, rows: [] };
  if ((n.options ?? []).length) throw notSupported('CREATE EXTENSION options (SCHEMA, VERSION, CASCADE)');
  const cat = ex.eng.catalog;
  if (cat.extensions.has(name)) {
    if (n.if_not_exists) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '42710', message: `extension "${name}" already exists, skipping` }); return done; }
    throw new PgError('42710', `extension "${name}" already exists`);
  }
  const model = MODELLED_EXTENSIONS.get(name);
  if (!model) {
    if (SHIPPED.has(name)) throw notSupported(`the extension ${name} (Heapscope models ${[...MODELLED_EXTENSIONS.keys()].join(', ')})`);
    throw new PgError('0A000', `extension "${name}" is not available`, {
      detail: `Could not open extension control file "/usr/share/postgresql/15/extension/${name}.control": No such file or directory.`,
      hint: 'The extension must first be installed on the system where PostgreSQL is running.',
    });
  }
  ex.checkReadOnly(s, 'CREATE EXTENSION');
  ex.eng.ensureTopXid(s);
  const oid = cat.allocOid();
  for (let i = 1; i < model.oids; i++) cat.allocOid();
  cat.extensions.set(name, { oid, version: model.version });
  s.tx!.undo.push(() => cat.extensions.delete(name));
  s.tx!.curcid += model.cids - 1; // the script's statements, each followed by CommandCounterIncrement
  s.tx!.cidUsed = true;
  return done;
}

/** DROP EXTENSION name [, ...] [IF EXISTS]. */
export function dropExtension(ex: Executor, s: Session, n: N): QueryResult {
  const cat = ex.eng.catalog;
  const names = ((n.objects ?? []) as N[]).map((o) => String(o.String?.sval ?? o));
  for (const name of names) {
    if (cat.extensions.has(name)) continue;
    if (n.missing_ok) { s.acc.notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `extension "${name}" does not exist, skipping` }); continue; }
    throw new PgError('42704', `extension "${name}" does not exist`);
  }
  ex.checkReadOnly(s, 'DROP EXTENSION');
  for (const name of names) {
    const e = cat.extensions.get(name);
    if (!e) continue;
    ex.eng.ensureTopXid(s);
    cat.extensions.delete(name);
    s.tx!.undo.push(() => cat.extensions.set(name, e));
    s.tx!.curcid += MODELLED_EXTENSIONS.get(name)!.dropCids - 1;
    s.tx!.cidUsed = true;
  }
  return { command: 'DROP EXTENSION', columns: null, rows: [] };
}
