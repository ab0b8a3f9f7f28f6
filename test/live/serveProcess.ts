/** `knsim serve` in its own process on OS-assigned ports, for the end-to-end tests of live mode. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ServeProcess {
  child: ChildProcess;
  kubeconfig: string;
  /** The API's URL (https unless `--insecure-http` is among the arguments). */
  api: string;
  ingress: string;
}

/** Starts `knsim serve` with `args`, writing its kubeconfig to `kubeconfig`; resolves once it listens. */
export function startServe(kubeconfig: string, args: readonly string[]): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin/knsim.js'),
      'serve',
      '--port',
      '0',
      '--ingress-port',
      '0',
      '--kubeconfig-out',
      kubeconfig,
      ...args,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`knsim serve did not start:\n${out}\n${err}`)), 30_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /API on (https?:\/\/127\.0\.0\.1:\d+), ingress on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && existsSync(kubeconfig)) {
        clearTimeout(timer);
        resolvePromise({ child, kubeconfig, api: m[1]!, ingress: m[2]! });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`knsim serve exited (${code}):\n${out}\n${err}`));
    });
  });
}

/** Stops the processes (SIGTERM, then SIGKILL after 5 s). */
export async function stopServes(children: readonly ChildProcess[]): Promise<void> {
  for (const child of children) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
