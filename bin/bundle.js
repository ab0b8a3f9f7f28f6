// Loads the command line's one-file build (dist/knsim.cjs, scripts/build.mjs) with V8's code cache
// (dist/knsim.cache): the bytecode of every function a training run compiled, written by the
// build. Node 20 has no code cache for ES modules, and a short command spends most of its time
// compiling code on first use; with the cache it skips that. A cache V8 refuses (another Node or
// V8 flags) or one older than the bundle is not used: the code then compiles as it runs, as usual.
// `node bin/bundle.js --train DIST ARGS…` runs ARGS once, output discarded, and writes the cache.
'use strict';
const { closeSync, fstatSync, openSync, readSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

const BUNDLE = 'knsim.cjs';
const CODE_CACHE = 'knsim.cache';

/**
 * The whole of `path`, read into `buffer` when it fits (else into a new one). The bundle and its
 * cache are read through one buffer: each fresh page of memory costs a page fault, and on the
 * virtual machines measured here a fault costs ≈ 13 µs (a 1.4 MB file is ≈ 350 of them).
 */
function readWhole(path, buffer) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const into = buffer && buffer.length >= size ? buffer : Buffer.allocUnsafeSlow(size);
    let n = 0;
    for (let r = -1; n < size && r !== 0; n += r) r = readSync(fd, into, n, size - n, n);
    return into.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The bundle's `main`, compiled with the code cache when there is a usable one. */
function loadBundle(dist, { useCache = true } = {}) {
  const file = join(dist, BUNDLE);
  const cacheFile = join(dist, CODE_CACHE);
  const bundle = statSync(file);
  let cacheSize = 0;
  if (useCache) {
    try {
      // V8 checks its version, its flags and the source's length, not the source's text: a cache
      // from before the last build must not be offered.
      const cache = statSync(cacheFile);
      if (cache.mtimeMs >= bundle.mtimeMs) cacheSize = cache.size;
    } catch {
      // No cache: compile as usual.
    }
  }
  const buffer = Buffer.allocUnsafeSlow(Math.max(bundle.size, cacheSize));
  // The file is the whole script, a function expression (scripts/build.mjs writes the wrapper), so
  // V8 compiles the string as read instead of first copying a concatenation of it into one string.
  // ASCII only (scripts/build.mjs checks): decoded as Latin-1, which is faster than UTF-8.
  const source = readWhole(file, buffer).latin1Slice();
  const cachedData = cacheSize > 0 ? readWhole(cacheFile, buffer) : undefined;
  const script = new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} };
  // The bundle is CommonJS made from ES modules: strict, and `import.meta.url` is its own URL.
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), pathToFileURL(file).href);
  return { main: module.exports.main, script, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

module.exports = { BUNDLE, CODE_CACHE, loadBundle };

if (require.main === module && process.argv[2] === '--train') {
  const dist = process.argv[3];
  const { main, script } = loadBundle(dist, { useCache: false });
  main(process.argv.slice(4)).then((code) => {
    if (code !== 0) throw new Error(`the training run exited with ${code}`);
    const tmp = join(dist, `${CODE_CACHE}.${process.pid}`);
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, join(dist, CODE_CACHE));
  });
}
