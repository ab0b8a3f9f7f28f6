/**
 * `expect: { refused }` beside `apply:`: a scenario can show the API server refusing a manifest
 * (Knative's webhook, the CRD schema) as a cluster would, and the step passes only when the
 * apply was refused with that text; an apply that goes through, or one refused for another
 * reason, fails the run.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/parse.js';
import { runScenarioText } from './runText.js';

const named = (revision: string, color: string) => `|
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: web }
    spec:
      template:
        metadata: { name: ${revision} }
        spec:
          containers:
            - image: docker.io/knsim/demo
              env: [{ name: COLOR, value: "${color}" }]`;

const scenario = (step: string) => `
settings: { podStartup: 2s }
files:
  blue.yaml: ${named('web-blue', 'blue')}
  navy.yaml: ${named('web-blue', 'navy')}
  green.yaml: ${named('web-green', 'green')}
steps:
  - apply: blue.yaml
  - wait: ksvc web Ready
${step}
`;

const run = (text: string) => runScenarioText(text, 3);

describe('an apply expected to be refused', () => {
  it('passes when the webhook refuses it with the text, and shows the refusal', async () => {
    const outcome = await run(
      scenario('  - apply: navy.yaml\n    expect: { refused: "Saw the following changes without a name change" }'),
    );
    expect(outcome.failures).toEqual([]);
    expect(outcome.transcript).toContain('denied the request: validation failed: Saw the following changes');
    expect(outcome.transcript).toContain('✓ refused as expected');
  });

  it('passes on any refusal with an empty text', async () => {
    const outcome = await run(scenario('  - apply: navy.yaml\n    expect: { refused: "" }'));
    expect(outcome.failures).toEqual([]);
  });

  it('fails when the apply goes through', async () => {
    const outcome = await run(scenario('  - apply: green.yaml\n    expect: { refused: "" }'));
    expect(outcome.failures).toEqual(['step 3: kubectl apply -f green.yaml was not refused']);
    expect(outcome.transcript).toContain('✗ the apply was not refused');
  });

  it('fails when it is refused for another reason', async () => {
    const outcome = await run(scenario('  - apply: navy.yaml\n    expect: { refused: "spec.traffic" }'));
    expect(outcome.failures).toEqual(['step 3: kubectl apply -f navy.yaml was refused without "spec.traffic"']);
  });

  it('is refused at its line when the expectation is not a refusal', () => {
    expect(() => parseScenario(scenario('  - apply: navy.yaml\n    expect: { status: 400 }'), 'test.yaml')).toThrow(
      ScenarioError,
    );
    try {
      parseScenario(scenario('  - apply: navy.yaml\n    expect: { status: 400 }'), 'test.yaml');
    } catch (e) {
      expect((e as Error).message).toMatch(/test\.yaml:\d+:\d+: steps\[2\]\.expect/);
    }
  });
});
