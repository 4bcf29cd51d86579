/**
 * Random single-session queries for the query fuzzer (scripts/fuzz-query.ts): a few small tables with NULLs,
 * duplicates, sometimes indexes and ANALYZE, then SELECTs built from what a learner writes — joins (inner, LEFT,
 * comma joins), WHERE trees (comparisons, IS NULL, IN, BETWEEN, LIKE, EXISTS / IN subqueries), GROUP BY with
 * aggregates (string_agg, bool_and, FILTER) and HAVING, DISTINCT and DISTINCT ON, UNION / INTERSECT / EXCEPT,
 * subqueries in FROM, CASE / COALESCE / arithmetic, string and integer functions, window functions (also
 * order-dependent ones and frames, over a total order), ORDER BY output positions and LIMIT / OFFSET over a total
 * order — and the odd UPDATE / DELETE between them.
 *
 * What the engine plans differently from PostgreSQL (join order, scan choice) may change the row order of a query
 * without ORDER BY, never its rows: the comparison (fuzz-query.ts) treats such a result as a multiset, and checks
 * the order only where ORDER BY fixes it.
 */
import { Rng } from './prng.js';

export interface QTable { name: string; cols: { name: string; type: 'int' | 'text' }[] }
export interface QueryCase { setup: string[]; queries: string[]; tables: string[] }

const WORDS = ['a', 'ab', 'b', 'ba', 'c', 'abc', 'x', ''];

function value(r: Rng, type: 'int' | 'text'): string {
  if (r.chance(0.15)) return 'NULL';
  return type === 'int' ? String(r.int(-2, 6)) : `'${r.pick(WORDS)}'`;
}

export function genCase(r: Rng): QueryCase {
  const n = r.int(1, 3);
  const tables: QTable[] = [];
  const setup: string[] = [];
  let large = false;
  for (let i = 1; i <= n; i++) {
    const name = `t${i}`;
    const cols: QTable['cols'] = [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }, { name: 'c', type: 'text' }];
    tables.push({ name, cols });
    const pk = r.chance(0.3);
    setup.push(`CREATE TABLE ${name}(a int${pk ? ' PRIMARY KEY' : ''}, b int, c text)`);
    if (!pk && !large && r.chance(0.25)) {
      large = true; // one per case: a cross join of two or three of them would be millions of rows
      // a larger table, so that the planner picks hash / merge joins and bitmap scans
      const R = r.int(40, 400), k = r.int(2, 30), m = r.int(2, 40);
      setup.push(`INSERT INTO ${name} SELECT CASE WHEN g % 17 = 0 THEN NULL ELSE g % ${k} END, (g * 7) % ${m}, chr(97 + g % 5) FROM generate_series(1, ${R}) g`);
      if (r.chance(0.5)) setup.push(`CREATE INDEX ON ${name} (${r.pick(['a', 'b', 'a, b'])})`);
      if (r.chance(0.6)) setup.push(`ANALYZE ${name}`);
      continue;
    }
    const rows = r.int(0, pk ? 8 : 14);
    const vals: string[] = [];
    const used = new Set<number>();
    for (let k = 0; k < rows; k++) {
      let a = value(r, 'int');
      if (pk) { // distinct, not null keys
        let v = r.int(-2, 12);
        while (used.has(v)) v++;
        used.add(v);
        a = String(v);
      }
      vals.push(`(${a}, ${value(r, 'int')}, ${value(r, 'text')})`);
    }
    if (vals.length) setup.push(`INSERT INTO ${name} VALUES ${vals.join(', ')}`);
    if (r.chance(0.35)) setup.push(`CREATE INDEX ON ${name} (${r.pick(['a', 'b', 'b, a', 'c'])})`);
    if (r.chance(0.4)) setup.push(`ANALYZE ${name}`);
  }
  const queries: string[] = [];
  const nq = r.int(4, 8);
  for (let q = 0; q < nq; q++) {
    if (r.chance(0.08)) queries.push(modify(r, tables));
    else queries.push(select(r, tables, 0).sql);
  }
  return { setup, queries, tables: tables.map((t) => t.name) };
}

interface Rel { alias: string; table: QTable }
interface Sel { sql: string; arity: number; types: ('int' | 'text')[] }

const cmpOps = ['=', '<>', '<', '<=', '>', '>='] as const;

function col(r: Rng, rels: Rel[], type?: 'int' | 'text'): { sql: string; type: 'int' | 'text' } {
  const rel = r.pick(rels);
  const cs = rel.table.cols.filter((c) => !type || c.type === type);
  const c = cs.length ? r.pick(cs) : rel.table.cols[0]!;
  return { sql: `${rel.alias}.${c.name}`, type: c.type };
}

function intExpr(r: Rng, rels: Rel[], depth = 0): string {
  const k = r.weighted<string>([['col', 6], ['const', 2], ['arith', depth < 2 ? 2 : 0], ['coalesce', 1], ['case', depth < 1 ? 1 : 0],
    ['div', depth < 2 ? 1 : 0], ['len', 1], ['greatest', 1], ['abs', 1], ['intfn', 1]]);
  switch (k) {
    case 'intfn': {
      const i = col(r, rels, 'int').sql, c = col(r, rels, 'text').sql;
      return r.pick([`mod(${i}, ${r.pick(['2', '3', '-2'])})`, `position('${r.pick(['a', 'b', ''])}' in ${c})`, `strpos(${c}, 'b')`, `sign(${i})`,
        `(${i} << 1)`, `(${i} & 3)`, `char_length(${c})`, `octet_length(${c})`, `ascii(${c})`, `width_bucket(${i}, 0, 6, 3)`, `gcd(${i}, 4)`]);
    }
    case 'div': return `(${intExpr(r, rels, depth + 1)} ${r.pick(['/', '%'])} ${r.pick(['2', '3', '-2', col(r, rels, 'int').sql])})`;
    case 'len': return `length(${col(r, rels, 'text').sql})`;
    case 'greatest': return `${r.pick(['greatest', 'least'])}(${col(r, rels, 'int').sql}, ${r.int(0, 4)})`;
    case 'abs': return `abs(${col(r, rels, 'int').sql})`;
    case 'col': return col(r, rels, 'int').sql;
    case 'const': return String(r.int(-1, 5));
    case 'arith': return `(${intExpr(r, rels, depth + 1)} ${r.pick(['+', '-', '*'])} ${intExpr(r, rels, depth + 1)})`;
    case 'coalesce': return `coalesce(${col(r, rels, 'int').sql}, ${r.int(0, 3)})`;
    default: return `CASE WHEN ${pred(r, rels, 2)} THEN ${intExpr(r, rels, 2)} ELSE ${intExpr(r, rels, 2)} END`;
  }
}

/** string functions a learner reaches for (varlena.c, oracle_compat.c); all immutable on text */
function textExpr(r: Rng, rels: Rel[]): string {
  const c = col(r, rels, 'text').sql, i = col(r, rels, 'int').sql;
  switch (r.int(0, 19)) {
    case 0: return `substr(${c}, ${r.int(0, 2)}, ${r.int(0, 3)})`;
    case 1: return `lpad(${c}, ${r.int(0, 4)}, '*')`;
    case 2: return `rpad(${c}, ${r.int(0, 4)}${r.chance(0.5) ? ", '-'" : ''})`;
    case 3: return `replace(${c}, '${r.pick(['a', 'b', ''])}', 'x')`;
    case 4: return `split_part(${c} || ',q', ',', ${r.pick(['1', '2', '3', '-1'])})`;
    case 5: return `concat(${c}, ${i})`;
    case 6: return `concat_ws('-', ${c}, ${i}, ${c})`;
    case 7: return `repeat(${c}, ${r.int(0, 2)})`;
    case 8: return `reverse(${c})`;
    case 9: return `initcap(${c})`;
    case 10: return `${r.pick(['left', 'right'])}(${c}, ${r.int(-2, 2)})`;
    case 11: return `btrim(' ' || ${c} || ' ')`;
    case 12: return `${c} || ${i}::text`;
    case 13: return `format('%s-%s', ${c}, ${i})`;
    case 14: return `nullif(${c}, '${r.pick(WORDS)}')`;
    case 15: return `translate(${c}, 'ab', 'x')`;
    case 16: return `overlay(${c} placing 'Z' from ${r.int(1, 2)} for ${r.int(0, 1)})`;
    case 17: return `md5(${c})`;
    case 18: return `to_hex(${i})`;
    default: return `${i}::text`;
  }
}

/** an ORDER BY over every column of every relation: window functions whose value depends on the order of peers */
const totalOrder = (rels: Rel[]) => rels.flatMap((x) => x.table.cols.map((c) => `${x.alias}.${c.name}`)).join(', ');

function pred(r: Rng, rels: Rel[], depth: number, sub?: QTable[]): string {
  const k = r.weighted<string>([
    ['cmp', 6], ['cmpcol', 3], ['null', 2], ['in', 2], ['between', 1], ['like', 1], ['text', 1],
    ['distinct', 1], ['anyall', depth < 1 && sub ? 1 : 0], ['textfn', 1], ['pattern', 1], ['arrayany', 1],
    ['and', depth < 2 ? 3 : 0], ['or', depth < 2 ? 2 : 0], ['not', depth < 2 ? 1 : 0], ['sub', depth < 1 && sub ? 2 : 0],
  ]);
  switch (k) {
    case 'cmp': return `${intExpr(r, rels, 1)} ${r.pick(cmpOps)} ${r.int(-1, 5)}`;
    case 'cmpcol': return `${col(r, rels, 'int').sql} ${r.pick(cmpOps)} ${col(r, rels, 'int').sql}`;
    case 'null': return `${col(r, rels).sql} IS ${r.chance(0.5) ? 'NOT ' : ''}NULL`;
    case 'in': return `${col(r, rels, 'int').sql} ${r.chance(0.3) ? 'NOT ' : ''}IN (${[r.int(-1, 5), r.int(-1, 5), r.chance(0.2) ? 'NULL' : r.int(0, 5)].join(', ')})`;
    case 'between': return `${col(r, rels, 'int').sql} BETWEEN ${r.int(-1, 2)} AND ${r.int(2, 5)}`;
    case 'like': return `${col(r, rels, 'text').sql} LIKE '${r.pick(['a%', '%b', '_', '%'])}'`;
    case 'text': return `${col(r, rels, 'text').sql} ${r.pick(cmpOps)} '${r.pick(WORDS)}'`;
    case 'distinct': return `${col(r, rels, 'int').sql} IS ${r.chance(0.5) ? 'NOT ' : ''}DISTINCT FROM ${r.chance(0.3) ? 'NULL' : r.int(0, 4)}`;
    case 'textfn': return `${r.pick(['upper', 'lower'])}(${col(r, rels, 'text').sql}) ${r.pick(['=', '<>', '<'])} '${r.pick(['A', 'ab', 'B'])}'`;
    case 'pattern': return `${col(r, rels, 'text').sql} ${r.pick(['ILIKE', 'NOT LIKE', '~', '~*', '!~'])} '${r.pick(['A%', '^a', 'b$', '_b%', '[ab]c', 'a|x'])}'`;
    case 'arrayany': return `${col(r, rels, 'int').sql} ${r.pick(['= ANY', '<> ALL', '> ANY', '<= ALL'])} (ARRAY[${r.int(-1, 3)}, ${r.int(0, 5)}${r.chance(0.3) ? ', NULL' : ''}])`;
    case 'anyall': {
      const t = r.pick(sub!);
      return `${col(r, rels, 'int').sql} ${r.pick(cmpOps)} ${r.pick(['ANY', 'ALL'])} (SELECT q.${r.pick(['a', 'b'])} FROM ${t.name} q WHERE q.b ${r.pick(cmpOps)} ${r.int(0, 4)})`;
    }
    case 'and': return `(${pred(r, rels, depth + 1, sub)} AND ${pred(r, rels, depth + 1, sub)})`;
    case 'or': return `(${pred(r, rels, depth + 1, sub)} OR ${pred(r, rels, depth + 1, sub)})`;
    case 'not': return `NOT (${pred(r, rels, depth + 1, sub)})`;
    default: {
      const t = r.pick(sub!);
      const alias = `s${depth}${r.int(0, 9)}`;
      const inner: Rel[] = [{ alias, table: t }];
      const corr = r.chance(0.5) ? ` AND ${alias}.a = ${col(r, rels, 'int').sql}` : '';
      if (r.chance(0.5)) return `${r.chance(0.3) ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${t.name} ${alias} WHERE ${pred(r, inner, 2)}${corr})`;
      return `${col(r, rels, 'int').sql} ${r.chance(0.3) ? 'NOT ' : ''}IN (SELECT ${alias}.${r.pick(['a', 'b'])} FROM ${t.name} ${alias} WHERE ${pred(r, inner, 2)}${corr})`;
    }
  }
}

function fromClause(r: Rng, tables: QTable[]): { sql: string; rels: Rel[] } {
  const k = r.int(1, Math.min(3, tables.length + (r.chance(0.3) ? 1 : 0)));
  const rels: Rel[] = [];
  let sql = '';
  for (let i = 0; i < k; i++) {
    const t = r.pick(tables);
    const rel = { alias: `r${i}`, table: t };
    if (i === 0) sql = `${t.name} r0`;
    else if (i === k - 1 && r.chance(0.06)) {
      // a LATERAL subquery reading the item before it (its columns b and c, like a table's)
      const prev = rels[rels.length - 1]!;
      sql += `, LATERAL (SELECT q.b, q.c FROM ${t.name} q WHERE q.a ${r.pick(['=', '<', '>='])} ${prev.alias}.${r.pick(['a', 'b'])} ORDER BY q.b, q.c LIMIT ${r.int(1, 2)}) ${rel.alias}`;
      rels.push({ alias: rel.alias, table: { name: 'lateral', cols: [{ name: 'b', type: 'int' }, { name: 'c', type: 'text' }] } });
      continue;
    } else {
      const how = r.weighted<string>([['JOIN', 4], ['LEFT JOIN', 3], [',', 2], ['RIGHT JOIN', 1], ['FULL JOIN', 1]]);
      if (how === ',') sql += `, ${t.name} ${rel.alias}`;
      else {
        const on = `${rel.alias}.${r.pick(['a', 'b'])} = ${col(r, rels, 'int').sql}${r.chance(0.25) ? ` AND ${pred(r, [rel], 2)}` : ''}`;
        sql += ` ${how} ${t.name} ${rel.alias} ON ${on}`;
      }
    }
    rels.push(rel);
  }
  return { sql, rels };
}

export function select(r: Rng, tables: QTable[], depth: number): Sel {
  const { sql: from, rels } = fromClause(r, tables);
  const where = r.chance(0.7) ? ` WHERE ${pred(r, rels, 0, tables)}` : '';
  const items: { sql: string; type: 'int' | 'text' }[] = [];
  let group = '';
  let having = '';
  const grouped = r.chance(0.35);
  if (grouped) {
    const keys: { sql: string; type: 'int' | 'text' }[] = [];
    for (let i = r.int(0, 2); i > 0; i--) {
      // a GROUP BY expression now and then: a CASE, a modulo, a string function of a column
      if (r.chance(0.2)) {
        const x = col(r, rels, 'int').sql, c = col(r, rels, 'text').sql;
        keys.push(r.pick([{ sql: `(${x} % 3)`, type: 'int' as const }, { sql: `CASE WHEN ${x} > 2 THEN 'big' ELSE 'small' END`, type: 'text' as const },
          { sql: `upper(${c})`, type: 'text' as const }, { sql: `coalesce(${x}, -1)`, type: 'int' as const }]));
      } else keys.push(col(r, rels));
    }
    items.push(...keys);
    for (let i = r.int(1, 2); i > 0; i--) {
      if (r.chance(0.25)) {
        const c = col(r, rels, 'text').sql, x = col(r, rels, 'int').sql;
        const pick = r.pick([[`string_agg(${c}, ',' ORDER BY ${c})`, 'text'], [`bool_and(${x} > ${r.int(0, 3)})`, 'text'], [`bool_or(${x} < 1)`, 'text'],
          [`count(*) FILTER (WHERE ${x} > ${r.int(0, 3)})`, 'int'], [`max(${c})`, 'text'], [`sum(${x}) FILTER (WHERE ${c} <> 'a')`, 'int'],
          [`string_agg(DISTINCT ${c}, '' ORDER BY ${c})`, 'text'], [`stddev_samp(${x})::numeric(10,4)`, 'text'], [`count(DISTINCT ${c})`, 'int'],
          [`array_agg(${x} ORDER BY ${x})`, 'text'], [`sum(${x}::numeric) / 3`, 'text'], [`avg(${x})::numeric(8,2)`, 'text']] as const);
        items.push({ sql: pick[0], type: pick[1] });
        continue;
      }
      const agg = r.pick(['count(*)', 'count(X)', 'sum(X)', 'min(X)', 'max(X)', 'avg(X)', 'count(DISTINCT X)']);
      items.push({ sql: agg.replace('X', col(r, rels, 'int').sql), type: agg.startsWith('avg') ? 'text' : 'int' });
    }
    if (keys.length) group = ` GROUP BY ${keys.map((x) => x.sql).join(', ')}`;
    if (r.chance(0.3)) having = ` HAVING count(*) ${r.pick(['>', '>=', '='])} ${r.int(1, 2)}`;
  } else {
    for (let i = r.int(1, 3); i > 0; i--) {
      const k = r.weighted<string>([['col', 10], ['expr', 4], ['window', 2], ['scalar', 1], ['text', 1], ['textfn', 2], ['window2', 1], ['num', 2],
        ['date', 1], ['array', 1], ['misc', 2]]);
      if (k === 'col') items.push(col(r, rels));
      else if (k === 'num') {
        // numeric and float arithmetic and their output (numeric scale, float8's shortest round-trip digits)
        const i = col(r, rels, 'int').sql;
        items.push({ sql: r.pick([`${i}::numeric / 3`, `round(${i}::numeric / 7, 3)`, `${i} / 3.0`, `${i}::float8 / 3`, `(${i} * 1.5)::numeric(6,1)`,
          `power(${i}, 2)`, `sqrt(abs(${i}))`, `trunc(${i} / 4.0, 1)`, `${i}::numeric % 2.5`, `avg(${i}) OVER ()`, `${i}::real / 7`]), type: 'text' });
      } else if (k === 'date') {
        const i = col(r, rels, 'int').sql;
        items.push({ sql: r.pick([`date '2024-02-27' + ${i}`, `extract(dow from date '2024-01-01' + ${i})`, `(timestamp '2024-01-31 10:00' + ${i} * interval '1 day')::date`,
          `date_trunc('month', timestamp '2024-03-15 12:34' + ${i} * interval '11 days')`, `interval '1 hour' * ${i}`, `age(date '2024-03-01', date '2024-01-01' + ${i})`]), type: 'text' });
      } else if (k === 'array') {
        const i = col(r, rels, 'int').sql, c = col(r, rels, 'text').sql;
        items.push({ sql: r.pick([`ARRAY[${i}, 1]`, `string_to_array(${c}, 'a')`, `array_length(ARRAY[${i}, ${i}], 1)`, `(ARRAY[10, 20, 30])[${i}]`,
          `array_to_string(ARRAY[${c}, 'q', ${c}], '-', '*')`, `cardinality(string_to_array(${c}, ''))`]), type: 'text' });
      } else if (k === 'textfn') items.push({ sql: textExpr(r, rels), type: 'text' });
      else if (k === 'misc') {
        const i = col(r, rels, 'int').sql, c = col(r, rels, 'text').sql;
        items.push({ sql: r.pick([`${i} * 1000000000`, `(${i} + 2147483000) * 2`, `'1' || ${c} || NULL`, `nullif(${i}, 0)::text || ${c}`,
          `${i}::text::int + 1`, `(${i} > 1) IS TRUE`, `${c} IS DISTINCT FROM 'a'`, `${i} BETWEEN SYMMETRIC 3 AND 1`,
          `CASE ${i} WHEN 1 THEN 'one' WHEN 2 THEN 'two' END`, `${c} < ALL (SELECT q.c FROM ${tables[0]!.name} q WHERE q.a > 2)`]), type: 'text' });
      } else if (k === 'window2') {
        // order-dependent window functions over a total order of the rows (equal rows are interchangeable)
        const part = r.chance(0.5) ? `PARTITION BY ${col(r, rels).sql} ` : '';
        const x = col(r, rels, 'int').sql;
        const f = r.pick([`row_number()`, `lag(${x})`, `lead(${x}, 1, -9)`, `first_value(${x})`, `last_value(${x})`, `ntile(2)`,
          `sum(${x})`, `count(${x})`, `nth_value(${x}, 2)`, `min(${x})`]);
        const frame = !f.startsWith('row_number') && !f.startsWith('lag') && !f.startsWith('lead') && !f.startsWith('ntile') && r.chance(0.5)
          ? ` ${r.pick(['ROWS BETWEEN 1 PRECEDING AND CURRENT ROW', 'ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING', 'ROWS UNBOUNDED PRECEDING',
            'RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING', 'ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING'])}` : '';
        items.push({ sql: `${f} OVER (${part}ORDER BY ${totalOrder(rels)}${frame})`, type: 'int' });
      } else if (k === 'expr') items.push({ sql: intExpr(r, rels), type: 'int' });
      else if (k === 'window') {
        // window functions whose value does not depend on the order of peers
        const part = r.chance(0.6) ? `PARTITION BY ${col(r, rels).sql}` : '';
        const f = r.pick(['count(*)', `sum(${col(r, rels, 'int').sql})`, `max(${col(r, rels, 'int').sql})`, 'rank()', 'dense_rank()']);
        const order = f.endsWith('()') ? ` ORDER BY ${col(r, rels).sql}${r.chance(0.3) ? ' DESC' : ''}` : '';
        items.push({ sql: `${f} OVER (${part}${order})`, type: 'int' });
      } else if (k === 'scalar') {
        const t = r.pick(tables);
        items.push({ sql: `(SELECT ${r.pick(['max', 'min', 'count'])}(q.b) FROM ${t.name} q WHERE q.a = ${col(r, rels, 'int').sql})`, type: 'int' });
      } else items.push({ sql: `coalesce(${col(r, rels, 'text').sql}, 'n') || ${r.pick(["'z'", col(r, rels, 'int').sql])}`, type: 'text' });
    }
  }
  let distinct = !grouped && r.chance(0.2) ? 'DISTINCT ' : '';
  // DISTINCT ON (the first output column), the first row of each by a total order: ORDER BY is then required
  const distinctOn = depth === 0 && !grouped && !distinct && r.chance(0.06);
  if (distinctOn) distinct = 'DISTINCT ON (1) ';
  let sql = `SELECT ${distinct}${items.map((x) => x.sql).join(', ')} FROM ${from}${where}${group}${having}`;
  if (distinctOn) {
    sql += ` ORDER BY 1, ${totalOrder(rels)}`;
    return { sql: `SELECT * FROM (${sql}) d ORDER BY ${items.map((_, i) => i + 1).join(', ')}`, arity: items.length, types: items.map((x) => x.type) };
  }
  if (depth === 0 && r.chance(0.12)) {
    // a set operation with a second query of the same shape
    const other = sameShape(r, tables, items.map((x) => x.type));
    sql = `${sql} ${r.pick(['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT', 'EXCEPT ALL', 'INTERSECT ALL'])} ${other}`;
  } else if (depth === 0 && r.chance(0.06)) {
    sql = `WITH w AS (${sql}) SELECT * FROM w`;
  } else if (depth === 0 && r.chance(0.1)) {
    // a subquery in FROM the planner may pull up (optimizer/pullup.ts): named columns, joined to a table, filtered
    const names = items.map((_, i) => `c${i + 1}`);
    const ints = names.filter((_, i) => items[i]!.type === 'int');
    const shape = r.int(0, 3);
    const sub = `(${sql}) sq(${names.join(', ')})`;
    if (shape === 0 || !ints.length) sql = `SELECT * FROM ${sub}`;
    else {
      const c = r.pick(ints);
      const t = r.pick(tables);
      const cond = `sq.${c} ${r.pick(['<', '>', '=', '<>', '>='])} ${r.int(-1, 5)}`;
      if (shape === 1) sql = `SELECT * FROM ${sub} WHERE ${cond}`;
      else {
        const join = r.pick(['JOIN', 'LEFT JOIN', 'RIGHT JOIN']);
        const cols = `${names.map((x) => `sq.${x}`).join(', ')}, x.b`;
        sql = `SELECT ${cols} FROM ${sub} ${join} ${t.name} x ON x.${r.pick(['a', 'b'])} = sq.${c}${shape === 3 ? ` WHERE ${cond}` : ''}`;
        items.push({ sql: 'x.b', type: 'int' } as (typeof items)[number]);
      }
    }
  }
  if (depth === 0 && r.chance(0.5)) {
    // ORDER BY every output column (a total order), then maybe LIMIT / OFFSET
    const order = items.map((_, i) => `${i + 1}${r.chance(0.3) ? ' DESC' : ''}${r.chance(0.2) ? r.pick([' NULLS FIRST', ' NULLS LAST']) : ''}`);
    sql += ` ORDER BY ${order.join(', ')}`;
    if (r.chance(0.4)) sql += ` LIMIT ${r.int(0, 4)}${r.chance(0.3) ? ` OFFSET ${r.int(1, 3)}` : ''}`;
  }
  return { sql, arity: items.length, types: items.map((x) => x.type) };
}

function sameShape(r: Rng, tables: QTable[], types: ('int' | 'text')[]): string {
  const t = r.pick(tables);
  const rels: Rel[] = [{ alias: 'u0', table: t }];
  const cols = types.map((ty) => (ty === 'text' ? (r.chance(0.5) ? 'u0.c' : `'${r.pick(WORDS)}'`) : col(r, rels, 'int').sql));
  // avg's numeric needs a numeric on the other side
  const fixed = cols.map((c, i) => (types[i] === 'text' && c === 'u0.c' ? c : c));
  return `SELECT ${fixed.join(', ')} FROM ${t.name} u0${r.chance(0.6) ? ` WHERE ${pred(r, rels, 1)}` : ''}`;
}

function modify(r: Rng, tables: QTable[]): string {
  const t = r.pick(tables);
  const rels: Rel[] = [{ alias: t.name, table: t }];
  const k = r.pick(['update', 'delete', 'insert']);
  if (k === 'update') return `UPDATE ${t.name} SET b = ${intExpr(r, rels, 1)} WHERE ${pred(r, rels, 1)}`;
  if (k === 'delete') {
    if (r.chance(0.3)) {
      const o = r.pick(tables);
      if (o.name !== t.name) return `DELETE FROM ${t.name} USING ${o.name} WHERE ${t.name}.a = ${o.name}.${r.pick(['a', 'b'])} AND ${pred(r, [{ alias: o.name, table: o }], 1)}`;
    }
    return `DELETE FROM ${t.name} WHERE ${pred(r, rels, 1)}`;
  }
  return `INSERT INTO ${t.name} (b, c) VALUES (${r.int(0, 5)}, '${r.pick(WORDS)}')`;
}
