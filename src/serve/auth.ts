/**
 * The answers `kubectl auth can-i`, `kubectl auth can-i --list` and `kubectl auth whoami` get:
 * the kubeconfig's user is the cluster's admin (as kubeadm and minikube make it), allowed
 * everything through the cluster-admin ClusterRole.
 */
import { isObject } from './objects.js';
import { badRequest } from './status.js';

export const ADMIN_USER = 'kubernetes-admin';
export const ADMIN_GROUPS = ['kubeadm:cluster-admins', 'system:authenticated'];

const ALLOWED_REASON =
  'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"';

/** Kinds whose POST is answered here (never stored), by resource id. */
export const REVIEW_TYPES = new Set([
  'selfsubjectaccessreviews.authorization.k8s.io',
  'selfsubjectrulesreviews.authorization.k8s.io',
  'selfsubjectreviews.authentication.k8s.io',
]);

/** The review with its status filled in, as the API server returns it (201). */
export function review(resourceId: string, body: unknown): unknown {
  if (!isObject(body)) throw badRequest("couldn't get version/kind; json parse error: not a JSON object");
  const meta = { creationTimestamp: null };
  switch (resourceId) {
    case 'selfsubjectaccessreviews.authorization.k8s.io': {
      const spec = isObject(body.spec) ? body.spec : {};
      if (!isObject(spec.resourceAttributes) && !isObject(spec.nonResourceAttributes)) {
        throw badRequest(
          'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
        );
      }
      return {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: meta,
        spec,
        status: { allowed: true, reason: ALLOWED_REASON },
      };
    }
    case 'selfsubjectrulesreviews.authorization.k8s.io':
      return {
        kind: 'SelfSubjectRulesReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: meta,
        spec: isObject(body.spec) ? body.spec : {},
        status: {
          resourceRules: [
            {
              verbs: ['create'],
              apiGroups: ['authorization.k8s.io'],
              resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
            },
            { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
            { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
          ],
          nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
          incomplete: false,
        },
      };
    default:
      return {
        kind: 'SelfSubjectReview',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: meta,
        status: { userInfo: { username: ADMIN_USER, groups: ADMIN_GROUPS } },
      };
  }
}
