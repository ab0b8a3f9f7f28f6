/**
 * API discovery as kubectl and client-go read it: the legacy (unaggregated) documents `/api`,
 * `/apis`, `/api/v1`, `/apis/<group>/<version>`, and a minimal OpenAPI v3 that tells kubectl the
 * server does field validation itself (so `kubectl apply` needs no `--validate=false`).
 *
 * kubectl 1.32 first asks for aggregated discovery (`as=APIGroupDiscoveryList`); answering with
 * plain `application/json` makes client-go fall back to these documents.
 */

import { createHash } from 'node:crypto';
import { discoveryOrder, RESOURCE_TYPES, type ResourceType } from '../model/rules/resources.js';
import { crdSchemas } from './openapi.js';
import { hasScale } from './scale.js';

/** Types that have a status subresource in a real cluster. */
const WITH_STATUS = new Set([
  'pods',
  'services',
  'namespaces',
  'deployments.apps',
  'replicasets.apps',
  'services.serving.knative.dev',
  'configurations.serving.knative.dev',
  'routes.serving.knative.dev',
  'revisions.serving.knative.dev',
  'podautoscalers.autoscaling.internal.knative.dev',
  'metrics.autoscaling.internal.knative.dev',
  'serverlessservices.networking.internal.knative.dev',
  'ingresses.networking.internal.knative.dev',
  'certificates.networking.internal.knative.dev',
]);

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-knsim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function hasStatus(r: ResourceType): boolean {
  return WITH_STATUS.has(r.id);
}

/** Groups other than core, in discovery order (apps first, then Knative's). */
export function apiGroups(): { name: string; versions: string[] }[] {
  const out: { name: string; versions: string[] }[] = [];
  for (const r of discoveryOrder(RESOURCE_TYPES)) {
    if (r.group === '') continue;
    let g = out.find((x) => x.name === r.group);
    if (!g) {
      g = { name: r.group, versions: [] };
      out.push(g);
    }
    if (!g.versions.includes(r.version)) g.versions.push(r.version);
  }
  return out;
}

export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: apiGroups().map((g) => apiGroup(g.name, g.versions)),
  };
}

function apiGroup(name: string, versions: string[]): unknown {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function apiGroupDocument(group: string): unknown | undefined {
  const g = apiGroups().find((x) => x.name === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...(apiGroup(g.name, g.versions) as object) } : undefined;
}

export function resourcesIn(group: string, version: string): ResourceType[] {
  return discoveryOrder(RESOURCE_TYPES.filter((r) => r.group === group && r.version === version));
}

export function apiResourceList(group: string, version: string): unknown | undefined {
  const types = resourcesIn(group, version);
  if (types.length === 0) return undefined;
  const resources: unknown[] = [];
  for (const r of types) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length > 0 ? { categories: r.categories } : {}),
    });
    if (hasStatus(r)) {
      resources.push({
        name: `${r.plural}/status`,
        singularName: '',
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
    if (r.id === 'pods') {
      resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    }
    if (hasScale(r)) {
      // The scale client (kubectl scale) finds the Scale's group and version here.
      resources.push({
        name: `${r.plural}/scale`,
        singularName: '',
        namespaced: r.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources,
  };
}

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/**
 * `/openapi/v3`: one entry per group version, with a hash of its document (kubectl caches the
 * documents by it, so a changed document gets a new one).
 */
export function openApiV3Index(): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const seen = new Set<string>();
  for (const r of RESOURCE_TYPES) {
    const p = gvPath(r.group, r.version);
    if (seen.has(p)) continue;
    seen.add(p);
    const hash = createHash('sha256')
      .update(JSON.stringify(openApiV3Document(p)))
      .digest('hex')
      .slice(0, 32);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash.toUpperCase()}` };
  }
  return { paths };
}

/**
 * `/openapi/v3/<gv>`: only the PATCH operations, each tagged with its group-version-kind and
 * the `fieldValidation` query parameter. That is what kubectl's field-validation check looks
 * for; with it kubectl leaves validation to the server. No request-body schemas: kubectl then
 * builds strategic merge patches from its built-in types, and JSON merge patches for Knative's.
 */
export function openApiV3Document(path: string): unknown | undefined {
  const types = RESOURCE_TYPES.filter((r) => gvPath(r.group, r.version) === path);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of types) {
    const base = `/${gvPath(r.group, r.version)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  const first = types[0]!;
  const schemas = crdSchemas(
    first.group,
    first.version,
    types.filter((r) => !r.verbs.every((v) => v === 'create')).map((r) => r.kind),
  );
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
    paths,
    components: { schemas: schemas ?? {} },
  };
}

/**
 * `/openapi/v2`: a Swagger 2.0 document. kubectl reads it when a manifest's kind is not in
 * `/openapi/v3` (an unknown group/version): the kind is then simply not described, kubectl's
 * client-side validation has nothing to say, and kubectl reports "resource mapping not found …
 * ensure CRDs are installed first" as against a real cluster (a 404 here made it fail earlier,
 * with "failed to download openapi").
 */
export function openApiV2Document(): unknown {
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
    paths: {},
    definitions: {},
  };
}

/**
 * The media type of that answer (client-go asks for `…spec.v2@v1.0+protobuf`, but an `@` in a
 * Content-Type is a parse error for Go's mime package, so the server answers with a dot).
 */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/**
 * The same document in the protobuf encoding of gnostic's openapi_v2.Document, which is all
 * client-go accepts: field 1 (`swagger`, a string) set to "2.0", nothing else.
 */
export function openApiV2Protobuf(): Buffer {
  const swagger = Buffer.from('2.0', 'utf8');
  return Buffer.concat([Buffer.from([(1 << 3) | 2, swagger.length]), swagger]);
}
