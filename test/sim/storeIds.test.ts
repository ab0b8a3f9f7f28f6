/**
 * The store's indexes file objects under a `namespace/name` id their bucket makes once
 * (src/sim/store.ts `Bucket.id`): ids of removed objects must go with them (pod names are never
 * used twice: a day's pods would pile up), and an index must answer as before whether it came
 * before or after the objects (the lists-and-indexes property in store.test.ts checks the answers).
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import { ObjectStore } from '../../src/sim/store.js';

const pod = (name: string, owner: string, namespace = 'default'): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { owner } },
  }) as KubeObject;

const store = () => {
  let uid = 0;
  return new ObjectStore({ timestamp: () => '2026-01-01T00:00:00Z', uid: () => `uid-${++uid}` });
};

describe('index ids', () => {
  it('are kept for the objects there are, not for those removed', () => {
    const s = store();
    s.addIndex('pods', 'owner', (o) => [o.metadata.labels?.owner ?? '']);
    s.create(pod('keep', 'a'));
    for (let i = 0; i < 50; i++) {
      s.create(pod(`p-${i}`, i % 2 ? 'a' : 'b'));
      s.updateStatus('pods', 'default', `p-${i}`, { phase: 'Running' });
      s.remove('pods', 'default', `p-${i}`);
    }
    const buckets = (s as unknown as { byType: Map<string, Map<string, { ids: Map<string, string> }>> }).byType;
    expect([...buckets.get('pods')!.get('default')!.ids.entries()]).toEqual([['keep', 'default/keep']]);
    expect(s.byIndex('pods', 'owner', 'a').map((o) => o.metadata.name)).toEqual(['keep']);
    expect(s.byIndex('pods', 'owner', 'b')).toEqual([]);
  });

  it('tell the same name in two namespaces apart, written before or after the index', () => {
    for (const indexFirst of [true, false]) {
      const s = store();
      const byOwner = (o: KubeObject) => [o.metadata.labels?.owner ?? ''];
      if (indexFirst) s.addIndex('pods', 'owner', byOwner);
      s.create(pod('x', 'a', 'prod'));
      s.create(pod('x', 'a', 'default'));
      s.create(pod('y', 'a', 'prod'));
      if (!indexFirst) s.addIndex('pods', 'owner', byOwner);
      s.updateStatus('pods', 'prod', 'x', { phase: 'Running' });
      const ids = (objs: KubeObject[]) => objs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
      expect(ids(s.byIndex('pods', 'owner', 'a'))).toEqual(['default/x', 'prod/x', 'prod/y']);
      expect(s.byIndex('pods', 'owner', 'a')[1]!.status).toEqual({ phase: 'Running' });
      s.remove('pods', 'default', 'x');
      expect(ids(s.byIndex('pods', 'owner', 'a'))).toEqual(['prod/x', 'prod/y']);
    }
  });
});
