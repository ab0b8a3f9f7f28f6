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
    timeout: options.timeout ?? 30_000,
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
