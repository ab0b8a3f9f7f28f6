#!/usr/bin/env node
// Runs the build in dist/ (made by `npm install`/`npm ci` through the prepare script, or by
// `npm run build`): the one-file bundle with its code cache (./bundle.js), or for `knsim tui`
// the ES modules. Without a build, or with a file in src/ newer than it (an edit, a pull), it
// runs the TypeScript sources through tsx instead and says so on stderr: a stale build would
// run old code. KNSIM_SOURCE=1 runs the sources without a word (the tests do; so can development).
// CommonJS (bin/package.json): Node then starts without its ES-module loader, which a run from
// the one-file bundle does not need (≈ 5 % of a short command's CPU).
'use strict';
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { BUNDLE, loadBundle } = require('./bundle.js');

// A reader that goes away (`knsim run … | head -1`) ends the command quietly, as a closed pipe
// ends any Unix tool (SIGPIPE: exit 128 + 13), instead of a stack trace and a run nobody reads.
// Node ignores SIGPIPE itself and reports EPIPE as an 'error' event on the stream.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(141);
  throw e;
});
process.stderr.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
});

const root = join(__dirname, '..');

/** Why the sources run instead of the build ('' when the build runs, null: asked for, no note). */
function sourceReason() {
  if (process.env.KNSIM_SOURCE === '1') return null;
  const stamp = join(root, 'dist', 'BUILT');
  if (!existsSync(stamp)) return 'no build in dist/ (npm run build makes one)';
  const built = statSync(stamp).mtimeMs;
  // A plain walk with string paths: half the CPU of a recursive readdir and path.join (≈ 4 ms).
  const newer = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      const found = entry.isDirectory() ? newer(path) : statSync(path).mtimeMs > built ? path : undefined;
      if (found) return found;
    }
    return undefined;
  };
  const file = newer(join(root, 'src'));
  return file ? `${file.slice(root.length + 1)} is newer than the build in dist/ (npm run build updates it)` : '';
}

const HELP = new Set(['-h', '--help', '-V', '--version']);

/**
 * V8 settings for a command (docs/performance.md, issue 13: "The trace as users run it"):
 * - for its first second of wall time, the young generation stays at its first size, 1 MB a
 *   semi-space. V8 doubles it when a scavenge finds much of it alive, as at start, where nearly
 *   everything built (schemas, machines, the cluster) lives on; each doubling is fresh memory, and
 *   on the virtual machines measured here a page fault costs ≈ 13 µs: ≈ 1,000 fewer faults in a
 *   one-minute run. Then V8's default again;
 * - for the whole command, TurboFan compiles a function only once it has run ten times as much
 *   bytecode as V8's default asks (the interrupt budget, 10 × 66 KB). A run's control plane (the
 *   controllers, XState's interpreter) is large code that runs often enough to be compiled by
 *   default but not enough to repay it: 0.2–0.9 s of compiling on V8's threads in a run of a
 *   second or of a simulated day. The request path, run millions of times, is still compiled
 *   early. This replaces a first second without TurboFan, which short runs
 *   needed for the same reason but which a long run paid for in a second of unoptimized code.
 * V8 compares a code cache's flags with its own when it takes one: the bundle is compiled before
 * this, and the modules of Node's own loaded after it compile without Node's cache.
 * Only on V8 11 (Node 20), where these flags were checked: V8 reports an unknown flag on stderr.
 */
function quickStartSettings() {
  if (!process.versions.v8.startsWith('11.')) return;
  const { setFlagsFromString } = require('node:v8');
  setFlagsFromString(`--semi-space-growth-factor=1 --interrupt-budget=${10 * 67584}`);
  setTimeout(() => setFlagsFromString('--semi-space-growth-factor=2'), 1000).unref();
}

/**
 * Whether the command may draw the interactive screen, whose ink has top-level await, which the
 * one-file CommonJS bundle cannot require: `knsim tui`, and `knsim start` (what `npm start` runs)
 * on a terminal, where it opens the screen (src/cli/commands/tui.ts `isInteractiveTerminal`).
 */
function drawsScreen(args) {
  if (args[0] === 'tui') return true;
  return args[0] === 'start' && process.stdout.isTTY === true && process.stdin.isTTY === true;
}

/** The command line's `main`: from the build, or from the sources through tsx. */
async function loadMain(args) {
  const reason = sourceReason();
  if (reason === '') {
    // The one-file build with its code cache (bin/bundle.js), but for the screen, whose ink the one
    // file cannot load, for help and the version, which run no simulation (the ES modules' first
    // chunk is less to load than the whole bundle and its cache), and for a build made before
    // there was one. Either way the same code runs: a wrong guess costs time, not behaviour.
    const onlyHelp = args.length === 0 || args[0] === 'help' || args.some((a) => HELP.has(a));
    if (!drawsScreen(args) && !onlyHelp && existsSync(join(root, 'dist', BUNDLE))) {
      const { main } = loadBundle(join(root, 'dist'));
      quickStartSettings();
      return main;
    }
    return (await import('../dist/cli/main.js')).main;
  }
  if (reason !== null) process.stderr.write(`knsim: ${reason}; running the TypeScript sources through tsx\n`);
  // tsx looks for tsconfig.json from the working directory; knsim's own settings (the react-jsx
  // transform of the screen) must apply wherever it is started from. Worker threads inherit this.
  process.env.TSX_TSCONFIG_PATH = join(root, 'tsconfig.json');
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('../src/cli/main.ts')).main;
}

/**
 * Commands that have done all their work when `main` returns, as has help and the version (the
 * first word `help`, `-h`, `--help`, `-V`, `--version`, or none): the process ends there instead
 * of tearing down V8's heap and Node's environment first (≈ 4 % of a short run's CPU). The
 * commands that serve, watch or draw (serve, start, live, tui) end the usual way.
 */
const DONE_WHEN_MAIN_RETURNS = new Set(['run', 'validate']);

const args = process.argv.slice(2);
loadMain(args)
  .then((main) => main(args))
  .then((code) => {
    process.exitCode = code;
    // Only when nothing written is still queued (a pipe Node writes asynchronously, as on macOS):
    // process.exit would cut it off.
    const done = DONE_WHEN_MAIN_RETURNS.has(args[0]) || args.length === 0 || args[0] === 'help' || HELP.has(args[0]);
    if (done && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
  });
