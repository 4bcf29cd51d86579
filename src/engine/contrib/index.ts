/** The contrib modules Heapscope models; importing this registers their functions (commands/extension.ts creates them). */
import './pageinspect.js';
import './hashfuncs.js';
import './pgstattuple.js';
import './pgrowlocks.js';
import './pg_visibility.js';
import '../sql/funcs/dbsize.js';
import './pg_walinspect.js';
import './unmodelled.js';
