/**
 * pg_buffercache_pages(), the function under the pg_buffercache view, exists once its extension is created but is
 * refused with 0A000: its rows start with buffer ids, which the engine does not have. The view itself is modelled
 * (pg_buffercache.ts), its bufferid and usagecount columns refusing when read. pg_walinspect: pg_walinspect.ts.
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
