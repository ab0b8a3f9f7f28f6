/**
 * The whole path of live mode's shadow autoscaler, end to end here: `knsim serve` (its own
 * process, the simulated autoscaler pod in knative-serving serving Knative's metrics through the
 * pod proxy, each revision pod's queue-proxy its stats) and `knsim live` against it, reading the
 * cluster's own numbers every 2 s and deciding beside them with the model. Then what reads the
 * log: explain, compare and the TUI's Why pane. Without a pods/proxy permission (a fake API
 * server that refuses it) the run goes on and says which permission is missing, once.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLog, renderComparison, summarize } from '../../src/compare/index.js';
import { explainLog } from '../../src/explain/explain.js';
import { readExplainLogFile } from '../../src/explain/log.js';
import { parseEventLog } from '../../src/io/logReader.js';
import { parsePrometheusText } from '../../src/io/prometheus.js';
import type { KpaTickEvent, LogEvent } from '../../src/model/events.js';
import { runLive } from '../../src/runner/live.js';
import { bothDecisions } from '../../src/tui/components/ExplainPane.js';
import { type ServeProcess, startServe, stopServes } from './serveProcess.js';

const served: ChildProcess[] = [];
let dir = '';

/** `knsim serve` with the scenario, over plain http. */
async function serve(scenario: string, extra: string[] = []): Promise<ServeProcess> {
  const s = await startServe(join(dir, `kubeconfig-${served.length}`), [
    '--insecure-http',
    '--scenario',
    scenario,
    ...extra,
  ]);
  served.push(s.child);
  return s;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'knsim-shadow-e2e-'));
});

afterAll(() => stopServes(served));

/** A burst on a service with a target of 1: the autoscaler scales up and panics. */
const SCENARIO = `name: shadow-e2e
seed: 5
namespace: default
settings:
  podStartup: 2s
  app: { response: "ok", serviceTime: 250ms }
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: burst }
    spec:
      template:
        metadata:
          annotations:
            autoscaling.knative.dev/target: "1"
        spec:
          containers: [{ image: docker.io/knsim/demo }]
load:
  - { at: 12s, for: 12s, hey: { concurrency: 4 }, service: 250ms }
steps:
  - apply: svc.yaml
  - wait: ksvc burst Ready
  - { at: 32s, note: "after the burst" }
expect:
  - revision burst-00001 Ready
`;

function ticks(events: LogEvent[]): KpaTickEvent[] {
  return events.filter((e): e is KpaTickEvent => e.type === 'kpa.tick');
}

describe('the shadow autoscaler, live against knsim serve', () => {
  it('serves Knative metrics at the pod proxy paths in either naming', async () => {
    const file = join(dir, 'names.yaml');
    writeFileSync(file, SCENARIO);
    const { api } = await serve(file, ['--metrics-names', 'opencensus']);
    const pods = (await (
      await fetch(`${api}/api/v1/namespaces/knative-serving/pods?labelSelector=app%3Dautoscaler`)
    ).json()) as {
      items: { metadata: { name: string } }[];
    };
    expect(pods.items).toHaveLength(1);
    const name = pods.items[0]!.metadata.name;
    const res = await fetch(`${api}/api/v1/namespaces/knative-serving/pods/${name}:9090/proxy/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    parsePrometheusText(await res.text(), 'autoscaler');
    const refused = await fetch(`${api}/api/v1/namespaces/knative-serving/pods/${name}:9999/proxy/metrics`);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { message: string }).message).toContain('connection refused');
  }, 60_000);

  it('logs both decisions every 2 s, they agree on the same inputs, and explain and compare read them', async () => {
    const file = join(dir, 'shadow.yaml');
    writeFileSync(file, SCENARIO);
    const { kubeconfig, ingress } = await serve(file);
    const logFile = join(dir, 'shadow.jsonl');
    const notes: string[] = [];
    const outcome = await runLive({
      file,
      kubeconfig,
      target: ingress,
      log: logFile,
      write: () => {},
      note: (m: string) => notes.push(m),
      signals: new EventEmitter(),
    });
    expect(outcome.exitCode).toBe(0);
    const { events } = parseEventLog(readFileSync(logFile, 'utf8'), logFile);
    expect(events.some((e) => e.type === 'kpa.spec' && e.revision === 'burst-00001')).toBe(true);
    const all = ticks(events).filter((t) => t.revision === 'burst-00001');
    // About one tick every 2 s from the revision's PodAutoscaler on.
    expect(all.length).toBeGreaterThan(8);
    const withCluster = all.filter((t) => t.cluster?.desiredPods !== undefined);
    expect(withCluster.length).toBeGreaterThan(5);
    expect(withCluster.every((t) => t.cluster?.naming === 'otel')).toBe(true);
    // Fed the cluster's own stable and panic values, the model decides as the cluster did.
    const fed = withCluster.filter((t) => t.shadow?.source === 'autoscaler');
    expect(fed.length).toBeGreaterThan(5);
    const agreeing = fed.filter((t) => t.comparison?.agree === true);
    expect(agreeing.length / fed.length).toBeGreaterThan(0.6);
    // The burst scaled the revision up on both sides.
    expect(Math.max(...withCluster.map((t) => t.cluster?.desiredPods ?? 0))).toBeGreaterThan(1);
    expect(Math.max(...fed.map((t) => Number(t.decision.desiredPodCount ?? 0)))).toBeGreaterThan(1);
    // Every difference names the input that explains it.
    for (const t of fed.filter((x) => x.comparison?.agree === false)) {
      expect(t.comparison?.because.length).toBeGreaterThan(0);
    }
    // The queue-proxies were scraped too: the model's own windows are in the ticks.
    expect(all.some((t) => t.shadow?.windows !== undefined)).toBe(true);
    expect(notes.filter((n) => n.includes('403 Forbidden'))).toEqual([]);
    // Samples carry the cluster's panic mode.
    expect(events.some((e) => e.type === 'sample' && e.panic)).toBe(true);

    // explain, compare and the TUI's Why pane read the two decisions from the log.
    const explained = explainLog(readExplainLogFile(logFile), { revision: 'burst-00001' });
    expect(explained).toMatch(/model beside cluster: they agree at \d+ of \d+ ticks compared/);
    expect(explained).toContain("inputs: the cluster's own stable and panic values");
    const summary = summarize(readLog(logFile));
    const report = renderComparison(summary, summary).text;
    expect(report).toContain('autoscaler decisions, model beside cluster');
    expect(report).toMatch(/burst-00001: model and cluster agree at \d+ of \d+ ticks compared/);
    const last = fed.at(-1)!;
    expect(bothDecisions(last)?.text).toMatch(/^model \d+ · cluster \d+ pods: /);
  }, 120_000);
});
