import { describe, expect, it } from 'vitest';
import { runScenarioFile } from '../../src/runner/simulate.js';

const SEED = 'scenarios/seed-walkthrough.yaml';

/** The transcript's output block after a command line, up to the next blank line. */
function outputOf(transcript: string, command: string, occurrence = 0): string {
  const blocks = transcript.split('\n\n');
  const matching = blocks.filter((b) => b.split('\n')[0]?.endsWith(`$ ${command}`));
  const block = matching[occurrence];
  if (!block) throw new Error(`no "${command}" #${occurrence} in transcript`);
  return block.split('\n').slice(1).join('\n');
}

describe('the seed walk-through', async () => {
  const run = await runScenarioFile(SEED);

  it('meets every expectation', () => {
    expect(run.failures).toEqual([]);
    expect(run.ok).toBe(true);
  });

  it('writes a log in time order, header first, steps and final expectations included', () => {
    const lines = run.log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      type: 'header',
      format: 1,
      backend: 'sim',
      scenario: 'seed-walkthrough',
      seed: 1,
    });
    const times = lines.slice(1).map((e) => e.t as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(lines.filter((e) => e.type === 'step').map((e) => e.command)).toContain('kubectl get ksvc');
    expect(lines.filter((e) => e.type === 'expect').every((e) => e.ok)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'end', ok: true });
  });

  it('creates the service as kubectl apply reports it', () => {
    expect(outputOf(run.transcript, 'kubectl apply -f article.yaml')).toBe(
      'service.serving.knative.dev/knservice created',
    );
  });

  it('prints the ksvc, configurations and routes tables as the article shows them', () => {
    expect(outputOf(run.transcript, 'kubectl get ksvc')).toBe(
      [
        'NAME        URL                                    LATESTCREATED     LATESTREADY       READY   REASON',
        'knservice   http://knservice.default.example.com   knservice-00001   knservice-00001   True    ',
      ].join('\n'),
    );
    expect(outputOf(run.transcript, 'kubectl get configurations')).toBe(
      [
        'NAME        LATESTCREATED     LATESTREADY       READY   REASON',
        'knservice   knservice-00001   knservice-00001   True    ',
      ].join('\n'),
    );
    expect(outputOf(run.transcript, 'kubectl get routes')).toBe(
      [
        'NAME        URL                                    READY   REASON',
        'knservice   http://knservice.default.example.com   True    ',
      ].join('\n'),
    );
  });

  it('prints the revision with the six columns of current Knative', () => {
    const table = outputOf(run.transcript, 'kubectl get revision').split('\n');
    expect(table[0]).toBe(
      'NAME              CONFIG NAME   GENERATION   READY   REASON   ACTUAL REPLICAS   DESIRED REPLICAS',
    );
    expect(table[1]).toMatch(/^knservice-00001 {3}knservice {5}1 {12}True {13}1 {17}1$/);
  });

  it('shows one fresh pod, then none, then a new pod a few seconds old', () => {
    const first = outputOf(run.transcript, 'kubectl get pods', 0).split('\n');
    expect(first[0]).toBe('NAME                                          READY   STATUS    RESTARTS   AGE');
    expect(first[1]).toMatch(/^knservice-00001-deployment-[a-z0-9]{10}-[a-z0-9]{5} {3}2\/2 {5}Running {3}0 {10}\d+s$/);
    expect(outputOf(run.transcript, 'kubectl get pods', 1)).toBe('No resources found in default namespace.');
    const last = outputOf(run.transcript, 'kubectl get pods', 2).split('\n');
    expect(last[1]).toMatch(/ {3}2\/2 {5}Running {3}0 {10}[1-5]s$/);
    expect(last[1]!.split(' ')[0]).not.toBe(first[1]!.split(' ')[0]);
  });

  it('answers the cold request after holding it while a pod starts', () => {
    const curl = outputOf(run.transcript, 'curl http://knservice.default.example.com');
    expect(curl.split('\n')[0]).toBe('Hello Knative!');
    const latency = /HTTP 200 after ([\d.]+) s \(held by the activator while knservice-00001 started a pod\)/.exec(
      curl,
    );
    expect(latency).not.toBeNull();
    expect(Number(latency![1])).toBeGreaterThan(1);
    expect(Number(latency![1])).toBeLessThan(10);
  });

  // Condition times have whole-second precision (as on a real API server), so "active for 60 s"
  // can be reached up to a second early.
  it('removes the idle pod about one stable window after it became ready, then drains it for 30 s', () => {
    const events = run.log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const ready = events.find((e) => e.type === 'pod' && e.phase === 'Ready');
    const toZero = events.find((e) => e.type === 'scale' && e.to === 0);
    const gone = events.find((e) => e.type === 'pod' && e.phase === 'Gone');
    expect(toZero.t - ready.t).toBeGreaterThanOrEqual(59_000);
    expect(toZero.t - ready.t).toBeLessThanOrEqual(66_000);
    expect(gone.t - toZero.t).toBeGreaterThanOrEqual(30_000);
    expect(gone.t - toZero.t).toBeLessThan(31_000);
  });
});

describe('determinism', () => {
  it('gives the same log bytes for the same seed and different timings for another', async () => {
    const a = await runScenarioFile(SEED, { seed: 7 });
    const b = await runScenarioFile(SEED, { seed: 7 });
    const c = await runScenarioFile(SEED, { seed: 8 });
    expect(a.log).toBe(b.log);
    expect(c.log).not.toBe(a.log);
    const readyAt = (log: string) =>
      log
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .find((e) => e.type === 'pod' && e.phase === 'Ready').t;
    expect(readyAt(c.log)).not.toBe(readyAt(a.log));
  });
});
