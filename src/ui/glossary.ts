/**
 * The glossary: every heap page and tuple header field and flag the views show, in PostgreSQL's terms (the names
 * of src/include/storage/bufpage.h, itemid.h and access/htup_details.h). The Heap view uses the entries as
 * tooltips and lists them all under "Glossary".
 */
export const GLOSSARY: Record<string, string> = {
  xmin: 't_xmin: the transaction id that inserted this version. It is visible to a snapshot only if that transaction committed before the snapshot was taken (or it is the reader\'s own).',
  xmax: 't_xmax: the transaction that deleted or updated this version — or, with XMAX_LOCK_ONLY, only locked it. 0 (with XMAX_INVALID) means nobody did. With XMAX_IS_MULTI it is a MultiXact id: several lockers and at most one updater.',
  cid: 't_cid (cmin / cmax): the command number inside the inserting or deleting transaction, so a transaction\'s later statements see its earlier ones but a statement does not see its own changes.',
  combo: 'combo CID: when one transaction both inserted and deleted a version, cmin and cmax do not fit in t_cid together; t_cid then holds a combo command id that maps to the pair (in the backend\'s memory, HEAP_COMBOCID set).',
  ctid: 't_ctid: this version\'s own TID (block, line pointer) — or, once it is updated, the TID of the next version: the update chain that READ COMMITTED\'s EvalPlanQual and HOT follow.',
  lp: 'line pointer (ItemId): the slot in the page header that points at the tuple; indexes point at line pointers (TIDs), never at the tuple bytes.',
  LP_NORMAL: 'lp_flags = LP_NORMAL: the line pointer points at a tuple stored on the page.',
  LP_REDIRECT: 'lp_flags = LP_REDIRECT: pruning removed the root of a HOT chain but kept its line pointer, which now points at another line pointer of the chain, so index entries that lead here still find the live version.',
  LP_DEAD: 'lp_flags = LP_DEAD: the tuple is gone (pruned) but index entries may still point here; VACUUM removes those entries and then marks the pointer unused.',
  LP_UNUSED: 'lp_flags = LP_UNUSED: a free slot; the next insert on this page can reuse it.',
  XMIN_COMMITTED: 'hint bit HEAP_XMIN_COMMITTED: someone already checked the commit log and found t_xmin committed, so later readers need not look again. Set by readers, without WAL.',
  XMIN_INVALID: 'hint bit HEAP_XMIN_INVALID: t_xmin aborted (or the version is frozen-invalid): this version never existed for anyone.',
  XMAX_COMMITTED: 'hint bit HEAP_XMAX_COMMITTED: t_xmax is known committed — the version is deleted for every snapshot taken after that commit.',
  XMAX_INVALID: 'hint bit HEAP_XMAX_INVALID: t_xmax is not valid (0, or it aborted): nobody deleted or updated this version.',
  XMAX_IS_MULTI: 'HEAP_XMAX_IS_MULTI: t_xmax is a MultiXact id (pg_multixact), several transactions interested in the row.',
  XMAX_LOCK_ONLY: 'HEAP_XMAX_LOCK_ONLY: t_xmax only locked the row (SELECT … FOR UPDATE / SHARE, or an update\'s temporary lock); the version is not deleted.',
  XMAX_EXCL_LOCK: 'HEAP_XMAX_EXCL_LOCK: the lock in t_xmax is exclusive (FOR UPDATE / FOR NO KEY UPDATE).',
  XMAX_KEYSHR_LOCK: 'HEAP_XMAX_KEYSHR_LOCK: the lock in t_xmax is FOR KEY SHARE (both bits together: FOR SHARE).',
  KEYS_UPDATED: 'HEAP_KEYS_UPDATED (t_infomask2): the version was deleted, or updated with a change to a key column — FOR KEY SHARE lockers conflict with it.',
  UPDATED: 'HEAP_UPDATED: this version was made by an UPDATE (it is not the row\'s first version).',
  HOT_UPDATED: 'HEAP_HOT_UPDATED (t_infomask2): the next version is on the same page and got no new index entry (a heap-only tuple update): the chain is followed from here.',
  ONLY_TUPLE: 'HEAP_ONLY_TUPLE (t_infomask2): a heap-only tuple — no index entry points at it; it is reached through the HOT chain from the root line pointer.',
  COMBOCID: 'HEAP_COMBOCID: t_cid holds a combo command id (see combo CID).',
  HASNULL: 'HEAP_HASNULL: the tuple has a null bitmap (some column is NULL).',
  HASVARWIDTH: 'HEAP_HASVARWIDTH: the tuple has variable-width columns.',
  pd_lsn: 'pd_lsn: the LSN of the last WAL record that changed this page. The page may be written to disk only after WAL up to it is flushed (the WAL rule); REDO applies a record only if the page\'s pd_lsn is older.',
  pd_prune_xid: 'pd_prune_xid: the oldest xmax on the page that might make something prunable; a reader prunes the page on access once that transaction is older than every snapshot (and the page is nearly full). 0: nothing to prune.',
  pd_lower: 'pd_lower: where the line pointer array ends (it grows down the page from the header).',
  pd_upper: 'pd_upper: where the tuple data starts (tuples are added from the end of the page towards the front); pd_upper − pd_lower is the free space.',
  'dead to everyone': 'dead to everyone: the deleting transaction committed before the oldest snapshot still running (the removable horizon), so no session can ever see this version again — pruning or VACUUM may remove it.',
  'invisible to this session': 'invisible to this session: this session\'s snapshot cannot see the version (not yet committed for it, or deleted before it), but another snapshot still might: it must stay.',
};

/** The tooltip for a flag or field name, if it has one. */
export const explain = (name: string): string | undefined => GLOSSARY[name];
