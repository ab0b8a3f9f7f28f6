/**
 * The checks `knsim live` makes before it touches anything, each failing with one sentence:
 * the cluster answers, accepts the credentials, has Knative Serving, and lets this user work
 * with Knative Services (and watch pods) in the namespace.
 */
import * as k8s from '@kubernetes/client-node';
import { describeKubeError, LiveError, serverOf, statusOf, withTimeout } from './kube.js';

/** What the user must be allowed to do in the namespace, as (verb, group, resource). */
export const REQUIRED_ACCESS: readonly [string, string, string][] = [
  ['list', 'serving.knative.dev', 'services'],
  ['create', 'serving.knative.dev', 'services'],
  ['delete', 'serving.knative.dev', 'services'],
  ['watch', 'serving.knative.dev', 'revisions'],
  ['watch', '', 'pods'],
];

export interface PreflightResult {
  server: string;
  version: string;
  /** API groups that are served (for optional watches: PodAutoscalers, SKS). */
  groups: Set<string>;
}

/** Access in another namespace (e.g. patching knative-serving ConfigMaps): [verb, group, resource, namespace]. */
export type ExtraAccess = readonly [string, string, string, string];

export async function preflight(
  kc: k8s.KubeConfig,
  namespace: string,
  timeoutMs = 10_000,
  extra: readonly ExtraAccess[] = [],
): Promise<PreflightResult> {
  const server = serverOf(kc);
  // 1. Reachable, and the credentials are accepted (a bad token is refused even on /version).
  let version = '';
  try {
    const v = await withTimeout(kc.makeApiClient(k8s.VersionApi).getCode(), timeoutMs);
    version = v.gitVersion ?? '';
  } catch (e) {
    const status = statusOf(e);
    // Some clusters hide /version from anonymous users; 403 there is decided by the next checks.
    if (status !== 403 && status !== 404) throw new LiveError(describeKubeError(e, server, 'GET /version'));
  }
  // 2. Knative Serving installed: serving.knative.dev/v1 in discovery.
  const groups = new Set<string>();
  let servingVersions: string[] = [];
  try {
    const list = await withTimeout(kc.makeApiClient(k8s.ApisApi).getAPIVersions(), timeoutMs);
    for (const g of list.groups ?? []) {
      groups.add(g.name);
      if (g.name === 'serving.knative.dev') servingVersions = (g.versions ?? []).map((v) => v.version);
    }
  } catch (e) {
    throw new LiveError(describeKubeError(e, server, 'API discovery (GET /apis)'));
  }
  if (!servingVersions.includes('v1')) {
    throw new LiveError(
      `Knative Serving is not installed: the cluster at ${server} does not serve serving.knative.dev/v1${
        servingVersions.length > 0 ? ` (it serves ${servingVersions.join(', ')})` : ' (no such API group)'
      }; install it first, see docs/live.md (scripts/install-knative-minikube.sh)`,
    );
  }
  // 3. Permissions in the namespace: ask the API server (SelfSubjectAccessReview); if even that
  // is refused, fall back to trying a list of Knative Services.
  const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
  const checks: ExtraAccess[] = [...REQUIRED_ACCESS.map(([v, g, r]) => [v, g, r, namespace] as const), ...extra];
  for (const [verb, group, resource, ns] of checks) {
    const what = `${verb} ${group ? `${resource}.${group}` : resource} in namespace "${ns}"`;
    try {
      const review = await withTimeout(
        authz.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { namespace: ns, verb, group, resource } },
          },
        }),
        timeoutMs,
      );
      if (review.status && review.status.allowed === false) {
        throw new LiveError(
          `no permission: the kubeconfig user may not ${what}${review.status.reason ? ` (${review.status.reason})` : ''}`,
        );
      }
    } catch (e) {
      if (e instanceof LiveError) throw e;
      const status = statusOf(e);
      if (status === 403 || status === 404) {
        await checkByListing(kc, namespace, server, timeoutMs);
        break;
      }
      throw new LiveError(describeKubeError(e, server, `checking permission to ${what}`));
    }
  }
  return { server, version, groups };
}

async function checkByListing(kc: k8s.KubeConfig, namespace: string, server: string, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(
      kc.makeApiClient(k8s.CustomObjectsApi).listNamespacedCustomObject({
        group: 'serving.knative.dev',
        version: 'v1',
        namespace,
        plural: 'services',
        limit: 1,
      }),
      timeoutMs,
    );
  } catch (e) {
    if (statusOf(e) === 403) {
      throw new LiveError(
        `no permission: the kubeconfig user may not list services.serving.knative.dev in namespace "${namespace}" (403 Forbidden)`,
      );
    }
    throw new LiveError(describeKubeError(e, server, `listing services.serving.knative.dev in "${namespace}"`));
  }
}
