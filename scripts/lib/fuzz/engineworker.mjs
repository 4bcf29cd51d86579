// Worker-thread entry for enginepool.ts: load tsx so the TypeScript engine worker can be imported.
import { register } from 'tsx/esm/api';
register();
await import('./engineworker.ts');
