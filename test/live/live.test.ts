import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RUN_LABEL } from '../../src/backends/live.js';
import { parseEventLog } from '../../src/io/logReader.js';
import type { LogEvent } from '../../src/model/events.js';
import { type LiveOptions, runLive } from '../../src/runner/live.js';
import { FakeApiServer } from './fakeApi.js';
import { FakeKnative } from './fakeKnative.js';

const SVC = `apiVersion: serving.knative.dev/v1
    kind: Service
    metadata:
      name: knservice
      namespace: default
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/demo`;

/** runLive with its transcript collected, notes dropped and a signal emitter of its own. */
async function runCapturing(o: Omit<LiveOptions, 'write' | 'note' | 'signals'>) {
  let transcript = '';
  const outcome = await runLive({
    ...o,
    write: (s) => {
      transcript += s;
    },
    note: () => {},
    signals: new EventEmitter(),
  });
  return { outcome, transcript };
}

function scenario(steps: string, expect = '', load = ''): string {
  return `name: fake-live
namespace: default
${load}
files:
  svc.yaml: |
    ${SVC}
config:
  config-domain: { example.com: "" }
steps:
${steps}
${expect}`;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(idleMs?: number, coldStartMs?: number) {
  const api = new FakeApiServer();
  await api.start();
  api.put({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'config-domain', namespace: 'knative-serving' },
    data: { _example: 'docs', 'svc.cluster.local': '' },
  });
  // Somebody else's service: must never be touched.
  api.put({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'other', namespace: 'default', labels: { team: 'a' } },
  });
  const knative = new FakeKnative(api, {
    startMs: 300,
    ...(idleMs !== undefined ? { idleMs } : {}),
    ...(coldStartMs !== undefined ? { coldStartMs } : {}),
  });
  await knative.start();
  cleanups.push(async () => {
    await knative.stop();
    await api.stop();
  });
  const dir = mkdtempSync(join(tmpdir(), 'knsim-live-'));
  writeFileSync(join(dir, 'kubeconfig'), api.kubeconfigYaml());
  return { api, knative, dir, kubeconfig: join(dir, 'kubeconfig'), target: `http://127.0.0.1:${knative.ingressPort}` };
}

/**
 * Polls until `ok` holds; fails after `timeoutMs`. The deadline is generous: a busy 2-core
 * machine can be many times slower than an idle one, and nothing here measures speed.
 */
async function until(ok: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The fake service is Ready (the run is now in its endless wait). */
function outcome0(api: FakeApiServer): boolean {
  const svc = api.get('serving.knative.dev/v1', 'Service', 'default', 'knservice');
  return ((svc?.status as { conditions?: { type: string }[] } | undefined)?.conditions ?? []).some(
    (c) => c.type === 'Ready',
  );
}

function byType(events: LogEvent[], type: LogEvent['type']) {
  return events.filter((e) => e.type === type);
}

describe('knsim live against a fake API server', () => {
  it('runs a scenario: objects, pod phases, scale to zero, a cold request, samples; then deletes what it created', async () => {
    const { api, knative, dir, kubeconfig, target } = await setup(1_000);
    const file = join(dir, 'scenario.yaml');
    writeFileSync(
      file,
      scenario(
        `  - apply: svc.yaml
  - wait: ksvc knservice Ready
  - kubectl: get ksvc
  - wait: { until: "pods == 0", timeout: 20s }
  - curl: http://knservice.default.example.com
    expect: { status: 200, body: "Hello Knative!", within: 10s }
  - kubectl: get pods`,
        `expect:
  - ready pods == 1
  - revision knservice-00001 Ready`,
      ),
    );
    let transcript = '';
    const notes: string[] = [];
    const logFile = join(dir, 'live.jsonl');
    const outcome = await runLive({
      file,
      kubeconfig,
      target,
      log: logFile,
      write: (s) => {
        transcript += s;
      },
      note: (s) => notes.push(s),
      signals: new EventEmitter(),
      watchBackoffMs: 20,
    });
    expect(transcript).toContain('service.serving.knative.dev/knservice created');
    expect(transcript).toContain('http://knservice.default.example.com');
    expect(transcript).toContain('Hello Knative!');
    expect(transcript).toContain('held by the activator');
    expect(transcript).toContain('all expectations met');
    expect(outcome.exitCode).toBe(0);
    expect(knative.hosts).toEqual(['knservice.default.example.com']);

    const { header, events } = parseEventLog(readFileSync(logFile, 'utf8'), logFile);
    expect(header.backend).toBe('live');
    expect(header.scenarioFile).toBe(file);
    const kinds = new Set(byType(events, 'object').map((e) => (e as { kind: string }).kind));
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
      expect(kinds).toContain(k);
    }
    const phases = byType(events, 'pod').map((e) => (e as { phase: string }).phase);
    expect(phases.slice(0, 4)).toEqual(['Pending', 'ContainerCreating', 'Running', 'Ready']);
    expect(phases).toContain('Terminating');
    expect(phases).toContain('Gone');
    const done = byType(events, 'request').filter((e) => (e as { phase: string }).phase === 'done');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ status: 200, cold: true, outcome: 'ok', revision: 'knservice-00001' });
    expect(byType(events, 'scale').map((e) => (e as { to: number }).to)).toContain(0);
    expect(byType(events, 'sks').map((e) => (e as { mode: string }).mode)).toEqual(
      expect.arrayContaining(['Serve', 'Proxy']),
    );
    const samples = byType(events, 'sample');
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((s) => (s as { revision: string }).revision === 'knservice-00001')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'end', ok: true });
    // t never goes backwards in what the backend writes (the runner stamps a step with its start).
    const own = events.filter((e) => e.type !== 'step');
    for (let i = 1; i < own.length; i++) expect(own[i]!.t).toBeGreaterThanOrEqual(own[i - 1]!.t);

    // Cleanup: the ksvc (and through it its children), config restored, the other service untouched.
    expect(api.deletes).toEqual([`services.serving.knative.dev/default/knservice`]);
    expect(api.labelled(RUN_LABEL, outcome.runId)).toEqual([]);
    expect(api.get('serving.knative.dev/v1', 'Service', 'default', 'other')).toBeDefined();
    expect(api.get('v1', 'ConfigMap', 'knative-serving', 'config-domain')!.data).toEqual({
      _example: 'docs',
      'svc.cluster.local': '',
    });
    const applies = api.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/services/knservice'));
    expect(applies[0]!.contentType).toBe('application/apply-patch+yaml');
    expect(applies[0]!.query).toContain('fieldManager=knsim');
    expect(applies[0]!.query).toContain('force=true');
  }, 90_000);

  it('on Ctrl-C stops at once and deletes exactly what it created', async () => {
    const { api, dir, kubeconfig, target } = await setup();
    const file = join(dir, 'scenario.yaml');
    writeFileSync(
      file,
      scenario(`  - apply: svc.yaml
  - wait: ksvc knservice Ready
  - wait: { until: "pods == 0", timeout: 5m }`),
    );
    const signals = new EventEmitter();
    let forced = false;
    const notes: string[] = [];
    const running = runLive({
      file,
      kubeconfig,
      target,
      write: () => {},
      note: (s) => notes.push(s),
      signals,
      forceExit: () => {
        forced = true;
      },
      watchBackoffMs: 20,
    });
    await until(() => outcome0(api), 'a pod');
    const at = Date.now();
    signals.emit('SIGINT');
    const outcome = await running;
    expect(outcome.interrupted).toBe(true);
    expect(outcome.exitCode).toBe(130);
    expect(forced).toBe(false);
    // It did not sit out the step's 5-minute wait.
    expect(Date.now() - at).toBeLessThan(60_000);
    expect(notes.join('')).toContain('SIGINT: stopping and deleting what this run created');
    expect(api.deletes).toEqual([`services.serving.knative.dev/default/knservice`]);
    expect(api.labelled(RUN_LABEL, outcome.runId)).toEqual([]);
    expect(api.get('serving.knative.dev/v1', 'Service', 'default', 'other')).toBeDefined();
    expect(api.get('v1', 'ConfigMap', 'knative-serving', 'config-domain')!.data).toEqual({
      _example: 'docs',
      'svc.cluster.local': '',
    });
    expect(outcome.log.lines.at(-1)).toMatchObject({ type: 'end', ok: false });
  }, 90_000);

  it('with --keep leaves the objects in place', async () => {
    const { api, dir, kubeconfig, target } = await setup();
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, scenario('  - apply: svc.yaml\n  - wait: ksvc knservice Ready'));
    const { outcome } = await runCapturing({ file, kubeconfig, target, keep: true });
    expect(outcome.exitCode).toBe(0);
    expect(api.deletes).toEqual([]);
    expect(api.labelled(RUN_LABEL, outcome.runId).map((o) => o.metadata.name)).toContain('knservice');
  }, 90_000);

  it('does not claim or delete an object that existed before the run', async () => {
    const { api, dir, kubeconfig, target } = await setup();
    api.put({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'knservice', namespace: 'default' },
      spec: {},
    });
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, scenario('  - apply: svc.yaml'));
    const { outcome, transcript } = await runCapturing({ file, kubeconfig, target });
    expect(transcript).toContain('service.serving.knative.dev/knservice configured');
    expect(api.deletes).toEqual([]);
    expect(api.labelled(RUN_LABEL, outcome.runId)).toEqual([]);
  }, 90_000);

  it('sends the scenario load as real HTTP requests: open loop at its arrival times, closed loop one at a time per client', async () => {
    const { knative, dir, kubeconfig, target } = await setup();
    const file = join(dir, 'scenario.yaml');
    writeFileSync(
      file,
      scenario(
        `  - apply: svc.yaml
  - wait: ksvc knservice Ready
  - sleep: 2500ms`,
        '',
        `load:
  - { at: 1s, for: 1s, constant: { rps: 20 } }
  - { at: 1s, hey: { concurrency: 2, requests: 6 } }`,
      ),
    );
    const { outcome } = await runCapturing({ file, kubeconfig, target });
    expect(outcome.exitCode).toBe(0);
    const events = outcome.log.lines.filter((l) => l.type !== 'header') as LogEvent[];
    const arrived = events.filter((e) => e.type === 'request' && e.phase === 'arrived');
    const done = events.filter((e) => e.type === 'request' && e.phase === 'done') as Extract<
      LogEvent,
      { type: 'request' }
    >[];
    expect(done.length).toBe(arrived.length);
    expect(done.length).toBeGreaterThanOrEqual(25);
    expect(done.length).toBeLessThanOrEqual(27);
    expect(done.every((d) => d.status === 200 && d.outcome === 'ok' && d.revision === 'knservice-00001')).toBe(true);
    expect(knative.hosts.every((h) => h === 'knservice.default.example.com')).toBe(true);
    // Open-loop arrivals start at 1 s of run time and end by about 2 s.
    const times = arrived.map((a) => a.t);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(1000);
    const samples = events.filter((e) => e.type === 'sample') as Extract<LogEvent, { type: 'sample' }>[];
    expect(samples.reduce((sum, s) => sum + s.rps, 0)).toBe(arrived.length);
  }, 90_000);

  it('on Ctrl-C during a held request, gives up the request at once and cleans up', async () => {
    const { api, knative, dir, kubeconfig, target } = await setup(200, 600_000);
    const file = join(dir, 'scenario.yaml');
    writeFileSync(
      file,
      scenario(`  - apply: svc.yaml
  - wait: ksvc knservice Ready
  - wait: { until: "pods == 0", timeout: 2m }
  - curl: http://knservice.default.example.com`),
    );
    const signals = new EventEmitter();
    const running = runLive({ file, kubeconfig, target, write: () => {}, note: () => {}, signals });
    await until(() => knative.hosts.length > 0, 'the request');
    const at = Date.now();
    signals.emit('SIGINT');
    const outcome = await running;
    // It did not wait for the 10-minute cold start (the bound is far from both: a busy machine is slow).
    expect(Date.now() - at).toBeLessThan(120_000);
    expect(outcome.exitCode).toBe(130);
    expect(api.labelled(RUN_LABEL, outcome.runId)).toEqual([]);
    const done = outcome.log.lines.filter((l) => l.type === 'request' && l.phase === 'done');
    expect(done).toMatchObject([{ status: 0, outcome: 'unanswered', cold: true }]);
  }, 90_000);

  it('loses no pod change when the watch streams drop and the server forgets old versions mid-run', async () => {
    const { api, dir, kubeconfig, target } = await setup(1_500);
    const file = join(dir, 'scenario.yaml');
    writeFileSync(
      file,
      scenario(`  - apply: svc.yaml
  - wait: ksvc knservice Ready
  - wait: { until: "pods == 0", timeout: 20s }
  - curl: http://knservice.default.example.com
    expect: { status: 200 }`),
    );
    const running = runLive({
      file,
      kubeconfig,
      target,
      write: () => {},
      note: () => {},
      signals: new EventEmitter(),
      watchBackoffMs: 200,
    });
    await until(() => outcome0(api), 'a ready pod');
    // A dropped stream: changes while disconnected are replayed from the last resourceVersion.
    const mark = (value: string) => {
      const svc = api.get('serving.knative.dev/v1', 'Service', 'default', 'knservice')!;
      api.put({ ...svc, metadata: { ...svc.metadata, annotations: { 'test/marker': value } } });
    };
    const streams = api.openWatches;
    api.dropWatches();
    mark('while-disconnected');
    await until(() => api.openWatches >= streams, 'the watches to resume');
    // Then 410 Gone: the history is gone; the backend must list again.
    api.dropWatches();
    mark('before-410');
    api.expireHistory();
    const outcome = await running;
    const markers = outcome.log.lines
      .filter((l) => l.type === 'object' && l.kind === 'Service')
      .map((l) => (l as Extract<LogEvent, { type: 'object' }>).object.metadata.annotations?.['test/marker'])
      .filter(Boolean);
    expect(markers).toEqual(['while-disconnected', 'before-410']);
    expect(outcome.exitCode).toBe(0);
    const pods = outcome.log.lines.filter((l) => l.type === 'pod') as Extract<LogEvent, { type: 'pod' }>[];
    const first = pods[0]!.pod;
    expect(pods.filter((p) => p.pod === first).map((p) => p.phase)).toEqual([
      'Pending',
      'ContainerCreating',
      'Running',
      'Ready',
      'Terminating',
      'Gone',
    ]);
    expect(pods.some((p) => p.pod !== first && p.phase === 'Ready')).toBe(true);
    const watches = api.requests.filter((r) => r.query.includes('watch=true'));
    expect(watches.length).toBeGreaterThan(3 * 8);
  }, 90_000);

  it('a real SIGINT to the knsim live process deletes what it created and exits 130', async () => {
    const { api, dir, kubeconfig, target } = await setup();
    const file = join(dir, 'scenario.yaml');
    writeFileSync(
      file,
      scenario(`  - apply: svc.yaml
  - wait: ksvc knservice Ready
  - wait: { until: "pods == 0", timeout: 5m }`),
    );
    const root = resolve(import.meta.dirname, '../..');
    const child = spawn(
      process.execPath,
      [join(root, 'bin/knsim.js'), 'live', file, '--kubeconfig', kubeconfig, '--target', target],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const start = Date.now();
    while (!out.includes('waited until ksvc knservice Ready')) {
      if (Date.now() - start > 100_000 || child.exitCode !== null)
        throw new Error(`knsim live did not get going:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toContain('SIGINT: stopping and deleting what this run created');
    expect(err).toContain('deleted service default/knservice');
    expect(api.deletes).toEqual(['services.serving.knative.dev/default/knservice']);
    const runId = /knsim\.dev\/run=(\S+)/.exec(err)![1]!;
    expect(api.labelled(RUN_LABEL, runId)).toEqual([]);
  }, 90_000);

  it('--namespace moves the scenario there, creates the namespace and removes it at the end', async () => {
    const { api, dir, kubeconfig, target } = await setup();
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, scenario('  - apply: svc.yaml\n  - kubectl: get ksvc'));
    const { outcome, transcript } = await runCapturing({ file, kubeconfig, target, namespace: 'team-a' });
    expect(outcome.exitCode).toBe(0);
    expect(transcript).toContain('service.serving.knative.dev/knservice created');
    const created = api.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/namespaces');
    expect(created).toBeDefined();
    expect(
      api.requests.some((r) => r.method === 'PATCH' && r.path.includes('/namespaces/team-a/services/knservice')),
    ).toBe(true);
    expect(api.deletes).toEqual(['services.serving.knative.dev/team-a/knservice', 'namespaces//team-a']);
    expect(outcome.log.lines[0]).toMatchObject({ type: 'header', namespace: 'team-a' });
  }, 90_000);

  it('answers an unknown kind in kubectl words', async () => {
    const { dir, kubeconfig, target } = await setup();
    const file = join(dir, 'scenario.yaml');
    writeFileSync(
      file,
      `name: unknown-kind
namespace: default
files:
  w.yaml: |
    apiVersion: example.com/v1
    kind: Widget
    metadata: { name: w }
steps:
  - apply: w.yaml
`,
    );
    const { outcome, transcript } = await runCapturing({ file, kubeconfig, target });
    expect(outcome.exitCode).toBe(1);
    expect(transcript).toContain(
      'error: resource mapping not found for name: "w" namespace: "" from "w.yaml": no matches for kind "Widget" in version "example.com/v1"',
    );
  }, 90_000);

  it('without --target, finds no gateway before creating anything and says so', async () => {
    const { api, dir, kubeconfig } = await setup();
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, scenario('  - apply: svc.yaml\n  - curl: http://knservice.default.example.com'));
    await expect(
      runLive({ file, kubeconfig, write: () => {}, note: () => {}, signals: new EventEmitter() }),
    ).rejects.toThrow(
      "no --target given, and no gateway to send requests to: knative-serving/config-network does not exist, so Knative's default networking layer applies: istio (istio.ingress.networking.knative.dev), but its gateway service istio-system/istio-ingressgateway does not exist; give the address with --target URL",
    );
    expect(
      api.requests.some((r) => r.method === 'PATCH' || (r.method === 'POST' && !r.path.endsWith('accessreviews'))),
    ).toBe(false);
  }, 90_000);

  it('applying the same file twice keeps the run label, so the cleanup still finds the object', async () => {
    const { api, dir, kubeconfig, target } = await setup();
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, scenario('  - apply: svc.yaml\n  - apply: svc.yaml'));
    const { outcome, transcript } = await runCapturing({ file, kubeconfig, target });
    expect(transcript).toContain('service.serving.knative.dev/knservice created');
    const second = api.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/services/knservice'));
    expect(second).toHaveLength(2);
    expect(api.deletes).toEqual(['services.serving.knative.dev/default/knservice']);
    expect(api.labelled(RUN_LABEL, outcome.runId)).toEqual([]);
  }, 90_000);
});
