/**
 * `kubectl logs` (the pods/log subresource: the app's access lines, queue-proxy's lines, the
 * kubelet's errors) and `kubectl auth can-i` / `whoami` (the admin may do everything), through
 * raw requests always and the real kubectl when it is installed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/model/api/types.js';
import {
  ARTICLE_YAML,
  api,
  eventually,
  HAS_KUBECTL,
  type Harness,
  ingress,
  type KubectlResult,
  kubectl,
  startHarness,
} from './helpers.js';

let h: Harness;
let pod = '';
const logPath = (query = '') => `/api/v1/namespaces/default/pods/${pod}/log${query}`;

beforeAll(async () => {
  h = await startHarness({ speed: 5 });
  const created = await api(h, 'POST', '/apis/serving.knative.dev/v1/namespaces/default/services', ARTICLE_YAML, {
    'content-type': 'application/yaml',
  });
  expect(created.status).toBe(201);
  pod = await eventually(async () => {
    const ready = h.server.cluster.store
      .list<Pod>('pods', 'default')
      .find((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return ready?.metadata.name;
  }, 60_000);
  const reply = await ingress(h.server.ingressPort, 'knservice.default.svc.cluster.local');
  expect(reply.status).toBe(200);
});

afterAll(async () => {
  await h?.stop();
});

describe('pods/log through the API', () => {
  it('has the app’s start-up and access lines and queue-proxy’s JSON lines', async () => {
    const app = await api(h, 'GET', logPath('?container=user-container'));
    expect(app.status).toBe(200);
    expect(app.headers['content-type']).toBe('text/plain');
    const lines = app.body.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['Starting server on port 8080', 'Listening on :8080']);
    expect(lines[2]).toMatch(/^127\.0\.0\.1 - - \[01\/Jan\/2026:\d\d:\d\d:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 15$/);
    const queue = await api(h, 'GET', logPath('?container=queue-proxy&tailLines=2&timestamps=true'));
    const tail = queue.body.trimEnd().split('\n');
    expect(tail).toHaveLength(2);
    expect(tail[0]).toMatch(/^2026-01-01T\d\d:\d\d:\d\d\.\d{9}Z \{"severity":"INFO",/);
  });

  it('answers the kubelet’s errors', async () => {
    const none = await api(h, 'GET', logPath());
    expect(none.status).toBe(400);
    expect(none.json().message).toBe(
      `a container name must be specified for pod ${pod}, choose one of: [user-container queue-proxy]`,
    );
    expect((await api(h, 'GET', logPath('?container=nope'))).json().message).toBe(
      `container nope is not valid for pod ${pod}`,
    );
    expect((await api(h, 'GET', logPath('?container=user-container&previous=true'))).json().message).toBe(
      `previous terminated container "user-container" in pod "${pod}" not found`,
    );
    expect((await api(h, 'GET', '/api/v1/namespaces/default/pods/nope/log')).status).toBe(404);
  });

  it('answers access reviews for the admin: allowed', async () => {
    const r = await api(h, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: { verb: 'delete', group: 'serving.knative.dev', resource: 'services', namespace: 'x' },
      },
    });
    expect(r.status).toBe(201);
    expect(r.json().status.allowed).toBe(true);
    const who = await api(h, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect(who.json().status.userInfo.username).toBe('kubernetes-admin');
    expect((await api(h, 'GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).status).toBe(405);
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl logs and kubectl auth', () => {
  const k = (...args: string[]): Promise<KubectlResult> => kubectl(h.kubeconfig, join(h.dir, 'cache'), args);

  it('kubectl logs of the pod, -c queue-proxy, of the deployment, and its errors', async () => {
    const app = await k('logs', pod);
    expect(app.code).toBe(0);
    expect(app.stderr).toBe('Defaulted container "user-container" out of: user-container, queue-proxy\n');
    expect(app.stdout).toMatch(/^Starting server on port 8080\nListening on :8080\n127\.0\.0\.1 - - /);
    const queue = await k('logs', pod, '-c', 'queue-proxy');
    expect(JSON.parse(queue.stdout.split('\n')[0] ?? '{}')).toMatchObject({
      logger: 'queueproxy',
      message: 'Starting queue-proxy',
      'knative.dev/key': 'default/knservice-00001',
      'knative.dev/pod': pod,
    });
    const deployment = await k('logs', 'deployment/knservice-00001-deployment', '--tail=1');
    expect(deployment.stdout).toMatch(/"GET \/ HTTP\/1\.1" 200 15\n$/);
    const previous = await k('logs', pod, '--previous');
    expect(previous.code).toBe(1);
    expect(previous.stderr).toContain(
      `Error from server (BadRequest): previous terminated container "user-container" in pod "${pod}" not found`,
    );
  });

  it('kubectl auth can-i says yes, whoami names the admin', async () => {
    expect((await k('auth', 'can-i', 'create', 'ksvc')).stdout).toBe('yes\n');
    expect((await k('auth', 'can-i', 'delete', 'pods', '-n', 'kube-system')).stdout).toBe('yes\n');
    expect((await k('auth', 'can-i', '*', '*')).stdout).toBe('yes\n');
    const who = await k('auth', 'whoami');
    expect(who.stdout).toMatch(/Username +kubernetes-admin\n/);
    expect((await k('auth', 'can-i', '--list')).stdout).toMatch(/^Resources +Non-Resource URLs/);
  });
});
