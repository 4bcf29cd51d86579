/** The Web Worker: exposes the EngineHost through comlink, nothing else. */
import { expose } from 'comlink';
import { EngineHost } from './host';

expose(new EngineHost());
