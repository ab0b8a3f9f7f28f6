#!/usr/bin/env node
/**
 * Compiles knsim into dist/ (run by `npm install`/`npm ci` through the `prepare` script, or by
 * `npm run build`): one ES-module bundle per entry point (the command line and the two worker
 * threads), split into shared chunks so a command loads only what it imports. xstate, zod, yaml,
 * commander and seedrandom are bundled in (fewer files for Node to find and read at start);
 * packages that are loaded on demand and large (the live backend's client-node, the screen's
 * ink and react) or read as files (uplot) stay in node_modules.
 * `node scripts/build.mjs [OUTDIR]` (default dist); bin/knsim.js runs OUTDIR=dist when it is
 * newer than every file in src/.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = resolve(root, process.argv[2] ?? 'dist');

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts', 'src/runner/sweep/worker.ts', 'src/tui/simulateWorker.ts'],
  outdir,
  outbase: 'src',
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  sourcemap: 'linked',
  external: ['@kubernetes/client-node', 'node-fetch', 'ink', 'react', 'react/*', 'uplot', 'tsx'],
  // Bundled CommonJS packages (commander, seedrandom) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __knsimRequire } from 'node:module';\nconst require = __knsimRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
// Written last: bin/knsim.js compares the sources' times with this file's.
writeFileSync(join(outdir, 'BUILT'), 'knsim build; bin/knsim.js runs it while it is newer than every file in src/\n');
