/**
 * zod, configured for a page with a Content-Security-Policy: without `jitless`, zod probes `new Function` when a
 * schema is made (to compile fast validators), which a CSP without 'unsafe-eval' reports as a violation. Every
 * module that makes schemas imports z from here, so the setting is in place before its first schema is built.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
