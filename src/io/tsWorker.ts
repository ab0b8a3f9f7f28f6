/**
 * Worker threads on knsim's own modules (`knsim sweep`'s grid, `knsim tui`'s simulation), from
 * the build (a compiled entry in dist/: a plain worker) or from the TypeScript sources. On Node 20
 * a worker's `execArgv: ['--import', 'tsx']` does not reach the worker's module loader ("Unknown
 * file extension .ts"), so for a source a two-line ESM bootstrap registers tsx through its API
 * first, then imports the TypeScript module.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startTsWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (entry.pathname.endsWith('.js')) return new Worker(entry, options);
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const boot = `import { register } from ${JSON.stringify(api)};\nregister();\nawait import(${JSON.stringify(entry.href)});\n`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), options);
}
