/** knsim serve with output paths that cannot be written: an error and exit 2, not a server that hangs. */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, knsim, scratch } from './helpers.js';

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
    const r = knsim(['serve', '--port', '0', '--ingress-port', '0', ...args], { timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^knsim: ${flag}${dir}/.*: cannot open: (it is a directory|no such file or directory)\\n$`),
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).not.toContain('Kubernetes API on');
  });
});

describe('knsim serve starting up', () => {
  it('writes the kubeconfig and says how to use it', () => {
    const dir = scratch();
    const kubeconfig = join(dir, 'kc');
    // spawnSync cannot stop the server politely: let it run briefly, then the deadline kills it.
    const r = knsim(['serve', '--kubeconfig-out', kubeconfig, '--insecure-http'], { timeout: 8_000 });
    expect(r.stdout).toMatch(/^knsim serve: Kubernetes API on http:\/\/127\.0\.0\.1:\d+, ingress on http/);
    expect(r.stdout).toContain('speed 1x (1 real second = 1 simulated second), seed 1');
    expect(r.stdout).toContain(`export KUBECONFIG=${kubeconfig}`);
    expect(readFileSync(kubeconfig, 'utf8')).toContain('current-context');
  }, 20_000);
});
