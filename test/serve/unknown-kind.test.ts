/**
 * A manifest of a group/version or kind the cluster does not serve gets kubectl's own
 * "resource mapping not found … ensure CRDs are installed first", as against a real cluster:
 * discovery does not list it, /openapi/v2 answers (in protobuf, as client-go asks) without it.
 */
import { writeFileSync } from 'node:fs';
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

describe('unknown kinds through the API', () => {
  it('discovery lists no unknown group; its paths are 404', async () => {
    const groups = (await api(h, 'GET', '/apis')).json().groups.map((g: { name: string }) => g.name);
    expect(groups).not.toContain('example.com');
    expect((await api(h, 'GET', '/apis/example.com/v1')).status).toBe(404);
    expect((await api(h, 'GET', '/apis/serving.knative.dev/v2')).status).toBe(404);
    expect((await api(h, 'GET', '/openapi/v3/apis/example.com/v1')).status).toBe(404);
  });

  it('/openapi/v2 answers JSON to a JSON client and protobuf to client-go', async () => {
    const json = await api(h, 'GET', '/openapi/v2', undefined, { accept: 'application/json' });
    expect(json.status).toBe(200);
    expect(json.json().swagger).toBe('2.0');
    const pb = await api(h, 'GET', '/openapi/v2', undefined, {
      accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    });
    expect(pb.status).toBe(200);
    expect(pb.headers['content-type']).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    // field 1 (swagger), length-delimited, "2.0"
    expect(Buffer.from(pb.body, 'latin1')).toEqual(Buffer.from([0x0a, 3, 0x32, 0x2e, 0x30]));
  });
});

describe.skipIf(!HAS_KUBECTL)('unknown kinds through the real kubectl', () => {
  const k = (...args: string[]): Promise<KubectlResult> => kubectl(h.kubeconfig, join(h.dir, 'cache'), args);
  const cases = [
    ['example.com/v1', 'Widget'],
    ['serving.knative.dev/v2', 'Service'],
    ['serving.knative.dev/v1', 'Widget'],
  ] as const;

  for (const [apiVersion, kind] of cases) {
    it(`apply, create and apply --server-side of ${kind} in ${apiVersion}: resource mapping not found`, async () => {
      const file = join(h.dir, `${kind}-${apiVersion.replace(/\W/g, '-')}.yaml`);
      writeFileSync(file, `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: w\n`);
      for (const args of [
        ['apply', '-f', file],
        ['create', '-f', file],
        ['apply', '--server-side', '-f', file],
      ]) {
        const r = await k(...args);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(
          `error: resource mapping not found for name: "w" namespace: "" from "${file}": no matches for kind "${kind}" in version "${apiVersion}"\nensure CRDs are installed first\n`,
        );
      }
    });
  }

  it('a known kind still applies (validation is left to the server), and an unknown type is named', async () => {
    const file = join(h.dir, 'cm.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: known\ndata:\n  a: "1"\n');
    expect(await k('apply', '-f', file)).toMatchObject({ code: 0, stdout: 'configmap/known created\n' });
    expect((await k('get', 'widgets')).stderr).toBe('error: the server doesn\'t have a resource type "widgets"\n');
  });
});
