import { it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { initParser } from '../../src/engine/sql/parser.js';
import { indexLayout } from '../../src/engine/index/nbtlayout.js';
it('perf', async () => {
  await initParser();
  const e = new Engine(); e.createSession('s1');
  for (const q of ['CREATE TABLE r (id int PRIMARY KEY, b int)', 'INSERT INTO r SELECT g, g % 100 FROM generate_series(1, 20000) g', 'CREATE INDEX r_b ON r (b)', 'ANALYZE r']) e.execute('s1', q);
  const t = e.catalog.get('r')!;
  let t0 = Date.now();
  for (let i = 0; i < 10; i++) { e.execute('s1', `INSERT INTO r VALUES (${30000 + i}, 5)`); }
  console.log('10 inserts', Date.now() - t0, 'ms');
  t0 = Date.now();
  for (let i = 0; i < 10; i++) { e.execute('s1', `INSERT INTO r VALUES (${31000 + i}, 5)`); indexLayout(t.indexes[0]!, t.types); indexLayout(t.indexes[1]!, t.types); }
  console.log('10 inserts + layouts', Date.now() - t0, 'ms');
  t0 = Date.now();
  for (let i = 0; i < 10; i++) { e.execute('s1', 'SELECT count(*) FROM r WHERE id < 100'); }
  console.log('10 selects', Date.now() - t0, 'ms');
}, 120000);
