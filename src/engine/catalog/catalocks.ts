/**
 * What reading a system catalog or system view locks. The parser and rewriter take an AccessShareLock on every
 * relation a query names — for a view, on the view and on every relation its query reads (AcquireRewriteLocks) —
 * and the planner on every index of each table it plans to scan (get_relation_info). So a learner's
 * `SELECT ... FROM pg_stat_user_tables` inside a transaction leaves a dozen catalog locks in pg_locks:
 *
 *     pg_stat_user_tables, pg_stat_all_tables (the view it is built on), pg_class, pg_index, pg_namespace,
 *     pg_class_oid_index, pg_class_relname_nsp_index, ... — AccessShareLock, fastpath t, until COMMIT
 *
 * Locks on shared catalogs (pg_database, pg_authid, pg_tablespace: the same table in every database, pg_locks'
 * database 0) never take the fast path (fastpath f). The lists below were read from PostgreSQL 15.18 (tests/
 * scenarios/locks/catalog-locks.spec records them), in the order the locks are taken: the fast-path ones as their
 * slots show it, then the shared ones in the order pg_locks lists them.
 *
 * Mirrors: src/backend/rewrite/rewriteHandler.c (AcquireRewriteLocks), optimizer/util/plancat.c
 * (get_relation_info's index_open). Simplifications: only the catalogs and views the simulator serves are listed.
 */

/** system relation → the relations reading it locks, in order */
export const CATALOG_READ_LOCKS: Readonly<Record<string, readonly number[]>> = {
  pg_class: [1259, 2662, 2663, 3455],
  pg_attribute: [1249, 2658, 2659],
  pg_constraint: [2606, 2579, 2664, 2665, 2666, 2667],
  pg_inherits: [2611, 2187, 2680],
  pg_database: [2672, 1262, 2671],
  pg_tables: [12033, 1259, 2615, 2662, 2663, 3455, 2684, 2685, 2698, 1213, 2697],
  pg_indexes: [12043, 2610, 1259, 2615, 2678, 2679, 2662, 2663, 3455, 2684, 2685, 2698, 1213, 2697],
  pg_settings: [12104],
  pg_stat_activity: [12222, 2672, 2676, 2677, 1260, 1262, 2671],
  pg_stat_user_tables: [12161, 12142, 1259, 2610, 2615, 2662, 2663, 3455, 2678, 2679, 2684, 2685],
  pg_stat_all_tables: [12142, 1259, 2610, 2615, 2662, 2663, 3455, 2678, 2679, 2684, 2685],
  pg_cursors: [12077],
  // pg_locks is a view over pg_lock_status(): only itself (its own lock shows in its rows)
  pg_locks: [12073],
};

/** the shared catalogs and their indexes among them (locked with database 0, never on the fast path) */
export const SHARED_CATALOGS: ReadonlySet<number> = new Set([1213, 1260, 1262, 2671, 2672, 2676, 2677, 2697, 2698]);

/** the names of the catalogs, indexes and views above (PostgreSQL 15.18's oids) */
export const CATALOG_LOCK_RELATIONS: Readonly<Record<string, number>> = {
  pg_locks: 12073,
  pg_tablespace: 1213, pg_attribute: 1249, pg_class: 1259, pg_authid: 1260, pg_database: 1262,
  pg_inherits_parent_index: 2187, pg_constraint_conparentid_index: 2579, pg_constraint: 2606, pg_index: 2610,
  pg_inherits: 2611, pg_namespace: 2615, pg_attribute_relid_attnam_index: 2658,
  pg_attribute_relid_attnum_index: 2659, pg_class_oid_index: 2662, pg_class_relname_nsp_index: 2663,
  pg_constraint_conname_nsp_index: 2664, pg_constraint_conrelid_contypid_conname_index: 2665,
  pg_constraint_contypid_index: 2666, pg_constraint_oid_index: 2667, pg_database_datname_index: 2671,
  pg_database_oid_index: 2672, pg_authid_rolname_index: 2676, pg_authid_oid_index: 2677,
  pg_index_indrelid_index: 2678, pg_index_indexrelid_index: 2679, pg_inherits_relid_seqno_index: 2680,
  pg_namespace_nspname_index: 2684, pg_namespace_oid_index: 2685, pg_tablespace_oid_index: 2697,
  pg_tablespace_spcname_index: 2698, pg_class_tblspc_relfilenode_index: 3455, pg_tables: 12033, pg_indexes: 12043,
  pg_cursors: 12077, pg_settings: 12104, pg_stat_all_tables: 12142, pg_stat_user_tables: 12161,
  pg_stat_activity: 12222,
};
