/** The layers of docs/architecture.md, as the imports show them. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : /\.tsx?$/.test(d.name) ? [join(dir, d.name)] : [],
  );
}

/** Every module a source file imports (static and dynamic), as paths relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)) {
    out.push(relative(SRC, resolve(dirname(file), m[1]!)));
  }
  return out;
}

describe('module layers', () => {
  it('nothing outside src/cli imports src/cli: the command line only parses flags and calls down', () => {
    const offenders: string[] = [];
    for (const file of sources(SRC)) {
      const here = relative(SRC, file);
      if (here.startsWith('cli/')) continue;
      for (const target of importsOf(file)) if (target.startsWith('cli/')) offenders.push(`${here} → ${target}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the model imports no simulator, backend, runner, TUI or I/O module', () => {
    const offenders: string[] = [];
    for (const file of sources(join(SRC, 'model'))) {
      for (const target of importsOf(file)) {
        if (!target.startsWith('model/')) offenders.push(`${relative(SRC, file)} → ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
