/**
 * The live backend end to end against `knsim serve` in its own process: the real client
 * library, real HTTP, real watch streams, the seed walk-through at 10x speed.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, loadKubeConfig } from '../../src/backends/live/kube.js';
import { RUN_LABEL } from '../../src/backends/live.js';
import { predict } from '../../src/compare/predict.js';
import { parseEventLog } from '../../src/io/logReader.js';
import type { LogEvent } from '../../src/model/events.js';
import { resourceById } from '../../src/model/rules/resources.js';
import { runLive } from '../../src/runner/live.js';
import { startServe, stopServes } from './serveProcess.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SEED = join(ROOT, 'scenarios/seed-walkthrough.yaml');

interface Served {
  child: ChildProcess;
  kubeconfig: string;
  ingress: string;
}

const served: Served[] = [];
let dir = '';

/** Starts `knsim serve` in its own process on OS-assigned ports. */
async function serve(speed: number, scenario: string): Promise<Served> {
  const kubeconfig = join(dir, `kubeconfig-${served.length}`);
  const { child, ingress } = await startServe(kubeconfig, ['--speed', String(speed), '--scenario', scenario]);
  const s = { child, kubeconfig, ingress };
  served.push(s);
  return s;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'knsim-serve-e2e-'));
});

afterAll(() => stopServes(served.map((s) => s.child)));

function of<T extends LogEvent['type']>(events: LogEvent[], type: T): Extract<LogEvent, { type: T }>[] {
  return events.filter((e) => e.type === type) as Extract<LogEvent, { type: T }>[];
}

describe('knsim live against knsim serve', () => {
  it('replays the seed walk-through: objects, pods going away, the cold request answered, then cleans up', async () => {
    const { kubeconfig, ingress } = await serve(10, SEED);
    const logFile = join(dir, 'live.jsonl');
    let transcript = '';
    const outcome = await runLive({
      file: SEED,
      kubeconfig,
      target: ingress,
      log: logFile,
      write: (s) => {
        transcript += s;
      },
      note: () => {},
      signals: new EventEmitter(),
    });
    expect(transcript).toContain('service.serving.knative.dev/knservice created');
    expect(transcript).toContain('Hello Knative!');
    expect(transcript).toContain('all expectations met');
    expect(outcome.exitCode).toBe(0);

    const { header, events } = parseEventLog(readFileSync(logFile, 'utf8'), logFile);
    expect(header).toMatchObject({
      backend: 'live',
      scenario: 'seed-walkthrough',
      scenarioFile: SEED,
      namespace: 'default',
    });
    const kinds = new Set(of(events, 'object').map((e) => e.kind));
    for (const k of [
      'Service',
      'Configuration',
      'Route',
      'Revision',
      'PodAutoscaler',
      'ServerlessService',
      'Deployment',
      'Pod',
    ]) {
      expect(kinds, k).toContain(k);
    }
    const pods = of(events, 'pod');
    const first = pods[0]!.pod;
    const phasesOfFirst = pods.filter((p) => p.pod === first).map((p) => p.phase);
    expect(phasesOfFirst[0]).toBe('Pending');
    expect(phasesOfFirst).toContain('Ready');
    expect(phasesOfFirst.slice(-2)).toEqual(['Terminating', 'Gone']);
    expect(of(events, 'scale').some((s) => s.to === 0)).toBe(true);

    const done = of(events, 'request').filter((r) => r.phase === 'done');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ status: 200, cold: true, outcome: 'ok', revision: 'knservice-00001' });
    const gone = pods.find((p) => p.pod === first && p.phase === 'Gone')!;
    expect(done[0]!.t).toBeGreaterThan(gone.t);
    // A new pod started for the cold request. (The answer can reach knsim before the watch
    // event that says the pod is Ready, by as long as a busy machine delays the watch.)
    const arrived = of(events, 'request').find((r) => r.phase === 'arrived' && r.id === done[0]!.id)!;
    const second = pods.find((p) => p.pod !== first && p.phase === 'Ready');
    expect(second).toBeDefined();
    expect(second!.t).toBeGreaterThan(arrived.t);

    const samples = of(events, 'sample');
    expect(samples.length).toBeGreaterThan(5);
    // One sample a second, each in its own second (stamped when written, at or after it).
    expect(new Set(samples.map((x) => Math.floor(x.t / 1000))).size).toBe(samples.length);
    expect(samples.some((s) => s.ready === 1 && s.revision === 'knservice-00001')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'end', ok: true });

    // Nothing with this run's label is left, and the Service is gone.
    const client = new KubeClient(loadKubeConfig({ kubeconfig }));
    const ksvcs = await client.list(resourceById('services.serving.knative.dev')!, 'default', {
      labelSelector: `${RUN_LABEL}=${outcome.runId}`,
    });
    expect(ksvcs.items).toEqual([]);
    expect(outcome.cleaned).toContain('deleted service default/knservice');
  }, 150_000);

  it('sends a scenario load through the ingress as real requests, and predict sees the same load', async () => {
    const file = join(dir, 'load.yaml');
    writeFileSync(
      file,
      `name: load-e2e
seed: 3
namespace: default
settings:
  podStartup: 1s
  app: { response: "Hello Knative!", serviceTime: 20ms }
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: loaded }
    spec:
      template:
        spec:
          containers: [{ image: docker.io/knsim/demo }]
load:
  - { at: 15s, for: 2s, constant: { rps: 10 } }
  - { at: 15s, hey: { concurrency: 2, requests: 10 } }
steps:
  - apply: svc.yaml
  - wait: ksvc loaded Ready
  - { at: 20s, note: "the load has been sent" }
expect:
  - revision loaded-00001 Ready
`,
    );
    // Load phases start at fixed times of the run, in real time here (speed 1): they start
    // well after the Service is usually Ready, even on a machine many times slower than idle
    // (before it is routable, the ingress answers 404).
    const { kubeconfig, ingress } = await serve(1, file);
    const logFile = join(dir, 'load.jsonl');
    const outcome = await runLive({
      file,
      kubeconfig,
      target: ingress,
      log: logFile,
      write: () => {},
      note: () => {},
      signals: new EventEmitter(),
    });
    expect(outcome.exitCode).toBe(0);
    const { events } = parseEventLog(readFileSync(logFile, 'utf8'), logFile);
    const done = of(events, 'request').filter((r) => r.phase === 'done');
    expect(done).toHaveLength(30);
    expect(done.filter((r) => !(r.status === 200 && r.outcome === 'ok' && r.revision === 'loaded-00001'))).toEqual([]);
    const rps = of(events, 'sample').reduce((sum, x) => sum + x.rps, 0);
    expect(rps).toBe(30);

    const predicted = await predict(logFile);
    const requests = predicted.rows.find((r) => r.metric === 'requests answered')!;
    expect(requests).toMatchObject({ a: 30, b: 30, diff: 0 });
  }, 150_000);
});
