/** Every test file that swaps modules or stubs globals runs isolated (test/setup/isolation.ts). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISOLATED, NEEDS_ISOLATION } from './isolation.js';

const ROOT = resolve(import.meta.dirname, '../..');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? testFiles(join(dir, d.name)) : /\.test\.tsx?$/.test(d.name) ? [join(dir, d.name)] : [],
  );
}

describe('test isolation', () => {
  const files = testFiles(join(ROOT, 'test')).map((f) => relative(ROOT, f));
  const needing = files.filter((f) => NEEDS_ISOLATION.test(readFileSync(join(ROOT, f), 'utf8')));

  it('runs every file that swaps modules or stubs globals in a module graph of its own', () => {
    expect(needing.filter((f) => !ISOLATED.includes(f))).toEqual([]);
  });

  it('isolates only files that exist and need it (the rest share their worker’s modules)', () => {
    expect(ISOLATED.filter((f) => !needing.includes(f))).toEqual([]);
    // The guard sees the calls it looks for: the three rule probes use vi.mock.
    expect(needing.length).toBeGreaterThanOrEqual(3);
  });
});
