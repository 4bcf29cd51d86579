/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The two parsers' WebAssembly. libpg-query (PostgreSQL 15's SQL parser) and libpg-query-plpgsql (an npm alias of
 * libpg-query 18, for PL/pgSQL's grammar) both fetch a file named `libpg-query.wasm` relative to the script that runs
 * them — in the app that is the engine worker, whose URL differs between `vite` (dev) and a build. The PL/pgSQL one
 * is renamed to `libpg-query-plpgsql.wasm` in its loader (a transform, in builds and in dev's pre-bundling), so the
 * two do not collide. Both are served under any path ending in their names in dev and preview, and emitted next to
 * the worker chunks (assets/) in builds. The PL/pgSQL one is fetched only when its chunk is imported (sql/parser.ts
 * initPlpgsqlParser: the worker does so before the first step that compiles PL/pgSQL).
 */
const require = createRequire(import.meta.url);
const WASM = [
  { pkg: 'libpg-query', file: 'libpg-query.wasm' },
  { pkg: 'libpg-query-plpgsql', file: 'libpg-query-plpgsql.wasm' },
].map((w) => ({ ...w, bytes: readFileSync(join(dirname(require.resolve(`${w.pkg}/package.json`)), 'wasm', 'libpg-query.wasm')) }));
/** the PL/pgSQL parser's Emscripten loader, whose wasm file name is rewritten */
const PLPGSQL_LOADER = /[\\/]libpg-query-plpgsql[\\/]wasm[\\/]libpg-query\.js$/;
const renamePlpgsqlWasm = (code: string, id: string) => {
  if (!PLPGSQL_LOADER.test(id)) return null;
  if (!code.includes('"libpg-query.wasm"')) throw new Error(`${id}: the wasm file name to rewrite is not in the loader`);
  return code.replaceAll('"libpg-query.wasm"', '"libpg-query-plpgsql.wasm"');
};
function pgQueryWasm(): Plugin {
  const serveWasm = (req: { url?: string }, res: { setHeader(k: string, v: string): void; end(b: Buffer): void }, next: () => void) => {
    const path = req.url?.split('?')[0] ?? '';
    const w = WASM.find((x) => path.endsWith(`/${x.file}`));
    if (!w) return next();
    res.setHeader('Content-Type', 'application/wasm');
    // cacheable, so Chromium can keep the compiled module (WebAssembly code caching) across reloads
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.end(w.bytes);
  };
  return {
    name: 'heapscope-libpg-query-wasm',
    transform(code, id) { return renamePlpgsqlWasm(code, id); },
    configureServer(server) { server.middlewares.use(serveWasm); },
    configurePreviewServer(server) { server.middlewares.use(serveWasm); },
    generateBundle() {
      for (const w of WASM) this.emitFile({ type: 'asset', fileName: `assets/${w.file}`, source: w.bytes });
    },
  };
}

/**
 * The Content-Security-Policy of the app, the embed page and the demo pages. No inline script and no eval anywhere;
 * 'wasm-unsafe-eval' lets the engine worker compile the parser's WebAssembly; workers come from this origin (blob: for
 * Vite's dev workers); styles may be inline (React and d3 set style attributes, Monaco writes its own <style>).
 * Built pages carry it as a <meta> tag, so it holds on any static host; dev and preview also send it as a header,
 * with `frame-ancestors` (which a meta tag cannot carry): the embed page may be framed by any site, the app only by
 * its own pages. In dev only, Vite's React refresh needs an inline script ('unsafe-inline').
 */
const CSP_DIRECTIVES = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
  "font-src 'self' data:", "connect-src 'self'", "worker-src 'self' blob:", "frame-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'none'",
];
const CSP = CSP_DIRECTIVES.join('; ');
function csp(): Plugin {
  const header = (dev: boolean) => (req: { url?: string }, res: { setHeader(k: string, v: string): void }, next: () => void) => {
    const path = req.url?.split(/[?#]/)[0] ?? '';
    const embeddable = path.endsWith('/embed.html') || path === '/embed';
    const policy = CSP_DIRECTIVES.map((d) => (dev && d.startsWith('script-src') ? `${d} 'unsafe-inline'` : d));
    res.setHeader('Content-Security-Policy', [...policy, `frame-ancestors ${embeddable ? '*' : "'self'"}`].join('; '));
    next();
  };
  return {
    name: 'heapscope-csp',
    configureServer(server) { server.middlewares.use(header(true)); },
    configurePreviewServer(server) { server.middlewares.use(header(false)); },
    transformIndexHtml: {
      order: 'pre',
      handler(html, ctx) {
        if (ctx.server) return html; // dev: the header only (the React refresh preamble is inline)
        return html.replace(/<head>/, `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`);
      },
    },
  };
}

/**
 * The custom element for docs pages, built to a stable path (dist/heapscope-embed.js) as one self-contained script.
 * In dev the same path serves it from its source, so public/demo works with `npm run dev` too.
 */
const ELEMENT_SRC = '/src/element/heapscope-embed.ts';
function embedElement(): Plugin {
  return {
    name: 'heapscope-embed-element',
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        if (req.url?.split('?')[0] !== '/heapscope-embed.js') return next();
        const r = await server.transformRequest(ELEMENT_SRC);
        if (!r) return next();
        res.setHeader('Content-Type', 'text/javascript');
        // the type-only import leaves an empty module marker, which a classic script cannot have
        res.end(r.code.replace(/^export\s*\{\s*\};?\s*$/m, ''));
      });
    },
  };
}

export default defineConfig({
  plugins: [
    react(), pgQueryWasm(), csp(), embedElement(),
    // offline: a service worker precaches the whole build (app, lessons, parser, embed, demo pages); a new build is
    // downloaded in the background and takes over on the next visit (src/ui/offline.ts says so)
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      manifest: false,
      workbox: {
        globPatterns: ['**/*.{js,css,html,wasm,svg,png,ico,txt}'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        // embed.html?lesson=…&views=… is the precached embed.html
        ignoreURLParametersMatching: [/.*/],
        navigateFallback: null,
        clientsClaim: true,
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  worker: { format: 'es', plugins: () => [pgQueryWasm()] },
  // libpg-query's Emscripten loader is CommonJS-flavoured: let Vite pre-bundle it in dev (it becomes ESM), the
  // PL/pgSQL one with its wasm renamed (pgQueryWasm)
  optimizeDeps: {
    include: ['libpg-query', 'libpg-query-plpgsql'],
    rolldownOptions: { plugins: [{ name: 'heapscope-plpgsql-wasm-name', transform: (code: string, id: string) => renamePlpgsqlWasm(code, id) }] },
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  build: {
    target: 'es2022', chunkSizeWarningLimit: 4000,
    rolldownOptions: {
      input: { index: 'index.html', embed: 'embed.html', 'heapscope-embed': ELEMENT_SRC.slice(1) },
      output: { entryFileNames: (chunk) => (chunk.name === 'heapscope-embed' ? 'heapscope-embed.js' : 'assets/[name]-[hash].js') },
    },
  },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
