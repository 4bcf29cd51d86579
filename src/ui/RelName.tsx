/** A relation by its name, its OID on hover (WAL records and pg_locks carry OIDs, as in PostgreSQL). */
import type { EngineState } from '../shared/api';

const cache = new WeakMap<EngineState, Map<number, string>>();
export function relNames(st: EngineState): Map<number, string> {
  let m = cache.get(st);
  if (!m) { m = new Map(st.relNames ?? []); cache.set(st, m); }
  return m;
}

export function RelName({ oid, names }: { oid: number; names: Map<number, string> }) {
  const name = names.get(oid);
  return <span className="relname" title={`OID ${oid}${name ? '' : ' (no relation of that OID now)'}`} data-oid={oid}>{name ?? oid}</span>;
}
