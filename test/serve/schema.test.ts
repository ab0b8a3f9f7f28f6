/**
 * The CRD's structural schema on knsim serve: a value of the wrong type or a required field left
 * out is a 422 Invalid with one cause per error, in the API server's words; kubectl prints it
 * as it prints any Invalid answer, and nothing is stored.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlInvalidMessage, schemaErrors } from '../../src/model/rules/schema.js';
import { api, HAS_KUBECTL, type Harness, kubectl, startHarness } from './helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.stop();
});

const PATH = '/apis/serving.knative.dev/v1/namespaces/default/services';

describe('knsim serve: the schema of Knative kinds', () => {
  it('answers 422 Invalid with a cause per error; nothing is stored', async () => {
    const res = await api(h, 'POST', `${PATH}?fieldValidation=Strict`, {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'bad' },
      spec: { template: { spec: { containers: { image: 'docker.io/x/y' } } } },
    });
    expect(res.status).toBe(422);
    const p = 'spec.template.spec.containers';
    expect(res.json()).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
      message: `Service.serving.knative.dev "bad" is invalid: ${p}: Invalid value: "object": ${p} in body must be of type array: "object"`,
      details: {
        name: 'bad',
        group: 'serving.knative.dev',
        kind: 'Service',
        causes: [
          {
            reason: 'FieldValueInvalid',
            field: p,
            message: `Invalid value: "object": ${p} in body must be of type array: "object"`,
          },
        ],
      },
    });
    expect((await api(h, 'GET', `${PATH}/bad`)).status).toBe(404);
  });

  it('several errors are listed in brackets; a Service without spec is refused by the webhook for its containers', async () => {
    const res = await api(h, 'POST', PATH, {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'two' },
      spec: { template: { spec: { containers: [{ image: 'docker.io/x/y', ports: [{}], env: [{ value: 'v' }] }] } } },
    });
    expect(res.status).toBe(422);
    expect(res.json().message).toBe(
      'Service.serving.knative.dev "two" is invalid: [spec.template.spec.containers[0].env[0].name: Required value, spec.template.spec.containers[0].ports[0].containerPort: Required value]',
    );
    const nospec = await api(h, 'POST', PATH, {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'nospec' },
    });
    expect(nospec.status).toBe(400);
    expect(nospec.json().message).toContain('missing field(s): spec.template.spec.containers');
  });

  it.skipIf(!HAS_KUBECTL)('kubectl apply prints "The Service … is invalid" as for any Invalid answer', async () => {
    const file = join(h.dir, 'bad.yaml');
    writeFileSync(
      file,
      'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: env-map\nspec:\n  template:\n    spec:\n      containers:\n        - image: docker.io/x/y\n          env: { A: b }\n',
    );
    const result = await kubectl(h.kubeconfig, join(h.dir, 'cache'), ['apply', '-f', file]);
    const p = 'spec.template.spec.containers[0].env';
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `The Service "env-map" is invalid: ${p}: Invalid value: "object": ${p} in body must be of type array: "object"`,
    );
    // The simulator's kubectl prints what the real one does, for one error and for several.
    const errors = schemaErrors({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      spec: { template: { spec: { containers: [{ image: 'docker.io/x/y', env: { A: 'b' } }] } } },
    });
    expect(`${kubectlInvalidMessage('Service', 'env-map', errors)}\n`).toBe(result.stderr);
    writeFileSync(
      file,
      'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: two\nspec:\n  template:\n    spec:\n      containers:\n        - image: docker.io/x/y\n          ports: [{}]\n          env: [{ value: v }]\n',
    );
    const two = await kubectl(h.kubeconfig, join(h.dir, 'cache'), ['apply', '-f', file]);
    const twoErrors = schemaErrors({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      spec: { template: { spec: { containers: [{ image: 'docker.io/x/y', ports: [{}], env: [{ value: 'v' }] }] } } },
    });
    expect(two.stderr).toBe(`${kubectlInvalidMessage('Service', 'two', twoErrors)}\n`);
  });
});
