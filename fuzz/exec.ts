/**
 * Running one fuzz case through the real command line (`main`, what bin/knsim.js calls) in this
 * thread, and saying what happened: a clean error (exit 2 with a one-line message), accepted
 * (exit 0 or 1), or a crash (an internal error, a stack trace, an exception out of `main`, a log
 * that does not read back). Hangs and memory blow-ups are told by whoever runs this (fuzz/run.ts:
 * a deadline and a heap limit on the worker or the child process).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FuzzCase } from './cases.js';

export type Verdict = 'clean-error' | 'accepted' | 'crash' | 'hang' | 'memory';

export interface Outcome {
  verdict: Verdict;
  status: number | null;
  /** The first lines of what was printed on stderr (and why a crash is one). */
  detail: string;
  ms: number;
}

export function argvIn(c: FuzzCase, dir: string): string[] {
  return c.argv.map((a) => a.replaceAll('{dir}', dir));
}

export function writeCase(c: FuzzCase, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(c.files)) writeFileSync(join(dir, name), text.replaceAll('{dir}', dir));
}

/** True when the text has a stack-trace line (`    at f (file:1:2)`). */
function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(]/m.test(text);
}

/** The verdict for how a command ended, from its exit code and its stderr. */
export function verdictOf(status: number | null, stderr: string): { verdict: Verdict; why?: string } {
  if (/internal error/.test(stderr)) return { verdict: 'crash', why: 'internal error' };
  if (hasStackTrace(stderr)) return { verdict: 'crash', why: 'stack trace' };
  if (status === 0 || status === 1) return { verdict: 'accepted' };
  if (status === 2) {
    return stderr.trim() === '' ? { verdict: 'crash', why: 'exit 2 without a message' } : { verdict: 'clean-error' };
  }
  return { verdict: 'crash', why: `exit ${status}` };
}

/**
 * A log that a command wrote must read back through the project's reader, whole, its last line
 * the `end` line (a run that started); the problem, or undefined.
 */
export async function logProblem(argv: readonly string[]): Promise<string | undefined> {
  const flag = argv.findIndex((a) => a === '--log' || (a === '-o' && argv[0] === 'predict'));
  const file = flag >= 0 ? argv[flag + 1] : undefined;
  if (!file || !existsSync(file) || !file.endsWith('.jsonl')) return undefined;
  const { readEventLog } = await import('../src/io/logReader.js');
  try {
    const { events } = readEventLog(file);
    const last = events[events.length - 1];
    if (last?.type !== 'end') return `${file} does not end with an end line (last: ${last?.type ?? 'none'})`;
  } catch (e) {
    if ((e as Error).message.includes('empty log')) return undefined; // opened, the run never began
    return `the log does not read back: ${(e as Error).message}`;
  }
  return undefined;
}

/** Runs a case with `main` in this thread, its output captured. */
export async function runInProcess(c: FuzzCase, dir: string): Promise<Outcome> {
  writeCase(c, dir);
  const argv = argvIn(c, dir);
  const { main } = await import('../src/cli/main.js');
  let stderr = '';
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    if (stderr.length < 20_000) stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  const t0 = performance.now();
  let status: number | null = null;
  let threw: string | undefined;
  try {
    status = await main(argv);
  } catch (e) {
    threw = e instanceof Error ? (e.stack ?? e.message) : String(e);
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
  const ms = performance.now() - t0;
  if (threw !== undefined) return { verdict: 'crash', status, detail: `threw out of main: ${threw}`, ms };
  const { verdict, why } = verdictOf(status, stderr);
  if (verdict !== 'crash' && status !== 2) {
    const problem = await logProblem(argv);
    if (problem) return { verdict: 'crash', status, detail: `lost log: ${problem}`, ms };
  }
  return { verdict, status, detail: `${why ? `${why}: ` : ''}${firstLines(stderr)}`, ms };
}

export function firstLines(text: string, n = 4): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, n)
    .join('\n')
    .slice(0, 600);
}

/**
 * The class of a crash: the command and its message with the particulars taken out (numbers,
 * quoted words, paths), so that one bug is one class however many inputs find it.
 */
export function crashClass(argv: readonly string[], detail: string): string {
  const line =
    detail.split('\n').find((l) => /internal error|threw|lost log|Error|exit|heap|hang|deadline/.test(l)) ??
    detail.split('\n')[0] ??
    '';
  const normal = line
    .replace(/\/[^\s:'"]+/g, '<path>')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\d+(\.\d+)?/g, '#')
    .slice(0, 160);
  return `${argv[0] ?? '?'}: ${normal}`;
}
