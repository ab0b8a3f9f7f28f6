/**
 * curl -m/--max-time: curl gives up as the real one does (exit code 28, its message on stderr,
 * which -s hides and -S shows again), and the request leaves the cluster.
 */
import { describe, expect, it } from 'vitest';
import { runScenarioText } from './runText.js';

const SCENARIO = (curl: string) => `
settings: { podStartup: 2s, app: { serviceTime: 10s } }
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: slow }
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/slow
steps:
  - apply: svc.yaml
  - wait: ksvc slow Ready
  - curl: ${curl}
  - expect: curl status == 0
  - expect: activator-queue == 0
`;

const run = (text: string) => runScenarioText(text, 2);

describe('curl -m', () => {
  it('gives up after the time given, with curl exit code 28 and its message', async () => {
    const outcome = await run(SCENARIO('-m 2 http://slow.default.svc.cluster.local'));
    expect(outcome.failures).toEqual([]);
    expect(outcome.transcript).toContain(
      '$ curl -m 2 http://slow.default.svc.cluster.local\ncurl: (28) Operation timed out after 2000 milliseconds with 0 bytes received\n',
    );
    expect(outcome.transcript).toMatch(/\] # no answer within 2\.0 s: curl gave up \(exit code 28\)\n/);
    expect(outcome.transcript).not.toContain('Hello');
  });

  it('-s hides the message, -sS shows it, --max-time takes fractions', async () => {
    const silent = await run(SCENARIO('-s --max-time 1.5 http://slow.default.svc.cluster.local'));
    expect(silent.transcript).not.toContain('curl: (28)');
    expect(silent.transcript).toContain('no answer within 1.5 s');
    const shown = await run(SCENARIO('-sS --max-time 1.5 http://slow.default.svc.cluster.local'));
    expect(shown.transcript).toContain('curl: (28) Operation timed out after 1500 milliseconds with 0 bytes received');
  });

  it('without -m curl waits for the answer', async () => {
    const outcome = await run(SCENARIO('http://slow.default.svc.cluster.local'));
    expect(outcome.transcript).toMatch(/# HTTP 200 after 10\.\d s/);
    expect(outcome.failures).toEqual(['step 4: expect curl status == 0 (was 200)']);
  });
});
