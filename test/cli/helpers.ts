/** Running the real command line (`node bin/knsim.js …`) the way a user does, with a deadline. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO, 'bin/knsim.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs knsim with `args` (stdin closed, no terminal); `cwd` defaults to the repository, `env` adds variables. */
export function knsim(
  args: string[],
  options: { cwd?: string; timeout?: number; env?: Record<string, string> } = {},
): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    encoding: 'utf8',
    // A deadline for a command that hangs, generous for a busy machine; not a measure of speed.
    timeout: options.timeout ?? 120_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    killSignal: 'SIGKILL', // a command that hangs (e.g. a server that does not stop) is killed at the deadline
    env: { ...process.env, ...options.env, KNSIM_DEBUG: '' },
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** True when the text has a stack-trace line (`    at f (file:1:2)`). */
export function hasStackTrace(text: string): boolean {
  return /^\s+at /m.test(text);
}

/** A fresh temporary directory with the given files written into it. */
export function scratch(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'knsim-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/**
 * The same command line in this process (`main`, what bin/knsim.js calls), for the many cases
 * that check messages and exit codes: one process loads the modules once, where a spawned
 * command loads them every time. `cwd` and `env` apply for the call. Each test file still runs
 * the real binary for some of its cases.
 */
export async function knsimInProcess(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const { main } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  const env = { ...options.env, KNSIM_DEBUG: '' };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const cwd = process.cwd();
  process.chdir(options.cwd ?? REPO);
  try {
    return { status: await main(args), stdout, stderr };
  } finally {
    process.chdir(cwd);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}
