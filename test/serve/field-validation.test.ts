/**
 * Unknown fields in serving.knative.dev objects: kubectl asks for strict field validation and
 * prints the API server's 400; `fieldValidation=Warn` (the server's default) and `Ignore` store
 * the object without them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, HAS_KUBECTL, type Harness, kubectl, startHarness } from './helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.stop();
});

const PATH = '/apis/serving.knative.dev/v1/namespaces/default/services';

function service(name: string, container: Record<string, unknown>) {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name },
    spec: { template: { spec: { containers: [container] } } },
  };
}

const TYPO = (name: string) => `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
        - imgae: docker.io/x/y
`;

describe('knsim serve: unknown fields', () => {
  it.skipIf(!HAS_KUBECTL)('kubectl apply and create print the strict decoding error and create nothing', async () => {
    const file = join(h.dir, 'svc.yaml');
    writeFileSync(file, TYPO('typo'));
    const k = (...args: string[]) => kubectl(h.kubeconfig, join(h.dir, 'cache'), args);
    for (const verb of ['apply', 'create']) {
      const result = await k(verb, '-f', file);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        `Error from server (BadRequest): error when creating "${file}": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.template.spec.containers[0].imgae"`,
      );
    }
    expect((await api(h, 'GET', `${PATH}/typo`)).status).toBe(404);
    // --validate=false sends fieldValidation=Ignore: the typo is dropped, and the webhook then
    // finds the image missing.
    const ignored = await k('apply', '--validate=false', '-f', file);
    expect(ignored.stderr).toContain('validation failed: missing field(s): spec.template.spec.containers[0].image');
    // --validate=warn: created without the typo, and kubectl prints the server's warning.
    writeFileSync(
      file,
      TYPO('warned-by-kubectl').replace('- imgae: docker.io/x/y', '- image: docker.io/x/y\n          tyop: 1'),
    );
    const warned = await k('apply', '--validate=warn', '-f', file);
    expect(warned).toMatchObject({
      code: 0,
      stdout: 'service.serving.knative.dev/warned-by-kubectl created\n',
      stderr: 'Warning: unknown field "spec.template.spec.containers[0].tyop"\n',
    });
  });

  it('answers a 400 BadRequest Status listing every unknown field, sorted', async () => {
    const res = await api(
      h,
      'POST',
      `${PATH}?fieldValidation=Strict`,
      service('many', { image: 'docker.io/x/y', prots: [], env: [{ name: 'A', vaule: '1' }] }),
    );
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'BadRequest',
      code: 400,
      message:
        'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.template.spec.containers[0].env[0].vaule", unknown field "spec.template.spec.containers[0].prots"',
    });
  });

  it('with Warn (also the default) stores the object without the field and says so in a Warning header', async () => {
    for (const [name, query] of [
      ['warned', '?fieldValidation=Warn'],
      ['defaulted', ''],
    ] as const) {
      const res = await api(h, 'POST', `${PATH}${query}`, service(name, { image: 'docker.io/x/y', tyop: 1 }));
      expect(res.status).toBe(201);
      expect(res.headers.warning).toBe('299 - "unknown field \\"spec.template.spec.containers[0].tyop\\""');
      expect(res.json().spec.template.spec.containers[0]).not.toHaveProperty('tyop');
    }
  });

  it('with Ignore stores the object without the field, silently', async () => {
    const res = await api(
      h,
      'POST',
      `${PATH}?fieldValidation=Ignore`,
      service('ignored', { image: 'docker.io/x/y', tyop: 1 }),
    );
    expect(res.status).toBe(201);
    expect(res.headers.warning).toBeUndefined();
    expect(res.json().spec.template.spec.containers[0]).not.toHaveProperty('tyop');
  });

  it('checks updates too, and refuses an unknown fieldValidation value', async () => {
    expect((await api(h, 'POST', PATH, service('updated', { image: 'docker.io/x/y' }))).status).toBe(201);
    const put = await api(h, 'PUT', `${PATH}/updated?fieldValidation=Strict`, {
      ...service('updated', { image: 'docker.io/x/z' }),
      spec: { template: { spec: { containers: [{ image: 'docker.io/x/z' }] } }, trafic: [] },
    });
    expect(put.status).toBe(400);
    expect(put.json().message).toContain('strict decoding error: unknown field "spec.trafic"');
    const patch = await api(
      h,
      'PATCH',
      `${PATH}/updated?fieldValidation=Strict`,
      { spec: { template: { spec: { containerConcurrency: 1, timeoutSecs: 3 } } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patch.status).toBe(400);
    expect(patch.json().message).toContain('unknown field "spec.template.spec.timeoutSecs"');
    const bad = await api(h, 'POST', `${PATH}?fieldValidation=Loud`, service('loud', { image: 'docker.io/x/y' }));
    expect(bad.status).toBe(400);
    expect(bad.json().message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loud": supported values: "", "Ignore", "Strict", "Warn"',
    );
  });
});
