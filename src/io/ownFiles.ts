/**
 * Where knsim's own files are, whether it runs from its TypeScript sources (src/, through tsx)
 * or from the build (dist/, scripts/build.mjs): a bundle's chunk does not sit where its source
 * did, so paths are taken from the package's root, not from the module's own URL.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(import.meta.url);

/** True when this code runs from the build in dist/ (an ES-module chunk, or the one-file knsim.cjs). */
export const runsCompiled = !here.endsWith('.ts');

/** The directory holding knsim's package.json (src/, dist/, scenarios/ are in it). */
export const packageRoot: string = (() => {
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`knsim's package.json is not above ${here}`);
    dir = up;
  }
  return dir;
})();

/** A file shipped with knsim, by its path from the package's root (`scenarios/seed-walkthrough.yaml`). */
export function ownFile(path: string): string {
  return join(packageRoot, path);
}

/**
 * A module of knsim run as a worker thread's entry, by its path under src/ without extension
 * (`runner/sweep/worker`): its compiled file in dist/ (an entry point of the build) or its source.
 */
export function ownModule(path: 'runner/sweep/worker' | 'tui/simulateWorker'): URL {
  return pathToFileURL(runsCompiled ? join(packageRoot, 'dist', `${path}.js`) : join(packageRoot, 'src', `${path}.ts`));
}
