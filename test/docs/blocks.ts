/**
 * The fenced code blocks of the documentation and the command lines in them, so that a test can
 * run every example the docs show.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '../..');

export interface Block {
  /** `docs/serve.md#2`: the file and the block's number in it (from 1). */
  readonly id: string;
  readonly file: string;
  /** The block's line in the file (its opening fence). */
  readonly line: number;
  /** The info string after the fence (`sh`, `yaml`, or empty). */
  readonly lang: string;
  readonly text: string;
}

/** README.md and docs/*.md, relative to the repository. */
export function docFiles(): string[] {
  const docs = readdirSync(join(REPO, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .sort()
    .map((n) => `docs/${n}`);
  return ['README.md', ...docs];
}

export function blocksOf(file: string, text = readFileSync(join(REPO, file), 'utf8')): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let open: { line: number; lang: string; body: string[] } | undefined;
  lines.forEach((l, i) => {
    const fence = /^```(\S*)\s*$/.exec(l);
    if (!open && fence) open = { line: i + 1, lang: fence[1] ?? '', body: [] };
    else if (open && /^```\s*$/.test(l)) {
      blocks.push({
        id: `${file}#${blocks.length + 1}`,
        file,
        line: open.line,
        lang: open.lang,
        text: `${open.body.join('\n')}\n`,
      });
      open = undefined;
    } else open?.body.push(l);
  });
  return blocks;
}

export interface CommandLine {
  readonly text: string;
  /** The line in the file where it starts. */
  readonly line: number;
  /** A `$ ` prompt: the lines after it (up to the next prompt) are its output. */
  readonly prompted: boolean;
  /** The output shown after a prompted command. */
  readonly output: string;
}

/**
 * The command lines of a shell-like block: backslash continuations joined, `# …` comments and
 * `$ ` prompts removed. In a block with prompts only prompted lines are commands; otherwise
 * every line that is not a comment is.
 */
export function commandsOf(block: Block): CommandLine[] {
  const raw = block.text.replace(/\n$/, '').split('\n');
  const prompted = raw.some((l) => l.startsWith('$ '));
  const out: { text: string; line: number; prompted: boolean; output: string[] }[] = [];
  for (let i = 0; i < raw.length; i++) {
    let l = raw[i]!;
    const line = block.line + 1 + i;
    if (prompted && !l.startsWith('$ ')) {
      out.at(-1)?.output.push(l);
      continue;
    }
    // A synopsis goes on over indented lines of options (`    [--log FILE] …`).
    if (!prompted && /^\s+\[/.test(l) && out.length > 0) {
      out.at(-1)!.text += ` ${l.trim()}`;
      continue;
    }
    if (l.startsWith('$ ')) l = l.slice(2);
    while (l.endsWith('\\') && i + 1 < raw.length) l = `${l.slice(0, -1)} ${raw[++i]!.trim()}`;
    const text = stripComment(l).trim();
    if (text === '') continue;
    out.push({ text, line, prompted, output: [] });
  }
  return out.map((c) => ({ ...c, output: c.output.length > 0 ? `${c.output.join('\n')}\n` : '' }));
}

/** `cmd --x  # note` → `cmd --x` (a `#` inside quotes stays). */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** The arguments of a knsim command line (`knsim …`, `node bin/knsim.js …`, `npx knsim …`), or undefined. */
export function knsimArgs(words: readonly string[]): string[] | undefined {
  if (words[0] === 'knsim') return words.slice(1);
  if (words[0] === 'npx' && words[1] === 'knsim') return words.slice(2);
  if (words[0] === 'node' && words[1] === 'bin/knsim.js') return words.slice(2);
  if (words[0] === 'npm' && words[1] === 'start') return ['start', ...words.slice(2)];
  return undefined;
}
