/**
 * `kubectl apply --prune -l …`: kubectl looks up every kind of its default prune allowlist in
 * discovery (kubectl/pkg/util/prune/prune.go) and gives up when one is missing, so the cluster
 * must know them all, even the kinds a simulated cluster never has objects of.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, HAS_KUBECTL, type Harness, kubectl, startHarness } from './helpers.js';

let h: Harness;

/** kubectl's default prune allowlist: group, version, kind. */
const ALLOWLIST: [string, string, string][] = [
  ['', 'v1', 'ConfigMap'],
  ['', 'v1', 'Endpoints'],
  ['', 'v1', 'Namespace'],
  ['', 'v1', 'PersistentVolumeClaim'],
  ['', 'v1', 'PersistentVolume'],
  ['', 'v1', 'Pod'],
  ['', 'v1', 'ReplicationController'],
  ['', 'v1', 'Secret'],
  ['', 'v1', 'Service'],
  ['batch', 'v1', 'Job'],
  ['batch', 'v1', 'CronJob'],
  ['networking.k8s.io', 'v1', 'Ingress'],
  ['apps', 'v1', 'DaemonSet'],
  ['apps', 'v1', 'Deployment'],
  ['apps', 'v1', 'ReplicaSet'],
  ['apps', 'v1', 'StatefulSet'],
];

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

describe('the prune allowlist', () => {
  it.each(ALLOWLIST)('%s/%s %s is in discovery and lists', async (group, version, kind) => {
    const doc = (await api(h, 'GET', group === '' ? `/api/${version}` : `/apis/${group}/${version}`)).json();
    const found = (doc.resources as { name: string; kind: string; namespaced: boolean }[]).find(
      (r) => r.kind === kind && !r.name.includes('/'),
    );
    expect(found, kind).toBeDefined();
    const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    const list = await api(h, 'GET', `${base}/${found!.namespaced ? 'namespaces/default/' : ''}${found!.name}`);
    expect(list.status, list.body).toBe(200);
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl apply --prune', () => {
  it('prunes the labelled ConfigMap left out of the manifest', async () => {
    const cache = mkdtempSync(join(h.dir, 'cache-'));
    const both = join(h.dir, 'both.yaml');
    const one = join(h.dir, 'one.yaml');
    const cm = (name: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels: {app: pruned}\n`;
    writeFileSync(both, `${cm('keep')}---\n${cm('drop')}`);
    writeFileSync(one, cm('keep'));
    const made = await kubectl(h.kubeconfig, cache, ['apply', '-f', both]);
    expect(made.code, made.stderr).toBe(0);
    const r = await kubectl(h.kubeconfig, cache, ['apply', '--prune', '-l', 'app=pruned', '-f', one]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('configmap/keep unchanged\nconfigmap/drop pruned\n');
    expect((await api(h, 'GET', '/api/v1/namespaces/default/configmaps/drop')).status).toBe(404);
  });
});
