/**
 * The app's access lines are written only when the run can read them (issue 10): the runner
 * decides from the scenario's steps (`accessLinesFor`: a `kubectl logs` step reads them), and a
 * run with a reader prints the same lines as a run with recording forced on.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import { ScenarioRunner } from '../../src/runner/runner.js';
import { accessLinesFor, runScenario } from '../../src/runner/simulate.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { PodLogs } from '../../src/sim/podLogs.js';
import { settingsFromScenario } from '../../src/sim/settings.js';

/** A Service, some load, then the steps given (each a `- kubectl: …` or other step line). */
function scenarioText(o: { seed: number; rps: number; loadSeconds: number; steps: string[] }): string {
  return `
name: access-lines
seed: ${o.seed}
settings:
  podStartup: 1s
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: hello }
    spec:
      template:
        spec:
          containerConcurrency: 2
          containers:
            - image: docker.io/knsim/demo
load:
  - { at: 5s, for: ${o.loadSeconds}s, poisson: { rps: ${o.rps} }, service: 300ms, target: hello.default.svc.cluster.local }
steps:
  - apply: svc.yaml
  - wait: ksvc hello Ready
  - curl: http://hello.default.svc.cluster.local
${o.steps.map((s) => `  - ${s}`).join('\n')}
`;
}

/** Step lines that do not read pod logs. */
const OTHER_STEPS = [
  'kubectl: get pods',
  'kubectl: get ksvc',
  'kubectl: describe ksvc hello',
  'kubectl: get events',
  'sleep: 1s',
  'note: nothing reads the pods here',
  'curl: http://hello.default.svc.cluster.local',
];
/** Step lines that do. */
const LOGS_STEPS = [
  'kubectl: logs deployment/hello-00001-deployment',
  'kubectl: logs deployment/hello-00001-deployment --tail 3',
  'kubectl: logs deployment/hello-00001-deployment -c user-container --timestamps',
  'kubectl: logs replicaset/nothing',
  'kubectl: logs deployment/hello-00001-deployment -c queue-proxy --tail 1',
];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('access lines only when read', () => {
  it('are recorded for a scenario with a kubectl logs step wherever it stands, and only then (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...OTHER_STEPS), { maxLength: 6 }),
        fc.option(fc.tuple(fc.constantFrom(...LOGS_STEPS), fc.nat(6)), { nil: undefined }),
        (others, logs) => {
          const steps = [...others];
          if (logs) steps.splice(Math.min(logs[1], steps.length), 0, logs[0]);
          const scenario = parseScenario(scenarioText({ seed: 1, rps: 1, loadSeconds: 1, steps }), 'test.yaml');
          expect(accessLinesFor(scenario)).toBe(logs ? 'record' : 'off');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a run with a kubectl logs step writes access lines; a run without one writes none', async () => {
    const answered = vi.spyOn(PodLogs.prototype, 'answered');
    const answeredIn = vi.spyOn(PodLogs.prototype, 'answeredIn');
    const calls = () => answered.mock.calls.length + answeredIn.mock.calls.length;
    const text = (steps: string[]) => scenarioText({ seed: 2, rps: 20, loadSeconds: 3, steps });
    const without = await runScenario(
      parseScenario(text(['sleep: 8s', 'kubectl: get pods']), 'test.yaml'),
      'test.yaml',
    );
    expect(without.ok).toBe(true);
    expect(without.results.requests).toBeGreaterThan(30);
    expect(calls()).toBe(0);
    const withLogs = await runScenario(parseScenario(text(['sleep: 8s', LOGS_STEPS[0]!]), 'test.yaml'), 'test.yaml');
    expect(withLogs.ok).toBe(true);
    expect(calls()).toBeGreaterThan(30);
    expect(withLogs.transcript).toMatch(/127\.0\.0\.1 - - \[01\/Jan\/2026:00:00:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200/);
  });

  it('a cluster built with access lines off keeps the start-up and shutdown lines and no access line', async () => {
    const scenario = parseScenario(
      scenarioText({ seed: 3, rps: 15, loadSeconds: 2, steps: ['sleep: 8s'] }),
      'test.yaml',
    );
    const lines = async (accessLines: 'record' | 'off') => {
      const backend = new SimBackend({
        seed: 3,
        namespace: scenario.namespace,
        settings: settingsFromScenario(scenario.settings),
        accessLines,
      });
      await backend.start({ scenario: scenario.name, seed: 3, namespace: scenario.namespace });
      await new ScenarioRunner(scenario, backend).run();
      const pods = await backend.list('pods', 'default');
      expect(pods.length).toBeGreaterThan(0);
      return Promise.all(
        pods.flatMap((p) =>
          ['user-container', 'queue-proxy'].map((c) => backend.podLogs('default', p.metadata.name, c, {})),
        ),
      );
    };
    const on = await lines('record');
    const off = await lines('off');
    const access = /^127\.0\.0\.1 .*\n/gm;
    expect(on.join('')).toMatch(access);
    expect(off.join('')).not.toMatch(access);
    // The same run otherwise: what is left is the recorded run's lines without its access lines.
    expect(off).toEqual(on.map((l) => l.replace(access, '')));
    expect(off.join('')).toContain('Listening on :8080\n');
    expect(off.join('')).toContain('"message":"Starting queue-proxy"');
  });

  it('a run with a reader prints what it prints with recording forced on; without one, its log, transcript and results are those of a recorded run (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.subarray(LOGS_STEPS, { minLength: 1 }),
        async (seed, rps, loadSeconds, logs) => {
          const read = parseScenario(
            scenarioText({ seed, rps, loadSeconds, steps: ['sleep: 8s', ...logs] }),
            'test.yaml',
          );
          const decided = await runScenario(read, 'test.yaml');
          const forced = await runScenario(read, 'test.yaml', { accessLines: 'record' });
          expect(decided.transcript).toBe(forced.transcript);
          expect(decided.log).toBe(forced.log);
          expect(decided.results).toEqual(forced.results);
          // The same run with no reader: nothing it prints or logs depends on the access lines.
          const unread = parseScenario(
            scenarioText({ seed, rps, loadSeconds, steps: ['sleep: 8s', 'kubectl: get pods'] }),
            'test.yaml',
          );
          const off = await runScenario(unread, 'test.yaml');
          const on = await runScenario(unread, 'test.yaml', { accessLines: 'record' });
          expect(off.transcript).toBe(on.transcript);
          expect(off.log).toBe(on.log);
          expect(off.results).toEqual(on.results);
        },
      ),
      { numRuns: 8 },
    );
  });
});
