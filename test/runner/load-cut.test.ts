/**
 * A run ends at its last step, not when its load does. A phase the run's end cuts short, or
 * never reaches, is said in the summary (with when the load would have ended), so a scenario
 * whose later phase never ran does not pass as if it had; a run whose load all went says nothing.
 */
import { describe, expect, it } from 'vitest';
import { ClosedLoopClients } from '../../src/sim/load/closedLoop.js';
import { runScenarioText } from './runText.js';

const scenario = (load: string, lastStep: string) => `
settings: { podStartup: 2s }
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: web }
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/demo
load:
${load}
steps:
  - apply: svc.yaml
  - wait: ksvc web Ready
  - ${lastStep}
`;

const cutLine = (transcript: string) => transcript.split('\n').find((l) => l.startsWith('  ! '));

describe('load the run never sent', () => {
  const twoPhases =
    '  - { at: 5s, for: 20s, constant: { rps: 2 } }\n  - { name: later, at: 2m, for: 30s, constant: { rps: 2 } }';

  it('names a phase that never started, when it was due and when the load ends', async () => {
    const outcome = await runScenarioText(scenario(twoPhases, '{ at: 1m, note: "done" }'), 1);
    expect(cutLine(outcome.transcript)).toBe(
      '  ! the run ended before its load: later (not started) cut short, the next request was due at 02:00.000;' +
        ' requests after 01:00.000 were not sent (add a step at or after 02:30.000 to run all of it)',
    );
    // A cut load is said, not failed: the expectations decide the outcome.
    expect(outcome.failures).toEqual([]);
  });

  it('names a phase cut in its middle', async () => {
    const outcome = await runScenarioText(scenario(twoPhases, '{ at: 2m10s, note: "done" }'), 1);
    const line = cutLine(outcome.transcript) ?? '';
    expect(line).toContain('the run ended before its load: later cut short, the next request was due at 02:10.');
    expect(line).toContain('(add a step at or after 02:30.000 to run all of it)');
  });

  it('says nothing when the last step comes after the load', async () => {
    const outcome = await runScenarioText(scenario(twoPhases, '{ at: 2m40s, note: "done" }'), 1);
    expect(cutLine(outcome.transcript)).toBeUndefined();
    expect(outcome.transcript).toContain('requests 100:');
  });

  it('names a hey phase still running, and not one that sent all its requests', async () => {
    const running = await runScenarioText(
      scenario('  - { name: clients, at: 5s, for: 10m, hey: { concurrency: 2 } }', '{ at: 1m, note: "done" }'),
      1,
    );
    expect(cutLine(running.transcript)).toContain('the run ended before its load: clients cut short;');
    const done = await runScenarioText(
      scenario('  - { at: 5s, hey: { concurrency: 2, requests: 6 } }', '{ at: 1m, note: "done" }'),
      1,
    );
    expect(cutLine(done.transcript)).toBeUndefined();
  });
});

describe('ClosedLoopClients.nextUnsentMs', () => {
  const clients = (o: { maxRequests?: number; durationMs?: number }) =>
    new ClosedLoopClients({
      concurrency: 2,
      startMs: 1000,
      ...o,
      random: () => 0.5,
      service: () => 10,
    });

  it('is the start before the clients start, and a scheduled request while it is not yet due', () => {
    const c = clients({ durationMs: 60_000 });
    expect(c.nextUnsentMs(0)).toBe(1000);
    c.start(0);
    expect(c.nextUnsentMs(500)).toBe(1000);
    // Sent and waiting for answers: the next requests follow them, so they are still to come.
    expect(c.nextUnsentMs(1500)).toBe(1500);
  });

  it('is undefined once the clients will send no more', () => {
    const c = clients({ maxRequests: 2 });
    c.start(0);
    expect(c.nextUnsentMs(1500)).toBeUndefined();
    const d = clients({ durationMs: 5000 });
    d.start(0);
    expect(d.nextUnsentMs(6000)).toBeUndefined();
    d.onResponse(0, 1010);
    d.onResponse(1, 1010);
    const e = clients({ durationMs: 60_000 });
    e.start(0);
    e.onResponse(0, 1010);
    e.onResponse(1, 1010);
    expect(e.nextUnsentMs(1005)).toBe(1010);
  });
});
