import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { describeKubeError, loadKubeConfig } from '../../src/backends/live/kube.js';
import { preflight } from '../../src/backends/live/preflight.js';
import { type FakeApiOptions, FakeApiServer } from './fakeApi.js';

const servers: FakeApiServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.stop();
});

async function fake(options: FakeApiOptions = {}): Promise<FakeApiServer> {
  const s = new FakeApiServer(options);
  await s.start();
  servers.push(s);
  return s;
}

function kubeConfigFor(server: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'test-token' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

describe('preflight', () => {
  it('passes against a cluster with Knative and permissions', async () => {
    const s = await fake();
    const r = await preflight(s.kubeConfig(), 'default');
    expect(r.version).toBe('v1.30.0-fake');
    expect(r.groups.has('serving.knative.dev')).toBe(true);
    expect(s.requests.filter((q) => q.path.endsWith('selfsubjectaccessreviews')).length).toBeGreaterThan(0);
  });

  it('says the cluster cannot be reached when the connection is refused', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(preflight(kubeConfigFor(`http://127.0.0.1:${port}`), 'default')).rejects.toThrow(
      `cannot reach the cluster at http://127.0.0.1:${port}: connection refused`,
    );
  });

  it('says when the server does not answer in time', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      await expect(preflight(kubeConfigFor(`http://127.0.0.1:${port}`), 'default', 300)).rejects.toThrow(
        `cannot reach the cluster at http://127.0.0.1:${port}: timed out`,
      );
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('names an unknown host', () => {
    const e = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' });
    expect(describeKubeError(e, 'https://nowhere.invalid:6443')).toBe(
      'cannot reach the cluster at https://nowhere.invalid:6443: host not found',
    );
  });

  it('says the credentials were rejected on 401', async () => {
    const s = await fake({ unauthorized: true });
    await expect(preflight(s.kubeConfig(), 'default')).rejects.toThrow(
      `the cluster at ${s.url} rejected the credentials (401 Unauthorized)`,
    );
  });

  it('says Knative Serving is not installed when serving.knative.dev/v1 is not served', async () => {
    const s = await fake({ noKnative: true });
    await expect(preflight(s.kubeConfig(), 'default')).rejects.toThrow(/^Knative Serving is not installed: /);
  });

  it('says which permission is missing (SelfSubjectAccessReview denies)', async () => {
    const s = await fake({ denyVerbs: ['create'] });
    await expect(preflight(s.kubeConfig(), 'team-a')).rejects.toThrow(
      'no permission: the kubeconfig user may not create services.serving.knative.dev in namespace "team-a"',
    );
  });

  it('falls back to listing when access reviews are forbidden, and reports the 403', async () => {
    const s = await fake({ forbidden: true });
    await expect(preflight(s.kubeConfig(), 'default')).rejects.toThrow(
      'no permission: the kubeconfig user may not list services.serving.knative.dev in namespace "default" (403 Forbidden)',
    );
  });

  it('reads a kubeconfig file with a context and allows plain http', async () => {
    const s = await fake();
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'knsim-kc-'));
    const file = join(dir, 'config');
    writeFileSync(file, s.kubeconfigYaml().replace('    insecure-skip-tls-verify: true\n', ''));
    const kc = loadKubeConfig({ kubeconfig: file, context: 'fake' });
    await expect(preflight(kc, 'default')).resolves.toBeDefined();
    expect(() => loadKubeConfig({ kubeconfig: file, context: 'nope' })).toThrow(
      `--context "nope": no such context in --kubeconfig ${file} (contexts: fake)`,
    );
  });

  it('checks access in other namespaces when asked (knative-serving ConfigMaps)', async () => {
    const s = await fake({ denyVerbs: ['patch'] });
    await expect(preflight(s.kubeConfig(), 'default')).resolves.toBeDefined();
    await expect(
      preflight(s.kubeConfig(), 'default', 10_000, [['patch', '', 'configmaps', 'knative-serving']]),
    ).rejects.toThrow('no permission: the kubeconfig user may not patch configmaps in namespace "knative-serving"');
  });

  it('gives up on an object call to a server that never answers', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const { KubeClient } = await import('../../src/backends/live/kube.js');
      const client = new KubeClient(kubeConfigFor(`http://127.0.0.1:${port}`), 200);
      const e = await client.request('GET', '/api/v1/namespaces/default/pods').catch((x: unknown) => x);
      expect(describeKubeError(e, `http://127.0.0.1:${port}`)).toBe(
        `cannot reach the cluster at http://127.0.0.1:${port}: timed out`,
      );
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
