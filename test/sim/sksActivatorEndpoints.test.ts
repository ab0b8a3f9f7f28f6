/**
 * The SKS's ActivatorEndpointsPopulated (an Info condition, outside Ready) in a run: True while
 * the activator backs the revision (Proxy), False once the KPA puts the pods behind the public
 * service (Serve), as Knative's SKS reconciler marks it.
 */
import { describe, expect, it } from 'vitest';
import { runScenarioText } from '../runner/runText.js';

const scenario = (tbc: string, mode: string, status: string) => `
settings: { podStartup: 2s }
config:
  config-autoscaler: { target-burst-capacity: "${tbc}" }
files:
  a.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: web }
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/demo
steps:
  - apply: a.yaml
  - wait: ksvc web Ready
  - wait: { until: "sks web-00001 mode == ${mode}", timeout: 30s }
  - expect: sks web-00001 ActivatorEndpointsPopulated=${status}
  - expect: sks web-00001 ActivatorEndpointsPopulated.reason == ActivatorEndpointsPopulated
  - expect: sks web-00001 Ready
`;

const run = (text: string) => runScenarioText(text, 3);

describe("the SKS's ActivatorEndpointsPopulated in a run", () => {
  it('is True while the activator is in the path (the default burst capacity: Proxy)', async () => {
    const outcome = await run(scenario('200', 'Proxy', 'True'));
    expect(outcome.failures, outcome.transcript).toEqual([]);
  });

  it('is False for the HPA class once a pod is ready (its SKS is always in Serve)', async () => {
    const text = scenario('200', 'Serve', 'False').replace(
      '      template:\n        spec:',
      '      template:\n        metadata:\n          annotations:\n            autoscaling.knative.dev/class: hpa.autoscaling.knative.dev\n            autoscaling.knative.dev/metric: cpu\n        spec:',
    );
    expect(text).toContain('hpa.autoscaling.knative.dev');
    const outcome = await run(text);
    expect(outcome.failures, outcome.transcript).toEqual([]);
  });

  it('is False once the pods serve directly (target-burst-capacity 0: Serve), and Ready does not follow it', async () => {
    const outcome = await run(scenario('0', 'Serve', 'False'));
    expect(outcome.failures, outcome.transcript).toEqual([]);
  });
});
