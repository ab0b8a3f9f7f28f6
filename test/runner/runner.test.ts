import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import { ScenarioRunner } from '../../src/runner/runner.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { runScenarioText } from './runText.js';

const run = (text: string) => runScenarioText(text, 1);

const SERVICE = (image: string) => `
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: hello }
    spec:
      template:
        spec:
          containers:
            - image: ${image}
`;

describe('scenario runner', () => {
  it('prints kubectl rejections in kubectl words and fails the run', async () => {
    const outcome = await run(`${SERVICE('""')}
steps:
  - apply: svc.yaml
`);
    expect(outcome.ok).toBe(false);
    expect(outcome.transcript).toContain(
      'Error from server (BadRequest): error when creating "svc.yaml": admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: missing field(s): spec.template.spec.containers[0].image',
    );
  });

  it("refuses to create Knative's controller-made objects, and to change their spec, as knsim serve does", async () => {
    const outcome = await run(`${SERVICE('docker.io/knsim/demo')}
  rev.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Revision
    metadata: { name: mine-00001 }
    spec:
      containers:
        - image: docker.io/knsim/demo
  labelled.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Revision
    metadata: { name: hello-00001, labels: { team: a } }
    spec:
      containerConcurrency: 0
      enableServiceLinks: false
      timeoutSeconds: 300
      containers:
        - image: docker.io/knsim/other
steps:
  - apply: rev.yaml
  - apply: svc.yaml
  - wait: ksvc hello Ready
  - apply: labelled.yaml
`);
    expect(outcome.ok).toBe(false);
    expect(outcome.transcript).toContain(
      'Error from server (MethodNotAllowed): error when creating "rev.yaml": knsim: revisions.serving.knative.dev are made by Knative\'s controllers; create a Service or Configuration instead',
    );
    expect(outcome.transcript).toContain(
      'Error from server (BadRequest): error when patching "labelled.yaml": admission webhook "validation.webhook.serving.knative.dev" denied the request: Immutable fields changed (-old +new): spec',
    );
  });

  it('refuses a manifest with an unknown field as the API server does (kubectl asks for strict field validation)', async () => {
    const outcome = await run(`${SERVICE('docker.io/x/y').replace('- image:', '- imgae:')}
steps:
  - apply: svc.yaml
`);
    expect(outcome.ok).toBe(false);
    const line = outcome.transcript.split('\n').find((l) => l.startsWith('Error from server'));
    expect(line).toBe(
      'Error from server (BadRequest): error when creating "svc.yaml": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.template.spec.containers[0].imgae"',
    );
    expect(outcome.transcript).not.toContain('missing field(s)');
  });

  it('lists several unknown fields sorted, as the API server does', async () => {
    const outcome = await run(`
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: hello }
    spec:
      template:
        spec:
          containers:
            - image: docker.io/x/y
              prots: [{ containerPort: 8080 }]
          containerConcurency: 1
steps:
  - apply: svc.yaml
`);
    expect(outcome.ok).toBe(false);
    expect(outcome.transcript).toContain(
      'strict decoding error: unknown field "spec.template.spec.containerConcurency", unknown field "spec.template.spec.containers[0].prots"',
    );
  });

  it('rejects an image reference that does not parse, as the webhook does', async () => {
    const outcome = await run(`${SERVICE('docker.io/##DOCKERHUB_NAME##/demo')}
steps:
  - apply: svc.yaml
`);
    expect(outcome.transcript).toContain('validation failed: Failed to parse image reference');
  });

  it('reports a revision whose image cannot be resolved to a digest', async () => {
    const outcome = await run(`${SERVICE('docker.io/knsim/missing')}
settings: { missingImages: [docker.io/knsim/missing] }
steps:
  - apply: svc.yaml
  - wait: { until: "ksvc hello Ready=False", timeout: 1m }
  - kubectl: get ksvc
  - expect: revision hello-00001 reason == ContainerMissing
`);
    expect(outcome.failures).toEqual([]);
    expect(outcome.transcript).toMatch(
      /hello +http:\/\/hello\.default\.svc\.cluster\.local +hello-00001 +False +RevisionMissing/,
    );
  });

  it('fails a wait that never holds, saying what was observed', async () => {
    const outcome = await run(`${SERVICE('docker.io/x/y')}
steps:
  - apply: svc.yaml
  - wait: { until: "pods == 3", timeout: 30s }
`);
    expect(outcome.ok).toBe(false);
    expect(outcome.failures[0]).toMatch(/wait pods == 3: pods == 3 \(was 1\)/);
  });

  it('checks final expectations with a deadline', async () => {
    const outcome = await run(`${SERVICE('docker.io/x/y')}
steps:
  - apply: svc.yaml
expect:
  - pods == 0 by 3m
  - ready pods == 1 by 30s
`);
    expect(outcome.failures).toEqual([]);
    expect(outcome.transcript).toContain('✓ pods == 0 by 3m');
  });

  it('answers unknown hosts with 404', async () => {
    const outcome = await run(`steps:
  - curl: http://nothing.default.example.com
    expect: { status: 404 }
`);
    expect(outcome.failures).toEqual([]);
  });

  it('counts a 404 as answered only where the curl step expects it', async () => {
    const expected = await run(`steps:
  - curl: http://nothing.default.example.com
    expect: { status: 404, within: 10s }
expect:
  - curl answered within 10s
`);
    expect(expected.failures).toEqual([]);
    const unexpected = await run(`steps:
  - curl: http://nothing.default.example.com
    expect: { within: 10s }
expect:
  - curl answered within 10s
`);
    expect(unexpected.failures).toEqual([
      'step 1: curl: status 404, wanted a success (below 400)',
      'expect curl answered within 10s: curl answered within 10s (was 404 after 1ms: an error status)',
    ]);
    expect(unexpected.transcript).toContain('✗ curl answered within 10s');
  });

  it('uses the default domain svc.cluster.local when config-domain is not set', async () => {
    const outcome = await run(`${SERVICE('docker.io/x/y')}
steps:
  - apply: svc.yaml
  - wait: ksvc hello Ready
  - curl: http://hello.default.svc.cluster.local
    expect: { status: 200 }
`);
    expect(outcome.failures).toEqual([]);
  });
});

describe('admission', () => {
  it('checks the autoscaling annotations of the template against config-autoscaler', async () => {
    const outcome = await run(`
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: hello }
    spec:
      template:
        metadata:
          annotations:
            autoscaling.knative.dev/min-scale: "5"
            autoscaling.knative.dev/max-scale: "2"
            autoscaling.knative.dev/window: "2s"
        spec:
          containers:
            - image: docker.io/x/y
steps:
  - apply: svc.yaml
`);
    expect(outcome.transcript).toContain(
      'validation failed: expected 6s <= 2s <= 1h0m0s: spec.template.metadata.annotations.autoscaling.knative.dev/window\nmax-scale=2 is less than min-scale=5: spec.template.metadata.annotations.autoscaling.knative.dev/max-scale, spec.template.metadata.annotations.autoscaling.knative.dev/min-scale',
    );
  });

  it("shows a divergence the backend logged between steps, not inside a step's output", async () => {
    const scenario = parseScenario(
      `${SERVICE('docker.io/x/y')}
steps:
  - apply: svc.yaml
  - sleep: 2s
  - kubectl: get ksvc
`,
      'test.yaml',
    );
    const backend = new SimBackend({ seed: 1, namespace: scenario.namespace });
    await backend.start({ scenario: scenario.name, seed: 1, namespace: scenario.namespace });
    backend.cluster.engine.at(1500, () =>
      backend.log.event({
        t: 1500,
        type: 'divergence',
        kind: 'Revision',
        namespace: 'default',
        name: 'hello-00001',
        from: 'Ready',
        to: 'Deploying',
        rule: 'ScaleTargetInitialized never goes back',
      }),
    );
    const outcome = await new ScenarioRunner(scenario, backend).run();
    const blocks = outcome.transcript.split('\n\n');
    const at = blocks.findIndex((b) => b.includes('divergence'));
    expect(blocks[at]).toBe(
      '[00:01.500] # divergence: Revision hello-00001 went from Ready to Deploying, which the model does not allow (ScaleTargetInitialized never goes back)',
    );
    expect(blocks[at + 1]).toMatch(/\$ kubectl get ksvc/);
  });
});
