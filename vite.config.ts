/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * libpg-query fetches `libpg-query.wasm` relative to the script that runs it — in the app that is the engine
 * worker, whose URL differs between `vite` (dev) and a build. Serve the file under any path ending in
 * /libpg-query.wasm in dev, and emit it next to the worker chunk (assets/) in builds.
 */
function pgQueryWasm(): Plugin {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('libpg-query/package.json')), 'wasm', 'libpg-query.wasm');
  const wasmBytes = readFileSync(file);
  const serveWasm = (req: { url?: string }, res: { setHeader(k: string, v: string): void; end(b: Buffer): void }, next: () => void) => {
    if (!req.url?.split('?')[0]!.endsWith('/libpg-query.wasm')) return next();
    res.setHeader('Content-Type', 'application/wasm');
    // cacheable, so Chromium can keep the compiled module (WebAssembly code caching) across reloads
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.end(wasmBytes);
  };
  return {
    name: 'heapscope-libpg-query-wasm',
    configureServer(server) { server.middlewares.use(serveWasm); },
    configurePreviewServer(server) { server.middlewares.use(serveWasm); },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'assets/libpg-query.wasm', source: wasmBytes });
    },
  };
}

export default defineConfig({
  plugins: [react(), pgQueryWasm()],
  worker: { format: 'es', plugins: () => [pgQueryWasm()] },
  // libpg-query's Emscripten loader is CommonJS-flavoured: let Vite pre-bundle it in dev (it becomes ESM).
  optimizeDeps: { include: ['libpg-query'] },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
