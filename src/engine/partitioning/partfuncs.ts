/**
 * The SQL functions that describe a partition tree: pg_partition_tree(regclass) — one row per table of the tree under
 * the relation named (itself included): relid, parentrelid, isleaf, level (0 for the relation named).
 *
 *     CREATE TABLE p (a int) PARTITION BY LIST (a);
 *     CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);
 *     SELECT * FROM pg_partition_tree('p');     -- p | (null) | f | 0,  p1 | p | t | 1
 *     SELECT * FROM pg_partition_tree('p1');    -- p1 | p | t | 0      (its parent is still named)
 *
 * A relation that is neither partitioned nor a partition gives no rows. The tree is find_all_inheritors' list: the
 * relation, then each level's children in OID order — without a partition pending a concurrent detach that the
 * active snapshot no longer sees (executor/execPartition.ts); such a partition named itself shows no parent.
 *
 * Mirrors: src/backend/utils/adt/partitionfuncs.c (pg_partition_tree, check_rel_can_be_partition).
 * Simplifications: the tables are not locked (find_all_inheritors takes AccessShareLock on each); a partitioned
 * index's tree is not modelled (0A000).
 */
import { register, type FuncDef } from '../sql/funcs/registry.js';
import { T, RegClass, type Value } from '../sql/types.js';
import { relationArg, host } from '../contrib/host.js';
import { notSupported } from '../errors.js';
import type { Table } from '../catalog/catalog.js';
import { omittedAsDetached, parentOf, partitionsOf } from '../executor/execPartition.js';

const defs: FuncDef[] = [
  {
    name: 'pg_partition_tree', args: ['regclass'], ret: T.text, volatility: 'stable',
    table: {
      set: true, columns: [['relid', T.regclass], ['parentrelid', T.regclass], ['isleaf', T.bool], ['level', T.int4]],
      rows: ([r], c) => {
        const { eng } = host(c);
        const cat = eng.catalog;
        const rel = relationArg(c, r!);
        if (rel.index) throw notSupported('pg_partition_tree of a partitioned index');
        const root = rel.table;
        if (!root.partKey && !root.partOf) return [];
        const tree: { t: Table; level: number }[] = [{ t: root, level: 0 }];
        for (let i = 0; i < tree.length; i++) {
          const { t, level } = tree[i]!;
          if (!t.partKey) continue;
          for (const ch of partitionsOf(cat, t).sort((a, b) => a.oid - b.oid)) tree.push({ t: ch, level: level + 1 });
        }
        return tree.map(({ t, level }): Value[] => {
          const parent = t.partOf && !omittedAsDetached(cat, t) ? parentOf(cat, t) : undefined;
          return [new RegClass(t.oid, t.name), parent ? new RegClass(parent.oid, parent.name) : null, !t.partKey, level];
        });
      },
    },
  },
];
register(defs);
