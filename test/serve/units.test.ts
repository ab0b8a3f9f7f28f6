/** The serve building blocks on their own: selectors, patches, the watch history, kubeconfig. */

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/model/api/types.js';
import { parseFieldSelector, parseLabelSelector, SelectorError } from '../../src/model/rules/selectors.js';
import { kubeconfigYaml } from '../../src/serve/kubeconfig.js';
import { applyMerge, jsonPatch, mergePatch, stripDirectives } from '../../src/serve/patch.js';
import { ApiError } from '../../src/serve/status.js';
import { type HistoryEvent, WatchHub } from '../../src/serve/watch.js';
import { ObjectStore } from '../../src/sim/store.js';

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data,
});

describe('label selectors', () => {
  it('supports =, ==, !=, in, notin, exists and !exists', () => {
    const l = { app: 'a', tier: 'web' };
    expect(parseLabelSelector('app=a')(l)).toBe(true);
    expect(parseLabelSelector('app==b')(l)).toBe(false);
    expect(parseLabelSelector('app!=b,tier=web')(l)).toBe(true);
    expect(parseLabelSelector('tier in (db, web)')(l)).toBe(true);
    expect(parseLabelSelector('tier notin (db,web)')(l)).toBe(false);
    expect(parseLabelSelector('app')(l)).toBe(true);
    expect(parseLabelSelector('!app')(l)).toBe(false);
    expect(parseLabelSelector('!gone')(undefined)).toBe(true);
    expect(parseLabelSelector('')(undefined)).toBe(true);
    expect(() => parseLabelSelector('a in (')).toThrow(SelectorError);
  });

  it('field selectors know metadata.name and metadata.namespace and reject the rest', () => {
    expect(parseFieldSelector('metadata.name=x', 'ConfigMap')(cm('x'))).toBe(true);
    expect(parseFieldSelector('metadata.name!=x', 'ConfigMap')(cm('x'))).toBe(false);
    expect(parseFieldSelector('metadata.namespace=default,metadata.name=y', 'ConfigMap')(cm('y'))).toBe(true);
    expect(() => parseFieldSelector('spec.x=1', 'ConfigMap')).toThrow('field label not supported: spec.x');
  });
});

describe('patches', () => {
  it('merge patch (RFC 7386): objects merge, null deletes, lists replace', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] })).toEqual({
      a: 1,
      b: { d: 3, e: 4 },
      l: [3],
    });
  });

  it('strategic merge directives are dropped', () => {
    expect(stripDirectives({ $retainKeys: ['a'], data: { a: '1' }, '$setElementOrder/x': [] })).toEqual({
      data: { a: '1' },
    });
  });

  it('JSON patch: add, replace, remove, move, copy, test', () => {
    const doc = { a: { b: [1, 2] }, c: 'x' };
    expect(
      jsonPatch(doc, [
        { op: 'add', path: '/a/b/-', value: 3 },
        { op: 'replace', path: '/c', value: 'y' },
        { op: 'copy', from: '/c', path: '/d' },
        { op: 'move', from: '/d', path: '/e' },
        { op: 'remove', path: '/a/b/0' },
        { op: 'test', path: '/e', value: 'y' },
      ]),
    ).toEqual({ a: { b: [2, 3] }, c: 'y', e: 'y' });
    expect(doc).toEqual({ a: { b: [1, 2] }, c: 'x' });
    expect(() => jsonPatch(doc, [{ op: 'remove', path: '/nope' }])).toThrow(ApiError);
    expect(() => jsonPatch(doc, [{ op: 'test', path: '/c', value: 'z' }])).toThrow(ApiError);
  });

  it('server-side apply merge keeps fields it does not mention', () => {
    expect(applyMerge({ a: 1, b: { c: 2 } }, { b: { d: 3 } })).toEqual({ a: 1, b: { c: 2, d: 3 } });
  });
});

describe('watch history', () => {
  const store = () => new ObjectStore({ timestamp: () => '2026-01-01T00:00:00Z', uid: () => 'u' });

  it('replays events after a resourceVersion, in order, and refuses one older than the history', async () => {
    const s = store();
    const hub = new WatchHub(s, 3);
    for (let i = 0; i < 5; i++) s.create(cm(`c${i}`));
    await Promise.resolve();
    const seen: HistoryEvent[] = [];
    const tooOld = hub.subscribe({ type: 'configmaps', deliver: (e) => seen.push(e) }, 1);
    expect(tooOld).toEqual({ ok: false, floor: 2 });
    const sub = hub.subscribe({ type: 'configmaps', deliver: (e) => seen.push(e) }, 3);
    expect(sub.ok).toBe(true);
    expect(seen.map((e) => e.rv)).toEqual([4, 5]);
    s.update({ ...cm('c0', { a: '1' }) });
    s.remove('configmaps', 'default', 'c1');
    await Promise.resolve();
    expect(seen.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED c3',
      'ADDED c4',
      'MODIFIED c0',
      'DELETED c1',
    ]);
    expect(seen[2]?.previous?.data).toEqual({});
    hub.close();
  });

  it('delivers events written from inside another listener in resourceVersion order', async () => {
    const s = store();
    // A listener registered before the hub that writes while the store is notifying.
    s.watch((e) => {
      if (e.object.metadata.name === 'first') s.create(cm('second'));
    });
    const hub = new WatchHub(s);
    const seen: number[] = [];
    hub.subscribe({ type: 'configmaps', deliver: (e) => seen.push(e.rv) }, 0);
    s.create(cm('first'));
    await Promise.resolve();
    expect(seen).toEqual([1, 2]);
    hub.close();
  });
});

describe('kubeconfig', () => {
  it('https with the CA and a token, or http with insecure-skip-tls-verify', () => {
    const tls = parse(kubeconfigYaml({ server: 'https://127.0.0.1:1', token: 't', ca: 'PEM' }));
    expect(tls.clusters[0].cluster).toEqual({
      server: 'https://127.0.0.1:1',
      'certificate-authority-data': Buffer.from('PEM').toString('base64'),
    });
    expect(tls.users[0].user.token).toBe('t');
    expect(tls['current-context']).toBe('knsim');
    const plain = parse(kubeconfigYaml({ server: 'http://127.0.0.1:1', token: 't' }));
    expect(plain.clusters[0].cluster['insecure-skip-tls-verify']).toBe(true);
  });
});

describe('--scenario', () => {
  it("takes the scenario's seed, settings and knative-serving ConfigMaps", async () => {
    const { scenarioStartup } = await import('../../src/serve/scenario.js');
    const { KnsimServer } = await import('../../src/serve/server.js');
    const startup = scenarioStartup('scenarios/seed-walkthrough.yaml');
    expect(startup.seed).toBe(1);
    expect(startup.configMaps['config-domain']).toEqual({ 'example.com': '' });
    const server = new KnsimServer({ tls: 'off', settings: startup.settings, configMaps: startup.configMaps });
    const cm = server.cluster.store.get('configmaps', 'knative-serving', 'config-domain') as KubeObject & {
      data?: Record<string, string>;
    };
    expect(cm.data).toEqual({ 'example.com': '' });
    expect(server.cluster.store.get('namespaces', undefined, 'knative-serving')).toBeDefined();
  });
});
