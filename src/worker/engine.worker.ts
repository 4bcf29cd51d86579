/** The Web Worker: exposes the EngineHost through comlink, nothing else. */
import { expose } from 'comlink';
import { EngineHost } from './host';
import { initSqlParser } from '../engine/sql/parser';

// start fetching and compiling the SQL parser's WebAssembly before the first message arrives (PL/pgSQL's is fetched
// when a step needs it: host.ts parsersFor)
void initSqlParser();
expose(new EngineHost());
