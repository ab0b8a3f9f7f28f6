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
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE } from '../bin/bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = resolve(root, process.argv[2] ?? 'dist');

/**
 * seedrandom requires node:crypto when it loads, to seed itself when no seed is given, which knsim
 * never asks for; crypto is fifty-odd modules (≈ 7 ms of CPU at every start here, and a run needs
 * no other part of it: src/model/digest.ts). seedrandom's copy loads it on first use instead.
 */
const lazyCrypto = {
  name: 'lazy-crypto',
  setup(b) {
    b.onResolve({ filter: /^crypto$/ }, (args) =>
      /[/\\]node_modules[/\\]seedrandom[/\\]/.test(args.importer)
        ? { path: 'seedrandom-crypto', namespace: 'knsim-lazy' }
        : undefined,
    );
    b.onLoad({ filter: /^seedrandom-crypto$/, namespace: 'knsim-lazy' }, () => ({
      contents: "module.exports = { get randomBytes() { return require('node:crypto').randomBytes; } };",
      loader: 'js',
    }));
  },
};

/**
 * commander requires node:child_process when it loads, for executable subcommands (`git-foo` for
 * `git foo`), which knsim has none of; child_process brings net, dgram and streams with it
 * (≈ 6 ms of CPU at every start here). Commander's copy loads it on first use instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[/\\]node_modules[/\\]commander[/\\]/.test(args.importer)
        ? { path: 'commander-child-process', namespace: 'knsim-lazy' }
        : undefined,
    );
    b.onLoad({ filter: /^commander-child-process$/, namespace: 'knsim-lazy' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

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
  plugins: [lazyChildProcess, lazyCrypto],
  // Bundled CommonJS packages (commander, seedrandom) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __knsimRequire } from 'node:module';\nconst require = __knsimRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
// The command line again as one CommonJS file, which bin/bundle.js loads with V8's code cache
// (Node 20 has none for ES modules): every command but the screen, whose ink is an ES module with
// top-level await that CommonJS cannot require (`knsim tui` runs the ES modules above). Its
// externals are required: client-node is an ES module without top-level await (require(esm),
// Node ≥ 20.19). `import.meta.url` becomes the bundle's own URL (src/io/ownFiles.ts).
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outfile: join(outdir, BUNDLE),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  external: ['@kubernetes/client-node', 'node-fetch', 'ink', 'react', 'react/*', 'uplot', 'tsx'],
  define: { 'import.meta.url': '__knsimModuleUrl' },
  plugins: [lazyChildProcess, lazyCrypto],
  // No comments or indentation: less to read and hash at each start (names are kept: messages and
  // `instanceof` never depend on them, but stack traces stay readable).
  minifyWhitespace: true,
  // The file is one function expression, which bin/bundle.js compiles as it reads it and calls
  // with CommonJS's arguments and the bundle's URL (a wrapper added there would make V8 copy the
  // 1.4 MB source into one string first). Strict, as the ES modules it is made of are.
  banner: { js: "(function (exports, require, module, __filename, __dirname, __knsimModuleUrl) {'use strict';" },
  footer: { js: '\n})' },
  minifySyntax: true,
  logLevel: 'warning',
});
// bin/bundle.js reads it as Latin-1 (faster than UTF-8): esbuild escapes non-ASCII text in strings
// but not in regular expressions, so a source must write those as \u escapes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is 0 to 127, control characters included
const nonAscii = /[^\x00-\x7f]/.exec(readFileSync(join(outdir, BUNDLE), 'latin1'));
if (nonAscii)
  throw new Error(
    `${BUNDLE}: a character that is not ASCII (${JSON.stringify(nonAscii.input.slice(nonAscii.index - 40, nonAscii.index + 10))}); write it as a \\u escape`,
  );
// Its code cache: the bytecode V8 compiled for a short simulated run (a Service scaled to zero),
// so that running a scenario, the commonest command, compiles almost nothing. Not byte-for-byte
// reproducible (V8's cache holds addresses and hashes); bin/bundle.js checks that it is newer
// than the bundle and V8 that it is its own.
const trained = spawnSync(
  process.execPath,
  [join(root, 'bin/bundle.js'), '--train', outdir, 'run', join(root, 'scenarios/idle-to-zero.yaml')],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);
if (trained.status !== 0) throw new Error(`the code cache's training run failed (exit ${trained.status})`);
// Written last: bin/knsim.js compares the sources' times with this file's.
writeFileSync(join(outdir, 'BUILT'), 'knsim build; bin/knsim.js runs it while it is newer than every file in src/\n');
