import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  ConfigMap,
  Configuration,
  Deployment,
  PodAutoscaler,
  Route,
  ServerlessService,
} from '../../src/model/api/types.js';
import { resolveResourceName } from '../../src/model/rules/resources.js';
import {
  renderKubectlGet,
  renderKubectlGetMany,
  renderTable,
  summarizePod,
  tabwriterFormat,
} from '../../src/model/rules/tables.js';
import { isoAt } from '../../src/model/rules/time.js';
import { ksvc, pod, readyCondition, revision } from './fixtures.js';

const at = (seconds: number) => ({ namespace: 'default', nowMs: seconds * 1000 });

describe('renderTable (kubectl tabwriter: minwidth 6, padding 3)', () => {
  it('pads every cell but the last to the widest cell of its column + 3', () => {
    expect(renderTable(['NAME', 'READY'], [['a', 'True']])).toBe('NAME   READY\na      True\n');
  });

  it('gives narrow columns at least 6 characters', () => {
    expect(renderTable(['A', 'B', 'C'], [['x', 'y', 'z']])).toBe('A     B     C\nx     y     z\n');
  });

  it('leaves trailing spaces when the last cell is empty, as kubectl does', () => {
    expect(renderTable(['NAME', 'READY', 'REASON'], [['a', 'True', '']])).toBe(
      'NAME   READY   REASON\na      True    \n',
    );
  });

  it('shows only the first line of a multi-line cell, followed by ...', () => {
    expect(renderTable(['NAME', 'MSG'], [['a', 'first\nsecond']])).toBe('NAME   MSG\na      first...\n');
  });

  it('aligns every row: each cell starts where its header starts, at least 3 spaces after the widest cell before it', () => {
    const cell = fc.stringMatching(/^[a-z0-9./:-]{0,20}$/);
    const table = fc
      .integer({ min: 1, max: 6 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.stringMatching(/^[A-Z]{1,12}$/), { minLength: n, maxLength: n }),
          fc.array(fc.array(cell, { minLength: n, maxLength: n }), { maxLength: 8 }),
        ),
      );
    fc.assert(
      fc.property(table, ([headers, rows]) => {
        const lines = renderTable(headers, rows).split('\n');
        expect(lines.pop()).toBe('');
        // Header cells have no spaces, so the header line tells where each column starts.
        const starts = [...lines[0]!.matchAll(/\S+/g)].map((m) => m.index);
        expect(starts).toHaveLength(headers.length);
        [headers, ...rows].forEach((cells, r) => {
          const line = lines[r]!;
          cells.forEach((text, c) => {
            const from = starts[c]!;
            const to = c + 1 < cells.length ? starts[c + 1]! : line.length;
            expect(line.slice(from, to).trimEnd()).toBe(text);
            if (c + 1 < cells.length) expect(to - from).toBeGreaterThanOrEqual(Math.max(6, text.length + 3));
          });
        });
      }),
    );
  });

  it('formats column blocks separately when rows have different numbers of cells', () => {
    // Go: the second column of lines 1-2 is one block; line 3 has no second column.
    expect(tabwriterFormat([['a', 'bb', 'c'], ['aaaa', 'b', 'c'], ['x']])).toBe('a      bb    c\naaaa   b     c\nx');
  });
});

describe('kubectl get, as in the seed walk-through', () => {
  const ready = [readyCondition('True')];

  it('ksvc', () => {
    const svc = ksvc('knservice', {
      url: 'http://knservice.default.example.com',
      created: 'knservice-00001',
      ready: 'knservice-00001',
      conditions: ready,
    });
    expect(renderKubectlGet('ksvc', [svc], at(121))).toBe(
      'NAME        URL                                    LATESTCREATED     LATESTREADY       READY   REASON\n' +
        'knservice   http://knservice.default.example.com   knservice-00001   knservice-00001   True    \n',
    );
  });

  it('configurations', () => {
    const config: Configuration = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Configuration',
      metadata: { name: 'knservice', namespace: 'default' },
      spec: { template: { spec: {} } },
      status: {
        latestCreatedRevisionName: 'knservice-00001',
        latestReadyRevisionName: 'knservice-00001',
        conditions: ready,
      },
    };
    expect(renderKubectlGet('configurations', [config], at(121))).toBe(
      'NAME        LATESTCREATED     LATESTREADY       READY   REASON\n' +
        'knservice   knservice-00001   knservice-00001   True    \n',
    );
  });

  it('routes', () => {
    const route: Route = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Route',
      metadata: { name: 'knservice', namespace: 'default' },
      spec: {},
      status: { url: 'http://knservice.default.example.com', conditions: ready },
    };
    expect(renderKubectlGet('routes', [route], at(121))).toBe(
      'NAME        URL                                    READY   REASON\n' +
        'knservice   http://knservice.default.example.com   True    \n',
    );
  });

  it('revision, with the 6 columns current Knative prints (no K8S SERVICE NAME)', () => {
    const rev = revision('knservice-00001', 'knservice', 1, {
      conditions: ready,
      actualReplicas: 1,
      desiredReplicas: 1,
    });
    expect(renderKubectlGet('revision', [rev], at(121))).toBe(
      'NAME              CONFIG NAME   GENERATION   READY   REASON   ACTUAL REPLICAS   DESIRED REPLICAS\n' +
        'knservice-00001   knservice     1            True             1                 1\n',
    );
  });

  it('revisions with absent replica counts print empty cells, not <none>', () => {
    const rev = revision('hello-00002', 'hello', 2, { conditions: [readyCondition('Unknown', 'Deploying')] });
    expect(renderKubectlGet('rev', [rev], at(1))).toBe(
      'NAME          CONFIG NAME   GENERATION   READY     REASON      ACTUAL REPLICAS   DESIRED REPLICAS\n' +
        'hello-00002   hello         2            Unknown   Deploying                     \n',
    );
  });

  it('pods, 2m1s after creation', () => {
    const p = pod('knservice-00001-deployment-57f695cdc6-pbtvj', isoAt(0));
    expect(renderKubectlGet('pods', [p], at(121))).toBe(
      'NAME                                          READY   STATUS    RESTARTS   AGE\n' +
        'knservice-00001-deployment-57f695cdc6-pbtvj   2/2     Running   0          2m1s\n',
    );
  });

  it('pods after scale to zero', () => {
    expect(renderKubectlGet('pods', [], at(300))).toBe('No resources found in default namespace.');
  });

  it('the fresh pod after scale from zero', () => {
    const p = pod('knservice-00001-deployment-57f695cdc6-5s55q', isoAt(600_000));
    expect(renderKubectlGet('po', [p], at(603))).toBe(
      'NAME                                          READY   STATUS    RESTARTS   AGE\n' +
        'knservice-00001-deployment-57f695cdc6-5s55q   2/2     Running   0          3s\n',
    );
  });
});

describe('pod STATUS and READY, as kubectl computes them', () => {
  it('a starting pod shows the waiting reason and 0/2', () => {
    const s = summarizePod(pod('p', isoAt(0), { phase: 'Pending', ready: false, waiting: 'ContainerCreating' }));
    expect([s.status, `${s.readyContainers}/${s.totalContainers}`]).toEqual(['ContainerCreating', '0/2']);
  });

  it('a pending pod without container statuses shows Pending', () => {
    const p = pod('p', isoAt(0), { phase: 'Pending' });
    p.status!.containerStatuses = [];
    expect(summarizePod(p).status).toBe('Pending');
  });

  it('a pod being deleted shows Terminating', () => {
    expect(summarizePod(pod('p', isoAt(0), { deletionTimestamp: isoAt(60) })).status).toBe('Terminating');
  });

  it('an image that cannot be pulled shows ImagePullBackOff', () => {
    expect(
      summarizePod(pod('p', isoAt(0), { phase: 'Pending', ready: false, waiting: 'ImagePullBackOff' })).status,
    ).toBe('ImagePullBackOff');
  });

  it('a terminated container without a reason shows ExitCode:<n>', () => {
    const p = pod('p', isoAt(0));
    p.status!.containerStatuses![1]!.state = { terminated: { exitCode: 2 } };
    p.status!.containerStatuses![1]!.ready = false;
    expect(summarizePod(p)).toMatchObject({ status: 'ExitCode:2', readyContainers: 1 });
  });

  it('RESTARTS sums the containers', () => {
    expect(summarizePod(pod('p', isoAt(0), { restarts: 3 })).restarts).toBe(3);
  });
});

describe('other tables', () => {
  it('deployments', () => {
    const d: Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'knservice-00001-deployment', namespace: 'default', creationTimestamp: isoAt(0) },
      spec: { replicas: 1 },
      status: { replicas: 1, readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 },
    };
    expect(renderKubectlGet('deploy', [d], at(720))).toBe(
      'NAME                         READY   UP-TO-DATE   AVAILABLE   AGE\n' +
        'knservice-00001-deployment   1/1     1            1           12m\n',
    );
  });

  it('configmaps', () => {
    const cm: ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'config-domain', namespace: 'knative-serving', creationTimestamp: isoAt(0) },
      data: { 'example.com': '' },
    };
    expect(renderKubectlGet('cm', [cm], at(5 * 3600 + 180))).toBe(
      'NAME            DATA   AGE\nconfig-domain   1      5h3m\n',
    );
  });

  it('podautoscalers', () => {
    const pa: PodAutoscaler = {
      apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
      kind: 'PodAutoscaler',
      metadata: { name: 'knservice-00001', namespace: 'default' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'knservice-00001-deployment' } },
      status: { desiredScale: 0, actualScale: 0, conditions: [readyCondition('False', 'NoTraffic')] },
    };
    expect(renderKubectlGet('kpa', [pa], at(0))).toBe(
      'NAME              DESIREDSCALE   ACTUALSCALE   READY   REASON\n' +
        'knservice-00001   0              0             False   NoTraffic\n',
    );
  });

  it('serverlessservices', () => {
    const sks: ServerlessService = {
      apiVersion: 'networking.internal.knative.dev/v1alpha1',
      kind: 'ServerlessService',
      metadata: { name: 'autoscale-go-00001', namespace: 'default' },
      spec: { mode: 'Proxy', numActivators: 2, objectRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' } },
      status: {
        serviceName: 'autoscale-go-00001',
        privateServiceName: 'autoscale-go-00001-private',
        conditions: [readyCondition('Unknown', 'NoHealthyBackends')],
      },
    };
    expect(renderKubectlGet('sks', [sks], at(0))).toBe(
      'NAME                 MODE    ACTIVATORS   SERVICENAME          PRIVATESERVICENAME           READY     REASON\n' +
        'autoscale-go-00001   Proxy   2            autoscale-go-00001   autoscale-go-00001-private   Unknown   NoHealthyBackends\n',
    );
  });

  it('sorts rows by name and can print all namespaces', () => {
    const a = ksvc('b-svc');
    const b = ksvc('a-svc');
    b.metadata.namespace = 'zz';
    const out = renderKubectlGet('ksvc', [a, b], { nowMs: 0, allNamespaces: true });
    expect(out.split('\n')[0]).toMatch(/^NAMESPACE {3}NAME /);
    expect(out.split('\n')[1]).toMatch(/^default {5}b-svc/);
    expect(
      renderKubectlGet('ksvc', [a, b], at(0))
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(['NAME', 'a-svc', 'b-svc', '']);
  });

  it("an unknown resource type gives kubectl's error", () => {
    expect(renderKubectlGet('foo', [], at(0))).toBe('error: the server doesn\'t have a resource type "foo"');
  });
});

describe('kubectl get for several types', () => {
  it('prints one table per type with kind-prefixed names, separated by a blank line', () => {
    const pods = resolveResourceName('pods');
    const ksvcs = resolveResourceName('ksvc');
    const deployments = resolveResourceName('deploy');
    if (!pods.ok || !ksvcs.ok || !deployments.ok) throw new Error('types must resolve');
    const out = renderKubectlGetMany(
      [
        { resource: pods.resource, objects: [pod('knservice-00001-deployment-57f695cdc6-pbtvj', isoAt(0))] },
        { resource: deployments.resource, objects: [] },
        {
          resource: ksvcs.resource,
          objects: [
            ksvc('knservice', {
              url: 'http://knservice.default.example.com',
              created: 'knservice-00001',
              ready: 'knservice-00001',
              conditions: [readyCondition('True')],
            }),
          ],
        },
      ],
      at(121),
    );
    expect(out).toBe(
      'NAME                                              READY   STATUS    RESTARTS   AGE\n' +
        'pod/knservice-00001-deployment-57f695cdc6-pbtvj   2/2     Running   0          2m1s\n' +
        '\n' +
        'NAME                                    URL                                    LATESTCREATED     LATESTREADY       READY   REASON\n' +
        'service.serving.knative.dev/knservice   http://knservice.default.example.com   knservice-00001   knservice-00001   True    \n',
    );
  });

  it('nothing at all: No resources found', () => {
    const pods = resolveResourceName('pods');
    if (!pods.ok) throw new Error('pods must resolve');
    expect(renderKubectlGetMany([{ resource: pods.resource, objects: [] }], at(0))).toBe(
      'No resources found in default namespace.',
    );
  });
});
