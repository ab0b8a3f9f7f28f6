/**
 * `knsim serve` runs the simulator behind a Kubernetes API: a Service asking for an autoscaler
 * class it does not simulate is denied as a webhook would deny it, never run as the KPA; the HPA
 * class is admitted and its HorizontalPodAutoscaler listed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Harness, startHarness } from '../serve/helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const KSVCS = '/apis/serving.knative.dev/v1/namespaces/default/services';

function ksvc(name: string, annotations: Record<string, string>) {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: {
      template: {
        metadata: { annotations },
        spec: { containers: [{ image: 'docker.io/knsim/app', resources: { requests: { cpu: '100m' } } }] },
      },
    },
  };
}

describe('autoscaler classes over knsim serve', () => {
  it('denies a class the simulator does not run', async () => {
    // Knative admits classes outside its domain (custom autoscalers); the simulator runs none of them.
    const r = await api(
      h,
      'POST',
      KSVCS,
      ksvc('custom', { 'autoscaling.knative.dev/class': 'autoscaler.example.com' }),
    );
    expect(r.status).toBe(400);
    expect(r.json().message).toBe(
      'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: autoscaler class "autoscaler.example.com" is not simulated: knsim runs kpa.autoscaling.knative.dev (the default) and hpa.autoscaling.knative.dev: spec.template.metadata.annotations.autoscaling.knative.dev/class',
    );
  });

  it('admits the HPA class', async () => {
    const r = await api(
      h,
      'POST',
      KSVCS,
      ksvc('hpa', { 'autoscaling.knative.dev/class': 'hpa.autoscaling.knative.dev' }),
    );
    expect(r.status).toBe(201);
  });
});
