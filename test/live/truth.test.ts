/**
 * Live mode tells the truth: a controller that never acts, a target that never answers and an API
 * server that restarts are said as they are, through `knsim live`'s own code against a fake API.
 */
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/model/events.js';
import { type LiveOptions, runLive } from '../../src/runner/live.js';
import { type FakeCluster, fakeCluster, liveScenario, until } from './helpers.js';

const clusters: FakeCluster[] = [];
afterEach(async () => {
  while (clusters.length > 0) await clusters.pop()!.stop();
});

async function cluster(knative?: false): Promise<FakeCluster> {
  const c = await fakeCluster(knative);
  clusters.push(c);
  return c;
}

/** runLive with the transcript and the notes (stderr) collected. */
function live(o: Omit<LiveOptions, 'write' | 'note' | 'signals'>) {
  const run = { transcript: '', notes: [] as string[] };
  const outcome = runLive({
    watchBackoffMs: 20,
    ...o,
    write: (s) => {
      run.transcript += s;
    },
    note: (s) => run.notes.push(s),
    signals: new EventEmitter(),
  });
  return { run, outcome };
}

function requestsDone(lines: readonly { type: string }[]) {
  return lines.filter((l) => l.type === 'request' && (l as { phase?: string }).phase === 'done') as Extract<
    LogEvent,
    { type: 'request' }
  >[];
}

describe('knsim live tells the truth', () => {
  it('stops when no Knative controller gives the applied Service a status, and cleans up', async () => {
    const { api, dir, kubeconfig } = await cluster(false);
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, liveScenario('  - apply: svc.yaml\n  - wait: { until: ksvc knservice Ready, timeout: 10m }'));
    const started = Date.now();
    const { run, outcome } = live({ file, kubeconfig, target: 'http://127.0.0.1:9', controllerTimeoutMs: 1_000 });
    await expect(outcome).rejects.toThrow(
      "no Knative controller acted on service.serving.knative.dev/knservice: it has no status 1 s after it was applied. Is Knative Serving's controller running?",
    );
    await expect(outcome).rejects.toMatchObject({ exitCode: 3 });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(run.transcript).toContain('service.serving.knative.dev/knservice created');
    // Deleted what it created.
    expect(api.deletes).toContain('services.serving.knative.dev/default/knservice');
    expect(api.get('serving.knative.dev/v1', 'Service', 'default', 'knservice')).toBeUndefined();
  }, 90_000);

  it('counts requests to a dead target as unanswered: no expectation about them passes', async () => {
    const { dir, kubeconfig } = await cluster();
    // A port that refuses connections: a server opened and closed again.
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const file = join(dir, 'scenario.yaml');
    writeFileSync(
      file,
      `${liveScenario(
        '  - apply: svc.yaml\n  - wait: ksvc knservice Ready\n  - sleep: 3s',
        'load:\n  - { at: 0s, for: 2s, constant: { rps: 20 } }',
      )}expect:
  - 503 == 0
  - p99 < 1s
  - errors == 0
`,
    );
    const { run, outcome } = live({ file, kubeconfig, target: `http://127.0.0.1:${port}` });
    const result = await outcome;
    expect(result.exitCode).toBe(1);
    const done = requestsDone(result.log.lines);
    expect(done.length).toBeGreaterThanOrEqual(30);
    expect(done.every((d) => d.status === 0 && d.outcome === 'unanswered' && d.error === 'ECONNREFUSED')).toBe(true);
    const n = done.length;
    expect(run.transcript).toContain(`✗ 503 == 0 (503 == 0 (was 0, but ${n} requests got no answer))`);
    expect(run.transcript).toContain(`✗ p99 < 1s (p99 < 1s (was none, but ${n} requests got no answer))`);
    expect(run.transcript).toContain(`✗ errors == 0 (errors == 0 (was ${n}, ${n} of them without an answer))`);
  }, 90_000);

  it('hey at a host with no route: every 404 lets its client move on, and the run ends', async () => {
    const { dir, kubeconfig, target } = await cluster();
    const file = join(dir, 'scenario.yaml');
    writeFileSync(
      file,
      liveScenario(
        '  - apply: svc.yaml\n  - wait: ksvc knservice Ready\n  - sleep: 2s',
        'load:\n  - { at: 0s, for: 1500ms, hey: { concurrency: 2 }, target: http://nobody.default.example.com }',
      ),
    );
    const result = await live({ file, kubeconfig, target }).outcome;
    expect(result.exitCode).toBe(0);
    const done = requestsDone(result.log.lines);
    // More requests than the two clients: a client whose request got its 404 sent another. (How
    // many more depends on the machine's wall-clock speed over the 1.5 s: not a figure to assert.)
    expect(done.length).toBeGreaterThan(2);
    expect(done.every((d) => d.status === 404)).toBe(true);
  }, 90_000);

  it('hey at a Service deleted mid-load gets the ingress 404s, as hey would, and the run ends', async () => {
    const { dir, kubeconfig, target } = await cluster();
    const file = join(dir, 'scenario.yaml');
    writeFileSync(
      file,
      liveScenario(
        '  - apply: svc.yaml\n  - wait: ksvc knservice Ready\n  - sleep: 1s\n  - kubectl: delete ksvc knservice\n  - sleep: 2s',
        'load:\n  - { at: 0s, for: 3s, hey: { concurrency: 2 } }',
      ),
    );
    const result = await live({ file, kubeconfig, target }).outcome;
    const statuses = new Set(requestsDone(result.log.lines).map((d) => d.status));
    expect(statuses).toEqual(new Set([200, 404]));
  }, 90_000);

  it('says an API server restart in one line when the watches are back, and loses no change', async () => {
    const { api, dir, kubeconfig, target } = await cluster();
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, liveScenario('  - apply: svc.yaml\n  - wait: ksvc knservice Ready\n  - sleep: 6s'));
    const { run, outcome } = live({ file, kubeconfig, target });
    const ready = () =>
      (
        (
          api.get('serving.knative.dev/v1', 'Service', 'default', 'knservice')?.status as
            | { conditions?: unknown[] }
            | undefined
        )?.conditions ?? []
      ).length > 0;
    await until(ready, 'the Service to be Ready');
    // The run's eight watches are open (the line below counts them): then the server restarts.
    await until(() => api.openWatches === 8, 'the run to watch its eight resource types');
    await api.restart(1_500);
    const svc = api.get('serving.knative.dev/v1', 'Service', 'default', 'knservice')!;
    api.put({ ...svc, metadata: { ...svc.metadata, annotations: { 'test/marker': 'after-restart' } } });
    const result = await outcome;
    expect(result.exitCode).toBe(0);
    const watchLines = run.notes.filter((n) => /watch/i.test(n));
    expect(watchLines).toHaveLength(1);
    expect(watchLines[0]).toMatch(
      /^knsim live: the API server's watch connections dropped at \d+\.\d s \(closed.*\); all 8 resumed after \d+\.\d s\n$/,
    );
    const marked = result.log.lines.some(
      (l) =>
        l.type === 'object' &&
        (l as Extract<LogEvent, { type: 'object' }>).object.metadata.annotations?.['test/marker'] === 'after-restart',
    );
    expect(marked).toBe(true);
  }, 90_000);
});
