/** Without TLS: plain http, no authentication; kubectl and client-node (skipTLSVerify) still work. */

import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_KUBECTL, type Harness, ingress, kubectl, startHarness } from './helpers.js';

let h: Harness;
let log = '';
const requests: string[] = [];

beforeAll(async () => {
  h = await startHarness({
    tls: 'off',
    logSink: (text) => {
      log += text;
    },
    onApiRequest: (method, path, status) => requests.push(`${status} ${method} ${path}`),
    onIngressRequest: (e) => requests.push(`ingress ${e.status} ${e.host}`),
  });
});

afterAll(async () => {
  await h?.stop();
});

describe('knsim serve over plain http', () => {
  it.skipIf(!HAS_KUBECTL)('serves kubectl and client-node', async () => {
    expect(h.server.apiUrl).toMatch(/^http:\/\//);
    const r = await kubectl(h.kubeconfig, join(h.dir, 'cache'), ['get', 'ns', 'knative-serving', '-o', 'name']);
    expect(r.stdout).toBe('namespace/knative-serving\n');
    const kc = new k8s.KubeConfig();
    kc.loadFromString(h.server.kubeconfig());
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const list = await core.listNamespacedConfigMap({ namespace: 'knative-serving' });
    expect(list.items.length).toBeGreaterThanOrEqual(5);
  });

  it.skipIf(!HAS_KUBECTL)('streams the event log and reports API requests', async () => {
    const created = await kubectl(h.kubeconfig, join(h.dir, 'cache'), ['create', 'namespace', 'logged']);
    expect(created.stdout).toBe('namespace/logged created\n');
    const lines = log
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'header', backend: 'sim', scenario: 'knsim serve' });
    expect(requests).toContain('201 POST /api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict');
    await ingress(h.server.ingressPort, 'nobody.example.com');
    expect(requests).toContain('ingress 404 nobody.example.com');
  });
});
