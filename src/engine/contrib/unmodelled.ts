/**
 * pg_buffercache's function exists once its extension is created, but its rows are not modelled yet (buffer ids and
 * usage counts have no counterpart in the engine): calling it is a clear 0A000 that points at the Durability view
 * (buffers vs disk). pg_walinspect is modelled in pg_walinspect.ts.
 *
 * Mirrors: contrib/pg_buffercache/pg_buffercache_pages.c (by name only).
 */
import { notSupported } from '../errors.js';
import { register, type FuncDef } from '../sql/funcs/registry.js';
import { T } from '../sql/types.js';

const refuse = (name: string, instead: string): FuncDef['build'] => (_a, c) => { throw notSupported(`${name}() (the ${instead} shows it)`, c.pos); };
const defs: FuncDef[] = [
  { name: 'pg_buffercache_pages', args: [], ret: T.text, extension: 'pg_buffercache', build: refuse('pg_buffercache_pages', 'Durability view') },
];
register(defs);
