// Loads the command line's one-file build (dist/knsim.cjs, scripts/build.mjs) with V8's code cache
// (dist/knsim.cache): the bytecode of every function a training run compiled, written by the
// build. Node 20 has no code cache for ES modules, and a short command spends most of its time
// compiling code on first use; with the cache it skips that. A cache V8 refuses (another Node or
// V8 flags) or one older than the bundle is not used: the code then compiles as it runs, as usual.
// `node bin/bundle.js --train DIST ARGS…` runs ARGS once, output discarded, and writes the cache.
'use strict';
const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

const BUNDLE = 'knsim.cjs';
const CODE_CACHE = 'knsim.cache';

/** The bundle's `main`, compiled with the code cache when there is a usable one. */
function loadBundle(dist, { useCache = true } = {}) {
  const file = join(dist, BUNDLE);
  const cacheFile = join(dist, CODE_CACHE);
  // ASCII only (scripts/build.mjs checks): read as Latin-1, which decodes faster than UTF-8.
  const source = readFileSync(file, 'latin1');
  let cachedData;
  if (useCache) {
    try {
      // V8 checks its version, its flags and the source's length, not the source's text: a cache
      // from before the last build must not be offered.
      if (statSync(cacheFile).mtimeMs >= statSync(file).mtimeMs) cachedData = readFileSync(cacheFile);
    } catch {
      // No cache: compile as usual.
    }
  }
  // The bundle is CommonJS made from ES modules: strict, and `import.meta.url` is its own URL.
  const wrapped = `(function (exports, require, module, __filename, __dirname, __knsimModuleUrl) {'use strict';${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} };
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
