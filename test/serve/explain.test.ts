/**
 * `kubectl explain` of Knative's types: /openapi/v3/apis/<group>/<version> carries their
 * structural schemas (types, descriptions, the group-version-kind), as for a CRD on a real
 * cluster; the built-in kinds keep only their patch operations.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, HAS_KUBECTL, type Harness, type KubectlResult, kubectl, startHarness } from './helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

describe('OpenAPI v3 schemas of the custom resources', () => {
  it('serving.knative.dev/v1 has Service, Configuration, Route and Revision with their fields and types', async () => {
    const index = (await api(h, 'GET', '/openapi/v3')).json();
    const url = index.paths['apis/serving.knative.dev/v1'].serverRelativeURL as string;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/serving\.knative\.dev\/v1\?hash=[0-9A-F]{32}$/);
    const doc = (await api(h, 'GET', url)).json();
    const schemas = doc.components.schemas;
    for (const kind of ['Service', 'Configuration', 'Route', 'Revision']) {
      expect(schemas[`dev.knative.serving.v1.${kind}`]['x-kubernetes-group-version-kind']).toEqual([
        { group: 'serving.knative.dev', version: 'v1', kind },
      ]);
    }
    const ksvc = schemas['dev.knative.serving.v1.Service'];
    const template = ksvc.properties.spec.properties.template;
    expect(template.properties.spec.properties.containerConcurrency).toMatchObject({ type: 'integer' });
    expect(template.properties.spec.properties.containers.type).toBe('array');
    expect(ksvc.properties.spec.properties.traffic.items.properties.latestRevision).toMatchObject({ type: 'boolean' });
    expect(ksvc.properties.metadata.allOf[0].$ref).toBe(
      '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    );
    expect(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.name.type).toBe('string');
  });

  it('the core group keeps no schemas (kubectl builds its patches from its own types)', async () => {
    const core = (await api(h, 'GET', '/openapi/v3/api/v1')).json();
    expect(core.components.schemas).toEqual({});
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl explain', () => {
  const k = (...args: string[]): Promise<KubectlResult> => kubectl(h.kubeconfig, join(h.dir, 'cache'), args);

  it('explains ksvc, ksvc.spec.template and a field, with its type and description', async () => {
    const top = await k('explain', 'ksvc');
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^GROUP: +serving\.knative\.dev\nKIND: +Service\nVERSION: +v1\n/);
    expect(top.stdout).toContain('  metadata\t<ObjectMeta>\n');
    const template = await k('explain', 'ksvc.spec.template');
    expect(template.stdout).toContain('FIELD: template <Object>');
    expect(template.stdout).toMatch(/ {2}spec\t<Object>\n/);
    const field = await k('explain', 'ksvc.spec.template.spec.containerConcurrency');
    expect(field.stdout).toContain('FIELD: containerConcurrency <integer>');
    expect(field.stdout).toMatch(/The most requests one replica handles at the same time/);
    const recursive = await k('explain', 'revision.spec', '--recursive');
    expect(recursive.stdout).toMatch(/containers\t<\[\]Object>/);
    const missing = await k('explain', 'ksvc.spec.nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('field "nope" does not exist');
  });
});
