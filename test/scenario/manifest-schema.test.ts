/**
 * Manifests in a scenario are checked against the CRD's schema when the file is read: the API
 * server's words, at the line of the field (the samples that reached the simulator unchecked
 * and crashed it: containers as a mapping, env not a list, a namespace of " ").
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/parse.js';

function errorOf(text: string): ScenarioError {
  try {
    parseScenario(text, 'scn.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

const scenario = (manifest: string) =>
  `files:\n  svc.yaml: |\n${manifest
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\nsteps:\n  - apply: svc.yaml\n`;

const svc = (spec: string, metadata = '{ name: demo }') =>
  `apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: ${metadata}\nspec:\n  template:\n    spec:\n${spec}`;

describe('manifests against the schema, at parse time', () => {
  it('containers as a mapping: file, line, field and the API server text', () => {
    const e = errorOf(scenario(svc('      containers: { image: docker.io/x/y }')));
    const p = 'spec.template.spec.containers';
    expect(e.message).toBe(
      `scn.yaml:9:23: files["svc.yaml"][0].${p}: Service.serving.knative.dev "demo" is invalid: ${p}: Invalid value: "object": ${p} in body must be of type array: "object"`,
    );
  });

  it('env as a mapping and a port without containerPort, each at its own line', () => {
    const e = errorOf(
      scenario(
        svc(
          '      containers:\n        - image: docker.io/x/y\n          env: { A: b }\n          ports:\n            - name: http1',
        ),
      ),
    );
    expect(e.issues.map((i) => [i.line, i.field])).toEqual([
      [11, 'files["svc.yaml"][0].spec.template.spec.containers[0].env'],
      [13, 'files["svc.yaml"][0].spec.template.spec.containers[0].ports[0].containerPort'],
    ]);
    expect(e.issues[1]?.message).toBe(
      'Service.serving.knative.dev "demo" is invalid: spec.template.spec.containers[0].ports[0].containerPort: Required value',
    );
  });

  it('a manifest file named by path is checked too, with its own lines', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { loadScenarioFile } = await import('../../src/scenario/parse.js');
    const dir = mkdtempSync(join(tmpdir(), 'knsim-schema-'));
    writeFileSync(
      join(dir, 'svc.yaml'),
      svc('      containerConcurrency: "ten"\n      containers: [{ image: docker.io/x/y }]'),
    );
    writeFileSync(join(dir, 's.yaml'), 'steps:\n  - apply: svc.yaml\n');
    try {
      loadScenarioFile(join(dir, 's.yaml'));
      expect.unreachable();
    } catch (e) {
      expect((e as ScenarioError).message).toBe(
        `${join(dir, 'svc.yaml')}:7:29: documents[0].spec.template.spec.containerConcurrency: Service.serving.knative.dev "demo" is invalid: spec.template.spec.containerConcurrency: Invalid value: "string": spec.template.spec.containerConcurrency in body must be of type integer: "string"`,
      );
    }
  });

  it('a namespace that is not a DNS-1123 label is refused in apimachinery words; "" means the default', () => {
    const e = errorOf(scenario(svc('      containers: [{ image: docker.io/x/y }]', '{ name: demo, namespace: " " }')));
    expect(e.message).toContain(
      'files["svc.yaml"][0].metadata.namespace: metadata.namespace: Invalid value: " ": a lowercase RFC 1123 label must consist of',
    );
    const ok = parseScenario(
      scenario(svc('      containers: [{ image: docker.io/x/y }]', '{ name: demo, namespace: "" }')),
      's.yaml',
    );
    expect(ok.files['svc.yaml']?.[0]?.metadata).toEqual({ name: 'demo' });
  });

  it('a Service without spec parses (the webhook refuses it when applied, for its containers)', () => {
    const s = parseScenario(
      scenario('apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: { name: demo }'),
      's.yaml',
    );
    expect(s.files['svc.yaml']).toHaveLength(1);
  });

  it('inline manifests of apply steps are checked as well', () => {
    const e = errorOf(
      'steps:\n  - apply:\n      manifest:\n        apiVersion: serving.knative.dev/v1\n        kind: Route\n        metadata: { name: r }\n        spec: { traffic: { percent: 100 } }\n',
    );
    expect(e.message).toContain(
      'spec.traffic: Invalid value: "object": spec.traffic in body must be of type array: "object"',
    );
  });
});
