/**
 * knsim serve with output paths that cannot be written: an error and exit 2, not a server that
 * hangs; and its start-up banner.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, hasStackTrace, knsim, REPO, scratch } from './helpers.js';

describe('knsim serve with a bad output path', () => {
  const dir = scratch();
  mkdirSync(join(dir, 'adir'));
  const missing = join(dir, 'no/such/dir/file');

  it.each([
    ['--log <directory>', ['--log', join(dir, 'adir')], '--log '],
    ['--log <missing dir>', ['--log', missing], '--log '],
    ['--kubeconfig-out <directory>', ['--kubeconfig-out', join(dir, 'adir')], '--kubeconfig-out '],
    ['--kubeconfig-out <missing dir>', ['--kubeconfig-out', missing], '--kubeconfig-out '],
  ])('%s', (_name, args, flag) => {
    // Before the fix the server reported the error and kept running (the spawn timed out).
    const r = knsim(['serve', '--port', '0', '--ingress-port', '0', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^knsim: ${flag}${dir}/.*: cannot open: (it is a directory|no such file or directory)\\n$`),
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).not.toContain('Kubernetes API on');
  });
});

/**
 * Starts `knsim serve` and resolves with its stdout once the banner is complete (it ends with
 * "Press Ctrl-C to stop."), then stops it. Waits on the output, with a generous deadline.
 */
async function banner(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--ingress-port', '0', ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const deadline = Date.now() + 100_000;
    while (!out.includes('Press Ctrl-C to stop.')) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`knsim serve did not start:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return out;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe('knsim serve starting up', () => {
  it('writes the kubeconfig and says how to use it, with the domain in force', async () => {
    const dir = scratch();
    const kubeconfig = join(dir, 'kc');
    const out = await banner(['--kubeconfig-out', kubeconfig, '--insecure-http']);
    expect(out).toMatch(/^knsim serve: Kubernetes API on http:\/\/127\.0\.0\.1:\d+, ingress on http/);
    expect(out).toContain('speed 1x (1 real second = 1 simulated second), seed 1');
    expect(out).toContain(`export KUBECONFIG=${kubeconfig}`);
    // Knative's default domain, since no config-domain says otherwise.
    expect(out).toMatch(/curl -H 'Host: <service>\.<namespace>\.svc\.cluster\.local' http:\/\/127\.0\.0\.1:\d+\//);
    expect(readFileSync(kubeconfig, 'utf8')).toContain('current-context');
  });

  it("names the scenario's domain when --scenario sets config-domain", async () => {
    const out = await banner(['--insecure-http', '--scenario', 'scenarios/seed-walkthrough.yaml']);
    expect(out).toContain("curl -H 'Host: <service>.<namespace>.example.com' http://127.0.0.1:");
  });
});
