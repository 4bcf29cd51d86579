/**
 * The functions each modelled extension's install script creates in PostgreSQL 15 (read from Debian's
 * /usr/share/postgresql/15/extension/<name>--*.sql). Once CREATE EXTENSION has run, a function of these the engine
 * does not model is refused with 0A000 naming it and its extension — not 42883 "does not exist", which would
 * tell a learner that PostgreSQL has no such function. Before CREATE EXTENSION they do not exist (42883), as there.
 */
const EXTENSION_FUNCTIONS: Readonly<Record<string, string>> = {
  pageinspect: 'brin_metapage_info brin_page_items brin_page_type brin_revmap_data bt_metap bt_page_items bt_page_stats fsm_page_contents get_raw_page '
    + 'gin_leafpage_items gin_metapage_info gin_page_opaque_info gist_page_items gist_page_items_bytea gist_page_opaque_info hash_bitmap_info '
    + 'hash_metapage_info hash_page_items hash_page_stats hash_page_type heap_page_item_attrs heap_page_items heap_tuple_infomask_flags page_checksum '
    + 'page_header tuple_data_split',
  pgrowlocks: 'pgrowlocks',
  pgstattuple: 'pg_relpages pgstatginindex pgstathashindex pgstatindex pgstattuple pgstattuple_approx',
  pg_visibility: 'pg_check_frozen pg_check_visible pg_truncate_visibility_map pg_visibility pg_visibility_map pg_visibility_map_summary',
  pg_freespacemap: 'pg_freespace',
  pg_walinspect: 'pg_get_wal_record_info pg_get_wal_records_info pg_get_wal_records_info_till_end_of_wal pg_get_wal_stats pg_get_wal_stats_till_end_of_wal',
  pg_buffercache: 'pg_buffercache_pages',
};
const BY_NAME = new Map(Object.entries(EXTENSION_FUNCTIONS).flatMap(([ext, names]) => names.split(' ').map((n) => [n, ext] as const)));

/** The extension whose install script creates a function of this name, if any. */
export function extensionOfFunction(name: string): string | undefined { return BY_NAME.get(name); }
