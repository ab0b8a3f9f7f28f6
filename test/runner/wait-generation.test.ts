/**
 * `wait: ksvc X Ready` after an applied change waits, as `kubectl wait --for=condition=Ready`
 * does, until the Service's observedGeneration has caught up: it never returns on the old
 * generation's Ready.
 */
import { describe, expect, it } from 'vitest';
import { runScenarioText } from './runText.js';

const service = (tag: string) => `|
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: web }
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/demo:${tag}`;

const SCENARIO = `
settings: { podStartup: 2s }
files:
  v1.yaml: ${service('v1')}
  v2.yaml: ${service('v2')}
steps:
  - apply: v1.yaml
  - wait: ksvc web Ready
  - apply: v2.yaml
  - wait: ksvc web Ready
  - expect: ksvc web status.latestReadyRevisionName == web-00002
  - expect: revision web-00002 Ready
`;

const run = (text: string) => runScenarioText(text, 3);

describe('waiting on a generation', () => {
  it('a wait after a new template returns when the new generation is Ready, not on the old Ready', async () => {
    const outcome = await run(SCENARIO);
    expect(outcome.failures).toEqual([]);
    const waits = [...outcome.transcript.matchAll(/waited until ksvc web Ready: ([\d.]+) s/g)].map((m) => Number(m[1]));
    expect(waits).toHaveLength(2);
    // The second wait lasts a new revision's start-up, like the first.
    expect(waits[1]).toBeGreaterThan(2);
  });

  it('an expectation on a condition of an older generation says so', async () => {
    const outcome = await run(
      SCENARIO.replace(
        / {2}- wait: ksvc web Ready\n {2}- expect: ksvc web status[^\n]*\n {2}- expect: revision[^\n]*\n/,
        '  - expect: ksvc web Ready\n',
      ),
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.transcript).toContain(
      '✗ expect ksvc web Ready (was Ready=True of generation 1; generation 2 not observed yet)',
    );
  });
});
