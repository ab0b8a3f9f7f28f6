/**
 * Reading the cluster's own numbers: what `knsim serve` writes as Knative's autoscaler metrics
 * (both namings) reads back as the cluster's decision; a queue-proxy's stats; and a run whose
 * kubeconfig user may not use the pod proxy in knative-serving: it goes on, says which permission
 * is missing once, and its ticks carry the gap (fake API server).
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  autoscalerFigures,
  ClusterMetrics,
  clusterDecisionOf,
  queueProxyStat,
} from '../../src/backends/live/clusterMetrics.js';
import { parseEventLog } from '../../src/io/logReader.js';
import { formatPrometheusText, parsePrometheusText } from '../../src/io/prometheus.js';
import type { KpaTickEvent } from '../../src/model/events.js';
import { decide, defaultAutoscalerConfig, newDeciderState, resolveDeciderSpec } from '../../src/model/kpa/index.js';
import { QUEUE_PROXY_METRICS } from '../../src/model/observability.js';
import { runLive } from '../../src/runner/live.js';
import { autoscalerMetricsText } from '../../src/serve/podProxy.js';
import type { AutoscalerView } from '../../src/sim/cluster.js';
import { FakeApiServer } from './fakeApi.js';
import { FakeKnative } from './fakeKnative.js';
import { KSVC } from './helpers.js';

function view(metric: 'concurrency' | 'rps'): AutoscalerView {
  const spec = resolveDeciderSpec({
    config: defaultAutoscalerConfig(),
    annotations: metric === 'rps' ? { 'autoscaling.knative.dev/metric': 'rps' } : {},
    containerConcurrency: 0,
    reachability: 'Reachable',
  });
  const decision = decide(spec, newDeciderState(spec, 2, 0), { readyPods: 2, stable: 150, panic: 300 }, 4_000).record;
  return {
    namespace: 'default',
    revision: 'hello-00001',
    labels: { 'serving.knative.dev/service': 'hello', 'serving.knative.dev/configuration': 'hello' },
    metric,
    decision,
    panicking: decision.panicking,
    want: decision.desiredPodCount,
    ready: 2,
    pending: 1,
    terminating: 0,
  };
}

describe("the autoscaler's metrics, written by serve and read by live mode", () => {
  for (const naming of ['otel', 'opencensus'] as const) {
    for (const metric of ['concurrency', 'rps'] as const) {
      it(`${naming} names, ${metric}: the cluster's decision reads back as it was taken`, () => {
        const v = view(metric);
        const text = parsePrometheusText(autoscalerMetricsText([v], naming), 'autoscaler');
        const figures = autoscalerFigures(text).get('default/hello-00001');
        expect(figures?.naming).toBe(naming);
        const d = clusterDecisionOf(figures!, metric, 4_100);
        expect(d).toEqual({
          naming,
          scrapedAtMs: 4_100,
          desiredPods: v.decision!.desiredPodCount,
          stable: 150,
          panic: 300,
          target: v.decision!.target,
          excessBurstCapacity: v.decision!.excessBurstCapacity,
          panicking: v.decision!.panicking,
          requestedPods: v.want,
          readyPods: 2,
          notReadyPods: 1,
          pendingPods: 1,
          terminatingPods: 0,
        });
      });
    }
  }

  it("series of other namespaces' revisions and unknown metrics are kept apart or left out", () => {
    const text = parsePrometheusText(
      [
        'kn_revision_pods_desired{k8s_namespace_name="a",kn_revision_name="r"} 3',
        'kn_revision_pods_desired{k8s_namespace_name="b",kn_revision_name="r"} 5',
        'kn_revision_pods_desired{kn_revision_name="no-namespace"} 9',
        'go_goroutines 42',
      ].join('\n'),
      't',
    );
    const figures = autoscalerFigures(text);
    expect([...figures.keys()]).toEqual(['a/r', 'b/r']);
    expect(figures.get('b/r')?.figures.desiredPods).toBe(5);
  });

  it("a queue-proxy's stats read as the scraper reads them", () => {
    const labels = { destination_pod: 'p-1' };
    const text = formatPrometheusText(
      [
        [QUEUE_PROXY_METRICS.averageConcurrency, 2.5],
        [QUEUE_PROXY_METRICS.averageProxiedConcurrency, 0.5],
        [QUEUE_PROXY_METRICS.requestsPerSecond, 12],
        [QUEUE_PROXY_METRICS.proxiedRequestsPerSecond, 2],
      ].map(([name, value]) => ({
        name: String(name),
        type: 'gauge',
        help: '',
        samples: [{ labels, value: Number(value) }],
      })),
    );
    expect(queueProxyStat(parsePrometheusText(text, 'qp'), 'p-1')).toEqual({
      averageConcurrency: 2.5,
      averageProxiedConcurrency: 0.5,
      requestCount: 12,
      proxiedRequestCount: 2,
    });
    expect(queueProxyStat(parsePrometheusText('other 1', 'qp'), 'p-1')).toBe(undefined);
  });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/**
 * A live run against the fake API with a fake Knative, 5 s past Ready (two or more of the 2 s
 * ticks after the revision is up, however long Ready took; it was up to 9 s from the start); its
 * notes, ticks and the API.
 */
async function fakeRun(
  proxy: NonNullable<ConstructorParameters<typeof FakeApiServer>[0]>['proxy'],
  autoscalerPods?: string[],
) {
  const api = new FakeApiServer({ proxy });
  await api.start();
  const knative = new FakeKnative(api, { startMs: 200 });
  await knative.start();
  cleanups.push(async () => {
    await knative.stop();
    await api.stop();
  });
  api.put({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'autoscaler-abc', namespace: 'knative-serving', labels: { app: 'autoscaler' } },
    spec: { containers: [{ name: 'autoscaler', image: 'autoscaler' }] },
    status: { phase: 'Running' },
  } as never);
  const dir = mkdtempSync(join(tmpdir(), 'knsim-proxy-'));
  writeFileSync(join(dir, 'kubeconfig'), api.kubeconfigYaml());
  const file = join(dir, 's.yaml');
  writeFileSync(
    file,
    `name: no-proxy
namespace: default
files:
  svc.yaml: |
    ${KSVC}
steps:
  - apply: svc.yaml
  - wait: ksvc knservice Ready
  - sleep: 5s
`,
  );
  const logFile = join(dir, 'live.jsonl');
  const notes: string[] = [];
  const outcome = await runLive({
    file,
    kubeconfig: join(dir, 'kubeconfig'),
    target: `http://127.0.0.1:${knative.ingressPort}`,
    log: logFile,
    write: () => {},
    note: (m) => notes.push(m),
    signals: new EventEmitter(),
    ...(autoscalerPods ? { autoscalerPods } : {}),
  });
  expect(outcome.exitCode).toBe(0);
  const { events } = parseEventLog(readFileSync(logFile, 'utf8'), logFile);
  const ticks = events.filter((e): e is KpaTickEvent => e.type === 'kpa.tick');
  return { api, notes, ticks };
}

/** A queue-proxy that reports one request in flight and 4 per second. */
function queueProxy(pod: string) {
  return {
    status: 200,
    body: `${QUEUE_PROXY_METRICS.averageConcurrency}{destination_pod="${pod}"} 1\n${QUEUE_PROXY_METRICS.requestsPerSecond}{destination_pod="${pod}"} 4\n`,
  };
}

describe('without pods/proxy in knative-serving', () => {
  it('the run goes on, says once which permission is missing, and decides on the queue-proxies alone', async () => {
    const { notes, ticks } = await fakeRun((namespace, pod) =>
      namespace === 'knative-serving'
        ? {
            status: 403,
            body: `pods "${pod}" is forbidden: User "u" cannot get resource "pods/proxy" in API group "" in the namespace "knative-serving"`,
          }
        : queueProxy(pod),
    );
    // '403 Forbidden', not '403': the run's id in another note is a time stamp, which can hold 403.
    const forbidden = notes.filter((n) => n.includes('403 Forbidden'));
    expect(forbidden, notes.join('\n')).toHaveLength(1);
    expect(forbidden[0]).toContain(
      `the cluster's autoscaler metrics (knative-serving/autoscaler-abc:9090): no permission (403 Forbidden): the kubeconfig user needs "get pods/proxy in namespace knative-serving"`,
    );
    expect(ticks.length).toBeGreaterThan(1);
    expect(ticks.every((t) => t.shadow?.gap?.includes('403 Forbidden'))).toBe(true);
    expect(ticks.every((t) => t.comparison?.agree === null)).toBe(true);
    // The queue-proxy was readable: the model decided on its own windows.
    const own = ticks.filter((t) => t.shadow?.source === 'queue-proxy');
    expect(own.length).toBeGreaterThan(0);
    expect(own.at(-1)?.decision).toMatchObject({ valid: true, observedStable: 1 });
  }, 60_000);
});

describe('with the autoscaler pod named (--autoscaler-pod)', () => {
  it('reads its metrics without listing pods in knative-serving; OpenCensus names are read too', async () => {
    const labels = 'namespace_name="default",revision_name="knservice-00001",service_name="knservice"';
    const { api, notes, ticks } = await fakeRun(
      (namespace, pod) =>
        namespace === 'knative-serving'
          ? pod === 'autoscaler-given:9090'
            ? {
                status: 200,
                body: `autoscaler_desired_pods{${labels}} 1\nautoscaler_stable_request_concurrency{${labels}} 1\nautoscaler_panic_request_concurrency{${labels}} 1\nautoscaler_panic_mode{${labels}} 0\nautoscaler_actual_pods{${labels}} 1\n`,
              }
            : { status: 404, body: '' }
          : queueProxy(pod),
      ['autoscaler-given'],
    );
    expect(notes.filter((n) => n.includes('autoscaler'))).toEqual([]);
    const listed = api.requests.filter((r) => r.path === '/api/v1/namespaces/knative-serving/pods');
    expect(listed).toEqual([]);
    const compared = ticks.filter((t) => t.comparison?.agree !== null && t.comparison !== undefined);
    expect(compared.length).toBeGreaterThan(0);
    expect(compared.every((t) => t.cluster?.naming === 'opencensus' && t.shadow?.source === 'autoscaler')).toBe(true);
    expect(compared.at(-1)?.comparison).toMatchObject({ agree: true, modelPods: 1, clusterPods: 1 });
  }, 60_000);
});

describe('gaps: every failed scrape is one, told once per kind', () => {
  /** ClusterMetrics over a stub client whose text() fails (or answers) as given. */
  function metricsWith(answer: () => Promise<string>) {
    const told: string[] = [];
    const client = {
      text: answer,
      request: async () => ({ items: [{ metadata: { name: 'autoscaler-x' }, status: { phase: 'Running' } }] }),
    } as unknown as ConstructorParameters<typeof ClusterMetrics>[0]['client'];
    return {
      told,
      metrics: new ClusterMetrics({ client, server: 'https://k', info: (m) => told.push(m), timeoutMs: 1500 }),
    };
  }

  it.each([
    [
      'a timeout',
      () => Promise.reject(Object.assign(new Error('t'), { type: 'request-timeout' })),
      'timeout',
      'no answer within 1500 ms',
    ],
    [
      'no metrics served (503 from the proxy)',
      () =>
        Promise.reject(
          new k8s.ApiException(
            503,
            'x',
            JSON.stringify({
              message: 'error trying to reach service: dial tcp 10.0.0.1:9090: connect: connection refused',
            }),
            {},
          ),
        ),
      'unreachable',
      'from Knative 1.19 the autoscaler serves no metrics unless config-observability sets metrics-protocol: prometheus',
    ],
    [
      'a pod gone (404)',
      () => Promise.reject(new k8s.ApiException(404, 'x', '{"message":"pods \\"autoscaler-x\\" not found"}', {})),
      'not found',
      'not found (404)',
    ],
    [
      'an answer that is not Prometheus text',
      () => Promise.resolve('<html>oops</html>'),
      'bad answer',
      'not Prometheus text: knative-serving/autoscaler-x:9090/metrics:1:1:',
    ],
  ])('%s', async (_what, answer, kind, text) => {
    const { told, metrics } = metricsWith(answer as () => Promise<string>);
    for (let i = 0; i < 3; i++) {
      const r = await metrics.autoscaler();
      expect(r.gap?.kind).toBe(kind);
      expect(r.gap?.text).toContain(text);
    }
    expect(told).toHaveLength(1);
  });
});
