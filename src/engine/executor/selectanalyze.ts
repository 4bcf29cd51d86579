/**
 * Parse analysis of a SELECT's clauses, as PostgreSQL's parser does it before planning: the GROUP BY clause
 * (parse_clause.c transformGroupClause, with grouping sets read by groupclause.ts, and parse_agg.c's checks), the
 * select list (parse_target.c transformTargetList, ExpandColumnRefStar for `*` and `t.*`, PL/pgSQL's `rec.*`) and
 * DISTINCT ON (transformDistinctOnClause). select.ts calls them in PostgreSQL's order: GROUP BY first, because the
 * select list may name grouped columns only, then the targets in the scope the grouping leaves, then DISTINCT ON.
 *
 * Example: SELECT k % 3, count(*) FROM t GROUP BY k % 3 — analyzeGroupBy finds the expression `k % 3`, gives it a
 * hidden column after t's own (computed per input row after the scan), and compileTargetList then compiles the
 * select list's `k % 3` as a read of that grouped column; a bare `k` there fails with 42803.
 *
 * Simplified: expressions are compiled to closures straight from the parse tree (there is no separate Query tree);
 * the scopes carry what PostgreSQL keeps in the ParseState.
 */
import { PgError, notSupported, posOf } from '../errors.js';
import { compileExpr, castTo, type Compiled, type Scope, type Row, type AggSpec } from '../sql/expr.js';
import { T, groupKey } from '../sql/types.js';
import { intConst } from '../sql/parser.js';
import { compileSortKeys, type SortKey } from './nodeSort.js';
import { functionalGrouping } from '../optimizer/groupkeys.js';
import { hasGroupingShape, transformGroupClause } from './groupclause.js';
import { expandFieldStar } from '../sql/arrayexpr.js';
import type { Table } from '../catalog/catalog.js';
import type { Executor } from './executor.js';
import { N, type Source, expressionKey, containsAggregate, firstLocation } from './util.js';

/**
 * GROUP BY: its items (a column's index or an expression), the hidden columns of grouped expressions and of the
 * grouping set number, the grouped keys the planner keeps (functional dependencies on a primary key dropped), and
 * the scope aggregates and grouped columns are compiled in.
 */
export function analyzeGroupBy(ex: Executor, n: N, scope: Scope, table: Table | null) {
  const aggs: AggSpec[] = [];
  // Targets: detect aggregates by compiling in grouping mode first.
  const groupCols = new Set<number>();
  const groupExprNodes: N[] = [];
  /** the GROUP BY items in clause order: a column's index, or an expression (placed once its hidden column is known) */
  const groupItems: (number | N)[] = [];
  // GROUPING SETS / ROLLUP / CUBE / (): the grouping expressions once each, and the sets (executor/groupclause.ts)
  const groupKeyOf = (g: N) => {
    const it = ex.groupColumn(g, n.targetList, scope);
    const key = typeof it === 'number' ? `column ${it}` : expressionKey(it.expr, scope);
    return { key, item: { it, node: g, key } };
  };
  const gclause = hasGroupingShape(n.groupClause) ? transformGroupClause(n.groupClause as N[], !!n.groupDistinct, groupKeyOf) : null;
  const gsets = gclause?.sets ?? null;
  const hasGroup = gclause ? gclause.items.length > 0 : !!n.groupClause?.length;
  if (gclause) {
    for (const { it } of gclause.items) { if (typeof it === 'number') groupItems.push(it); else { groupExprNodes.push(it.expr); groupItems.push(it.expr); } }
  } else if (hasGroup) {
    for (const g of n.groupClause as N[]) {
      const it = ex.groupColumn(g, n.targetList, scope);
      if (typeof it === 'number') groupItems.push(it); else { groupExprNodes.push(it.expr); groupItems.push(it.expr); }
    }
  }
  // GROUP BY an expression: computed per input row into a hidden column after the scan's own
  let groupBase: Scope = scope;
  const groupExprs: Compiled[] = [];
  if (groupExprNodes.length) {
    const map = new Map<string, number>();
    for (const e of groupExprNodes) {
      if (containsAggregate(e)) throw new PgError('42803', 'aggregate functions are not allowed in GROUP BY', { position: posOf(firstLocation(e)) });
      const key = expressionKey(e, scope);
      if (map.has(key)) continue;
      map.set(key, scope.columns.length + groupExprs.length);
      groupExprs.push(compileExpr(e, scope));
    }
    groupBase = { ...scope, columns: [...scope.columns, ...groupExprs.map((c, k) => ({ name: `........pg.group.${k}........`, type: c.type, dropped: true }))],
      groupExprs: { key: (x) => expressionKey(x, scope), map } };
  }
  // the grouping columns in GROUP BY's order (a HashAggregate hashes them in that order)
  const itemCols = groupItems.map((it) => (typeof it === 'number' ? it : groupBase.groupExprs!.map.get(expressionKey(it, scope))!));
  for (const c of itemCols) groupCols.add(c);
  // grouping sets: a hidden column after the row's (and the GROUP BY expressions') holds each group's set number
  const gsetCol = gsets ? groupBase.columns.length : -1;
  if (gsets) groupBase = { ...groupBase, columns: [...groupBase.columns, { name: '........pg.gset........', type: T.int4, dropped: true }] };
  // a grouped primary key: its table's other columns may appear ungrouped, and the planner keys the groups without
  // them (optimizer/groupkeys.ts: check_functional_grouping, remove_useless_groupby_columns)
  // (with grouping sets: by the expressions every set has, parseCheckAggregates' gset_common; no key is dropped)
  const groupRels = scope.rels ?? (table ? [{ offset: 0, count: table.columns.length, table: table }] : []);
  const fgAll = hasGroup ? functionalGrouping(groupRels, gsets ? groupItems.filter((_, i) => gsets.every((set) => set.includes(i + 1))) : groupItems) : null;
  const fg = gsets && fgAll ? { ...fgAll, useless: new Set<number>() } : fgAll;
  const uselessGroup = new Set<number>(fg?.useless.size ? groupItems.flatMap((it, i) => (typeof it === 'number' && fg.useless.has(it) ? [i] : [])) : []);
  const keyItems = uselessGroup.size ? groupItems.filter((_, i) => !uselessGroup.has(i)) : groupItems;
  const keyCols = uselessGroup.size ? new Set([...groupCols].filter((c) => !fg!.useless.has(c))) : groupCols;
  const gsetCols = gsets?.map((set) => new Set(set.map((r) => itemCols[r - 1]!))) ?? [];
  const aggScope: Scope = { ...groupBase, aggs, groupCols: fg?.dependent.size ? new Set([...groupCols, ...fg.dependent]) : groupCols,
    ...(fg?.dependent.size ? { groupDependent: fg.dependent } : {}),
    groupingSets: { cols: groupCols, col: gsets ? gsetCol : null, sets: gsetCols } };
  return { aggs, groupCols, groupItems, groupExprs, groupBase, groupKeyOf, gclause, gsets, hasGroup, itemCols, gsetCol, uselessGroup,
    keyItems, keyCols, gsetCols, aggScope };
}

/** The select list compiled in scope `sc`: each target, its output name, and what it computes (expression keys). */
export function compileTargetList(n: N, sc: Scope, src: Source, keepUnknown: boolean) {
  const scope = src.scope;
  const targets: Compiled[] = [];
  const names: string[] = [];
  /** what each target computes, to tell "the same expression twice" from different ones (ORDER BY ambiguity) */
  const exprKeys: string[] = [];
  const keepUnknownHere = keepUnknown && !n.sortClause?.length && !n.distinctClause && !n.groupClause?.length;
  for (const t of (n.targetList ?? []) as N[]) {
    const rt = t.ResTarget;
    const cr = rt.val.ColumnRef;
    if (cr && cr.fields[cr.fields.length - 1].A_Star) {
      // PL/pgSQL's `rec.*` (NEW.*, OLD.*, a %ROWTYPE variable): one column per field
      const recName = cr.fields.length === 2 ? cr.fields[0].String?.sval as string | undefined : undefined;
      const fromItem = recName !== undefined
        && !!(src.scope.rels?.some((r) => r.name === recName) || src.scope.alias === recName || (src.table && src.scope.relName === recName));
      const fields = recName !== undefined ? sc.env.pl?.recordFields?.(recName, cr.location, fromItem) ?? null : null;
      if (fields) {
        for (const f of fields) {
          const v = sc.env.pl!.variable([recName!, f], sc, cr.location)!;
          targets.push(v); names.push(f); exprKeys.push(`record ${recName}.${f}`);
        }
        continue;
      }
      if (!src.table && src.scope.columns.length === 0) throw new PgError('42601', 'SELECT * with no tables specified is not valid', { position: posOf(cr.location) });
      if (src.scope.starRefused) throw notSupported(src.scope.starRefused, posOf(cr.location));
      // t.* in a join: only that relation's columns
      const qual = cr.fields.length === 2 ? cr.fields[0].String?.sval as string | undefined : undefined;
      const rel = qual !== undefined && src.scope.rels ? src.scope.rels.find((r) => r.name === qual) : undefined;
      if (qual !== undefined && src.scope.rels && !rel) throw new PgError('42P01', `missing FROM-clause entry for table "${qual}"`, { position: posOf(cr.location) });
      src.scope.columns.forEach((c, i) => {
        if (c.dropped || (c.hidden && !rel)) return; // a USING join's side column: only t.* shows it
        if (rel && (i < rel.offset || i >= rel.offset + rel.count)) return;
        if (sc.aggs && !sc.groupCols?.has(i)) {
          throw new PgError('42803', `column "${scope.alias ?? scope.relName}.${c.name}" must appear in the GROUP BY clause or be used in an aggregate function`, { position: posOf(cr.location) });
        }
        targets.push({ fn: (r) => r.vals[i]!, type: c.type, name: c.name, strength: 2 });
        names.push(c.name);
        exprKeys.push(`column ${i}`);
      });
      continue;
    }
    const ai = rt.val.A_Indirection;
    if (ai && ai.indirection[ai.indirection.length - 1].A_Star) {
      // (f(x)).*: one column per field of the row value
      expandFieldStar(ai, sc, compileExpr).forEach((c) => {
        targets.push(c); names.push(c.name);
        exprKeys.push(expressionKey({ A_Indirection: { ...ai, indirection: [...ai.indirection.slice(0, -1), { String: { sval: c.name } }] } }, scope));
      });
      continue;
    }
    const c = compileExpr(rt.val, sc);
    targets.push(c.type.name === 'unknown' && !keepUnknownHere ? castTo(c, T.text, false) : c);
    names.push(rt.name ?? c.name);
    exprKeys.push(expressionKey(rt.val, scope));
  }
  return { targets, names, exprKeys };
}

/**
 * DISTINCT ON (exprs): the first row of each set of rows equal on them, in ORDER BY's order (without ORDER BY,
 * sorted by them, as the Sort under PostgreSQL's Unique does). Appends the keys ORDER BY leaves out to sortKeys and
 * returns its expressions and the filter that keeps a set's first row (both null without DISTINCT ON).
 */
export function distinctOnClause(n: N, targets: Compiled[], names: string[], exprKeys: string[], exprScope: Scope, scope: Scope,
  sortKeys: SortKey[]): { distinctOn: N[] | null; onFirst: ((r: Row) => boolean) | null } {
  const distinctOn = n.distinctClause?.length && n.distinctClause[0] && Object.keys(n.distinctClause[0]).length ? n.distinctClause as N[] : null;
  let onFirst: ((r: Row) => boolean) | null = null;
  if (distinctOn) {
    const asSort = distinctOn.map((node) => ({ SortBy: { node, sortby_dir: 'SORTBY_DEFAULT', sortby_nulls: 'SORTBY_NULLS_DEFAULT' } }));
    const onKeys = compileSortKeys(asSort, targets, names, exprKeys, exprScope);
    const ident = (k: N): string => {
      const pos = k.A_Const?.ival !== undefined ? intConst(k.A_Const) ?? null : null;
      if (pos !== null && pos >= 1 && pos <= targets.length) return exprKeys[pos - 1]!;
      if (k.ColumnRef?.fields?.length === 1 && k.ColumnRef.fields[0].String) {
        const i = names.indexOf(k.ColumnRef.fields[0].String.sval);
        if (i >= 0) return exprKeys[i]!;
      }
      return expressionKey(k, scope);
    };
    // transformDistinctOnClause: an ORDER BY item that is a DISTINCT ON expression may not follow one that is not
    // (an ORDER BY item equal to an earlier one is not in the sort list at all: addTargetToSortList drops it)
    const onIds = distinctOn.map(ident);
    let skipped = false;
    const sorted = new Set<string>();
    for (const sb of (n.sortClause ?? []) as N[]) {
      const id = ident(sb.SortBy.node);
      if (sorted.has(id)) continue;
      sorted.add(id);
      const at = onIds.indexOf(id);
      if (at < 0) { skipped = true; continue; }
      if (skipped) throw new PgError('42P10', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', { position: posOf(firstLocation(distinctOn[at]!)) });
    }
    // the Sort under Unique: ORDER BY's keys, then the DISTINCT ON expressions ORDER BY leaves out
    const orderIds = ((n.sortClause ?? []) as N[]).map((sb) => ident(sb.SortBy.node));
    sortKeys.push(...onKeys.filter((_, i) => !orderIds.includes(onIds[i]!)));
    const seenOn = new Set<string>();
    onFirst = (r) => {
      const key = JSON.stringify(onKeys.map((k) => groupKey(k.fn(r))));
      if (seenOn.has(key)) return false;
      seenOn.add(key);
      return true;
    };
  }

  return { distinctOn, onFirst };
}
