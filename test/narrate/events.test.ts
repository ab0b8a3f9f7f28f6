import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import type { ObjectEvent } from '../../src/model/events.js';
import { narrateEvent, narrateObjectChange, shortPodName } from '../../src/model/narrate/events.js';

function pa(active: { status: string; reason?: string } | undefined): KubeObject {
  return {
    apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
    kind: 'PodAutoscaler',
    metadata: { name: 'hello-00001', namespace: 'default' },
    status: { conditions: active ? [{ type: 'Active', ...active }] : [] },
  };
}

function changed(object: KubeObject, op: ObjectEvent['op'] = 'modified'): ObjectEvent {
  return { t: 64_000, type: 'object', op, kind: object.kind, namespace: 'default', name: object.metadata.name, object };
}

const texts = (ns: readonly { text: string }[]) => ns.map((n) => n.text);

describe('narration of object changes', () => {
  it('leaves condition changes of PodAutoscalers, Revisions and Services to the lifecycle machines', () => {
    // The revision's machine tells activation, inactivity and readiness (test/machines): a line
    // told here as well would be said twice.
    expect(narrateObjectChange(pa({ status: 'True' }), changed(pa({ status: 'False', reason: 'NoTraffic' })))).toEqual(
      [],
    );
    expect(narrateObjectChange(pa({ status: 'False' }), changed(pa({ status: 'Unknown', reason: 'Queued' })))).toEqual(
      [],
    );
    const rev = (ready?: { status: string; reason?: string; message?: string }): KubeObject => ({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Revision',
      metadata: { name: 'hello-00002', namespace: 'default' },
      status: { conditions: ready ? [{ type: 'Ready', ...ready }] : [] },
    });
    expect(narrateObjectChange(rev(), changed(rev({ status: 'True' })))).toEqual([]);
    expect(narrateObjectChange(rev(), changed(rev({ status: 'False', reason: 'ContainerMissing' })))).toEqual([]);
  });

  it('tells a new Service or Revision and a deleted one', () => {
    const rev: KubeObject = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Revision',
      metadata: { name: 'hello-00002', namespace: 'default' },
    };
    expect(narrateObjectChange(undefined, changed(rev, 'added'))).toEqual([
      { text: 'revision hello-00002 created', tone: 'info', revision: 'hello-00002' },
    ]);
    const svc: KubeObject = { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'hello' } };
    expect(texts(narrateObjectChange(undefined, changed(svc, 'added')))).toEqual(['service hello created']);
    expect(texts(narrateObjectChange(svc, changed(svc)))).toEqual([]);
    expect(texts(narrateObjectChange(svc, changed(svc, 'deleted')))).toEqual(['service hello deleted']);
  });

  it('tells a pod STATUS change as kubectl shows it (logs without pod events)', () => {
    const pod = (ready: boolean): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hello-00001-deployment-abc-xs87v', namespace: 'default' },
      spec: { containers: [{ name: 'user-container', image: 'x' }] },
      status: {
        phase: ready ? 'Running' : 'Pending',
        containerStatuses: [
          {
            name: 'user-container',
            ready,
            restartCount: 0,
            state: ready ? { running: {} } : { waiting: { reason: 'ContainerCreating' } },
          },
        ],
      },
    });
    expect(texts(narrateObjectChange(undefined, changed(pod(false), 'added')))).toEqual([
      'pod xs87v is ContainerCreating',
    ]);
    expect(texts(narrateObjectChange(pod(false), changed(pod(true))))).toEqual(['pod xs87v is Running']);
    expect(narrateObjectChange(pod(true), changed(pod(true)))).toEqual([]);
  });

  it('tells an SKS mode change once', () => {
    const sks = (mode: string): KubeObject => ({
      apiVersion: 'networking.internal.knative.dev/v1alpha1',
      kind: 'ServerlessService',
      metadata: { name: 'hello-00001', namespace: 'default' },
      spec: { mode },
    });
    expect(texts(narrateObjectChange(sks('Proxy'), changed(sks('Serve')), { sksMode: 'Proxy' }))).toEqual([
      'the activator leaves the path of hello-00001: requests go straight to its pods (SKS mode Serve)',
    ]);
    expect(narrateObjectChange(sks('Serve'), changed(sks('Serve')), { sksMode: 'Serve' })).toEqual([]);
    expect(
      narrateEvent({ t: 1, type: 'sks', revision: 'hello-00001', mode: 'Serve', activators: 2 }, { sksMode: 'Serve' }),
    ).toEqual([]);
  });
});

describe('narration of events', () => {
  it('explains a fast-path scale to zero', () => {
    const out = narrateEvent({
      t: 64_005,
      type: 'scale',
      revision: 'knservice-00001',
      from: 1,
      to: 0,
      reason: 'fast-path',
    });
    expect(texts(out)).toEqual([
      'scaled knservice-00001 from 1 to 0 (fast path: the activator was already in the path)',
    ]);
  });

  it('explains a scale from zero and a plain scale up', () => {
    const up = (from: number, to: number) =>
      texts(narrateEvent({ t: 1, type: 'scale', revision: 'r-00001', from, to, reason: 'desired' }));
    expect(up(0, 1)).toEqual(['scaled r-00001 from 0 to 1 (requests are waiting: the autoscaler wants pods)']);
    expect(up(2, 5)).toEqual(['scaled r-00001 from 2 to 5 (the autoscaler wants 5)']);
    const panicking = narrateEvent(
      { t: 1, type: 'scale', revision: 'r-00001', from: 1, to: 2, reason: 'desired' },
      { panicking: true },
    );
    expect(texts(panicking)).toEqual(['scaled r-00001 from 1 to 2 (the autoscaler wants 2, in panic mode)']);
  });

  it('says a held request waits for a pod to start when none is ready', () => {
    const held = { t: 94_100, type: 'request', phase: 'held', id: 1, revision: 'knservice-00001' } as const;
    expect(texts(narrateEvent(held, { readyPods: 0 }))).toEqual([
      'request #1 held by the activator while knservice-00001 starts a pod',
    ]);
    expect(texts(narrateEvent(held, { readyPods: 3 }))).toEqual([
      'request #1 held by the activator until a pod of knservice-00001 has room',
    ]);
  });

  it('tells cold starts and failures, not every answered request', () => {
    const done = { t: 1, type: 'request', phase: 'done', id: 7, revision: 'r', status: 200, latencyMs: 1906 } as const;
    expect(narrateEvent({ ...done, outcome: 'ok' })).toEqual([]);
    expect(texts(narrateEvent({ ...done, outcome: 'ok', cold: true }))).toEqual([
      'request #7 answered 200 after 1.9 s (cold start)',
    ]);
    expect(texts(narrateEvent({ ...done, status: 503, outcome: '503', latencyMs: 12 }))).toEqual([
      'request #7 failed with 503 after 12 ms (no pod could take it)',
    ]);
  });

  it('tells pod phases with the short pod name', () => {
    expect(shortPodName('knservice-00001-deployment-vjbwbwnstc-xs87v')).toBe('xs87v');
    const pod = (phase: 'Ready' | 'Terminating') =>
      texts(
        narrateEvent({
          t: 1,
          type: 'pod',
          pod: 'knservice-00001-deployment-abc-xs87v',
          revision: 'knservice-00001',
          phase,
        }),
      );
    expect(pod('Ready')).toEqual(['knservice-00001 pod xs87v is ready: it takes requests']);
    expect(pod('Terminating')).toEqual(['knservice-00001 pod xs87v is terminating: it drains requests in flight']);
  });

  it('tells panic with the window and threshold of the latest tick', () => {
    const out = narrateEvent(
      { t: 1, type: 'panic', revision: 'r-00001', panicking: true },
      { panicWindowMs: 6000, panicThreshold: 2 },
    );
    expect(out[0]?.text).toMatch(/^r-00001 panics: the 6 s load is over 2× what its ready pods take/);
    expect(out[0]?.tone).toBe('bad');
  });

  it('passes narration and steps through as they are', () => {
    expect(narrateEvent({ t: 1, type: 'narration', text: 'No requests arrive.' })).toEqual([
      { text: 'No requests arrive.', tone: 'info' },
    ]);
    expect(
      narrateEvent({
        t: 1,
        type: 'step',
        index: 0,
        command: 'kubectl get pods',
        output: 'No resources found\n',
        ok: true,
      }),
    ).toEqual([{ text: '$ kubectl get pods', tone: 'step', detail: ['No resources found'] }]);
  });

  it('tells a divergence as a failure, with the rule it breaks', () => {
    const out = narrateEvent({
      t: 1,
      type: 'divergence',
      kind: 'Revision',
      namespace: 'default',
      name: 'hello-00001',
      from: 'Ready',
      to: 'Deploying',
      rule: 'ScaleTargetInitialized never goes back',
    });
    expect(out).toEqual([
      {
        text: 'divergence: Revision hello-00001 went from Ready to Deploying, which the model does not allow (ScaleTargetInitialized never goes back)',
        tone: 'bad',
        revision: 'hello-00001',
      },
    ]);
  });

  it('says nothing for samples and autoscaler ticks', () => {
    expect(narrateEvent({ t: 1, type: 'kpa.tick', revision: 'r', decision: {} })).toEqual([]);
  });
});
