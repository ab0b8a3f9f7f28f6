/**
 * The load driver both backends use: the same arrivals through any clock, and closed-loop clients
 * that move on after any answer (a 404 included), as `hey` does.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultsCollector } from '../../src/results/results.js';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';
import { type ClusterView, evaluate } from '../../src/scenario/evaluate.js';
import { type LoadClock, startLoad } from '../../src/sim/load/driver.js';
import type { Arrival } from '../../src/sim/load/types.js';

const dir = mkdtempSync(join(tmpdir(), 'knsim-driver-'));

function scenarioFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const SVC = `files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata:
      name: knservice
      namespace: default
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/demo
`;

/** A clock that runs callbacks in time order when `run` is called (a tiny wall clock stand-in). */
function manualClock(): LoadClock & { run(): void } {
  let now = 0;
  const queue: { at: number; seq: number; fn: () => void }[] = [];
  let seq = 0;
  return {
    now: () => now,
    call: (at, fn, arg) => {
      queue.push({ at, seq: seq++, fn: () => fn(arg) });
    },
    tryAdvance: (next) => next.atMs <= now,
    run() {
      while (queue.length > 0) {
        queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = queue.shift()!;
        now = Math.max(now, next.at);
        next.fn();
      }
    },
  };
}

describe('the load driver', () => {
  it('sends the same arrivals on any clock (the live backend uses the wall clock, the simulator its engine)', () => {
    const phases = [{ at: '1s', for: '5s', poisson: { rps: 20 } }];
    const sent = (): number[] => {
      const clock = manualClock();
      const times: number[] = [];
      startLoad(phases, { seed: 7, baseDir: dir }, clock, { send: (a: Arrival) => times.push(a.atMs) });
      clock.run();
      return times;
    };
    const first = sent();
    expect(first.length).toBeGreaterThan(50);
    expect(first).toEqual(sent());
    expect(Math.min(...first)).toBeGreaterThanOrEqual(1000);
  });

  it('closed-loop clients send again only after an answer', () => {
    const clock = manualClock();
    const outstanding = new Map<number, number>();
    let sent = 0;
    startLoad([{ at: '0s', for: '1s', hey: { concurrency: 3 } }], { seed: 1, baseDir: dir }, clock, {
      send: (a, answered) => {
        const client = a.clientId ?? -1;
        expect(outstanding.get(client) ?? 0).toBe(0);
        outstanding.set(client, 1);
        sent++;
        clock.call(
          clock.now() + 100,
          () => {
            outstanding.set(client, 0);
            answered?.();
          },
          undefined,
        );
      },
    });
    clock.run();
    expect(sent).toBe(30); // 3 clients, one request per 100 ms for 1 s
  });
});

describe('hey at a host with no route, in the simulator', () => {
  it('finishes: every 404 lets its client move on, and results count them', async () => {
    const file = scenarioFile(
      'hey404.yaml',
      `name: hey-404
namespace: default
load:
  - { at: 1s, for: 10s, hey: { concurrency: 5 }, target: http://nobody.default.example.com }
steps:
  - sleep: 20s
`,
    );
    const outcome = await runScenario(loadScenario(file), file, { log: { keep: false, requestSampling: 0 } });
    // 5 clients for 10 s, each 404 after the ingress's 1 ms round trip.
    expect(outcome.results.requests).toBe(50_000);
    expect(outcome.results.answered).toBe(0);
  }, 60_000);

  it('finishes when the Service is deleted mid-load', async () => {
    const file = scenarioFile(
      'heydel.yaml',
      `name: hey-deleted
namespace: default
${SVC}load:
  - { at: 10s, for: 30s, hey: { concurrency: 4 }, service: 50ms }
steps:
  - apply: svc.yaml
  - wait: ksvc knservice Ready
  - sleep: 10s
  - kubectl: delete ksvc knservice
  - sleep: 40s
`,
    );
    const outcome = await runScenario(loadScenario(file), file, { log: { keep: false, requestSampling: 0 } });
    expect(outcome.results.answered).toBeGreaterThan(100);
    expect(outcome.results.requests - outcome.results.answered).toBeGreaterThan(1000);
  }, 60_000);
});

describe('expectations on requests that got no answer', () => {
  /** A view whose results are a real collector fed with `statuses`. */
  function viewOf(statuses: number[]): ClusterView {
    const results = new ResultsCollector();
    for (const s of statuses) {
      results.arrived(undefined);
      results.request(s, s === 0 ? 0 : 20, false, 1000);
    }
    results.finish();
    return {
      nowMs: () => 1000,
      countPods: () => 0,
      getObject: () => undefined,
      metric: (name) => results.metric(name),
    };
  }

  it('no expectation about statuses, counts or latency holds while some request got no answer', () => {
    const dead = viewOf(Array.from({ length: 24_015 }, () => 0));
    for (const text of ['503 == 0', '504 == 0', 'requests > 0', 'answered == 0', 'p99 < 1s', 'p50 >= 0ms']) {
      const e = evaluate(text, dead);
      expect(e.ok, text).toBe(false);
      expect(e.actual).toMatch(/, but 24015 requests got no answer\)$/);
    }
    expect(evaluate('errors == 0', dead)).toMatchObject({
      ok: false,
      actual: 'errors == 0 (was 24015, 24015 of them without an answer)',
    });
    expect(evaluate('unanswered == 24015', dead).ok).toBe(true);
    expect(evaluate('unanswered == 0', dead)).toMatchObject({ ok: false, actual: 'unanswered == 0 (was 24015)' });
  });

  it('one request without an answer among answered ones is enough', () => {
    const one = viewOf([200, 200, 503, 0]);
    expect(evaluate('503 == 1', one)).toMatchObject({
      ok: false,
      actual: '503 == 1 (was 1, but 1 request got no answer)',
    });
    expect(evaluate('503 == 1', viewOf([200, 200, 503])).ok).toBe(true);
  });
});
