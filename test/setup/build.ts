/**
 * Vitest's global setup: the commands the tests start (`node bin/knsim.js …`) run the build in
 * dist/, made here from the sources under test when it is missing or older than any of them.
 * A command started from the build costs a fifth of the CPU of the same command through tsx
 * (0.3 s against 1.5 s for `knsim validate` on the shared 2-core machine; a sweep's worker threads
 * load the sources again each), and the suite starts a few hundred commands
 * (docs/reliability.md, "The test suite"). The build is compiled from the same sources by the
 * same compiler (esbuild) as tsx's; test/cli/build.test.ts checks that it answers as they do.
 *
 * A fresh build is made beside dist/ and put in its place in two renames, so that another suite
 * running in the same checkout at worst sees no dist/ for a moment (bin/knsim.js then runs the
 * sources, saying so). An edit to src/ while the suite runs makes bin/knsim.js run the sources,
 * with a note on stderr that some tests would see: run the suite again.
 * KNSIM_SOURCE=1 in the environment of `npm test` skips the build and runs the sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist');
const BUILT = join(DIST, 'BUILT');

/** The first file under `path` modified after `since` (ms), if any. */
function newer(path: string, since: number): string | undefined {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs > since ? path : undefined;
  for (const entry of readdirSync(path)) {
    const found = newer(join(path, entry), since);
    if (found) return found;
  }
  return undefined;
}

/** Why dist/ must be built again ('' when it is fresh): what bin/knsim.js checks, and the build's own inputs. */
export function staleBecause(): string {
  if (!existsSync(BUILT)) return 'no build in dist/';
  const built = statSync(BUILT).mtimeMs;
  const inputs = ['src', 'scripts/build.mjs', 'bin', 'package.json'].map((p) => join(ROOT, p));
  const found = inputs.map((p) => newer(p, built)).find((f) => f !== undefined);
  return found ? `${found.slice(ROOT.length + 1)} is newer than the build` : '';
}

export default function setup(): void {
  if (process.env.KNSIM_SOURCE === '1') return;
  const why = staleBecause();
  if (why === '') return;
  const fresh = join(ROOT, `dist.build-${process.pid}`);
  const old = join(ROOT, `dist.old-${process.pid}`);
  process.stderr.write(`test setup: building dist/ (${why})\n`);
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), fresh], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.status !== 0) {
    rmSync(fresh, { recursive: true, force: true });
    throw new Error(`npm run build failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
  if (existsSync(DIST)) renameSync(DIST, old);
  try {
    renameSync(fresh, DIST);
  } catch {
    // Another suite in this checkout put its build (of the same sources) there in between.
    rmSync(fresh, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}
