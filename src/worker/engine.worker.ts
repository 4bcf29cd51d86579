/** The Web Worker: exposes the EngineHost through comlink, nothing else. */
import { expose } from 'comlink';
import { EngineHost } from './host';
import { initParser } from '../engine/sql/parser';

void initParser(); // start fetching and compiling the parser's WebAssembly before the first message arrives
expose(new EngineHost());
