/**
 * Names Knative and Kubernetes give to the objects they create.
 *
 * - A Configuration `X` stamps out Revisions `X-00001`, `X-00002`, … from its own
 *   `metadata.generation` (five digits, wider past 99999), unless the template names the
 *   revision itself ("bring your own" name), which must then start with `X-`.
 * - A Revision `R` owns the Deployment `R-deployment`, the PodAutoscaler, Metric and
 *   ServerlessService `R`, and the Kubernetes Services `R` and `R-private`.
 * - Deployment `D` owns ReplicaSet `D-<pod-template-hash>`, whose pods are
 *   `D-<pod-template-hash>-<5 random chars>`.
 * - Every child name longer than 63 characters is shortened the way knative.dev/pkg's kmeta
 *   does it: an md5 of the parent replaces its tail, the suffix is kept.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Configuration, Revision, RevisionSpec } from '../api/types.js';
import { md5Hex } from '../digest.js';
import { type Random, randomSuffix } from '../random.js';
import { LABEL_CONFIGURATION_GENERATION } from './labels.js';

/** Kubernetes' limit for names that must be DNS labels (RFC 1035 / 1123). */
export const MAX_NAME_LENGTH = 63;

/** Hex digits in an md5 digest. */
const MD5_HEX_LENGTH = 32;

/** Random characters Kubernetes appends to a `generateName`. */
const GENERATED_SUFFIX_LENGTH = 5;

/** Characters in a Deployment's pod-template-hash as printed in ReplicaSet and pod names. */
const POD_TEMPLATE_HASH_LENGTH = 10;

/**
 * `parent + suffix`, kept within 63 characters. When it would be longer, the parent is cut and
 * followed by the md5 of the whole parent, then the suffix, filling exactly 63 characters. A
 * suffix so long that nothing of the parent would be left is hashed together with the parent.
 */
export function childName(parent: string, suffix: string): string {
  if (parent.length + suffix.length <= MAX_NAME_LENGTH) return parent + suffix;
  const keep = MAX_NAME_LENGTH - MD5_HEX_LENGTH; // 31 characters besides the hash
  if (keep - suffix.length <= 0) {
    return parent.slice(0, keep) + md5Hex(parent + suffix);
  }
  return parent.slice(0, keep - suffix.length) + md5Hex(parent) + suffix;
}

/** The suffix a Configuration generation gives its revision: `-00001`. */
function revisionSuffix(generation: number): string {
  return `-${String(generation).padStart(5, '0')}`;
}

/** The name of the revision Configuration `configName` creates at `generation`: `hello-00001`. */
export function revisionName(configName: string, generation: number): string {
  return childName(configName, revisionSuffix(generation));
}

/**
 * The revision a Configuration stamps out for its current generation: the template's own name
 * when the user brought one (BYO), else `<config>-<generation>`.
 */
export function configurationRevisionName(configName: string, generation: number, templateName?: string): string {
  return templateName || revisionName(configName, generation);
}

/** The prefix every revision of Configuration `configName` must have, generated or BYO. */
export function revisionNamePrefix(configName: string): string {
  return `${configName}-`;
}

/** Whether a user-chosen (BYO) revision name is allowed for Configuration `configName`. */
export function isValidByoRevisionName(configName: string, name: string): boolean {
  return name.startsWith(revisionNamePrefix(configName));
}

/**
 * Why a Configuration may not use the revision that already carries its template's BYO name, as
 * Knative's CheckNameAvailability decides it; undefined when it may (or no name was brought).
 * The revision is the Configuration's own when this Configuration controls it and it was made
 * for the current generation, or (a `git revert` back to an older template) its spec is the one
 * the template would stamp out now. Anything else is the API server's AlreadyExists error, which
 * the reconciler reports in Ready instead of adopting a revision another template made.
 */
export function byoRevisionNameTaken(
  config: Configuration,
  existing: Revision,
  wantSpec: () => RevisionSpec,
): string | undefined {
  const name = config.spec.template.metadata?.name;
  if (!name) return undefined;
  const taken = `revisions.serving.knative.dev "${name}" already exists`;
  const controlled = existing.metadata.ownerReferences?.some(
    (o) => o.controller === true && o.uid === (config.metadata.uid ?? ''),
  );
  if (!controlled) return taken;
  const generation = String(config.metadata.generation ?? 1);
  if (existing.metadata.labels?.[LABEL_CONFIGURATION_GENERATION] === generation) return undefined;
  // Only the spec counts: the rest is immutable, and users may label or annotate a revision.
  return isDeepStrictEqual(wantSpec(), existing.spec) ? undefined : taken;
}

/**
 * What Knative's Service reconciler does with its Route, after it applied its spec to the
 * Configuration (ReconcileKind): with a BYO revision name it programs the Route only once the
 * Configuration has observed its generation (so traffic never names a revision that is not made
 * yet), and never while that name is taken by a conflicting Revision (CheckNameAvailability, the
 * same rule as the Configuration's), so that a bad patch cannot route traffic to a revision
 * another template made. Without a BYO name it always reconciles the Route.
 */
export type ServiceRouteStep =
  | { readonly step: 'reconcile' }
  /** The Route is left as it is and RoutesReady is not touched. */
  | { readonly step: 'waitForConfiguration' }
  /** The Route is left as it is; RoutesReady becomes False `RevisionNameTaken`. */
  | { readonly step: 'revisionNameTaken'; readonly name: string };

const RECONCILE_ROUTE: ServiceRouteStep = { step: 'reconcile' };
const WAIT_FOR_CONFIGURATION: ServiceRouteStep = { step: 'waitForConfiguration' };

/**
 * The Service's step for its Route, from its Configuration as the Service left it and the
 * Revision carrying the template's BYO name (undefined when there is none).
 */
export function serviceRouteStep(
  config: Configuration,
  named: Revision | undefined,
  wantSpec: () => RevisionSpec,
): ServiceRouteStep {
  const name = config.spec.template.metadata?.name;
  if (!name) return RECONCILE_ROUTE;
  if ((config.metadata.generation ?? 0) !== (config.status?.observedGeneration ?? 0)) return WAIT_FOR_CONFIGURATION;
  if (named && byoRevisionNameTaken(config, named, wantSpec) !== undefined) return { step: 'revisionNameTaken', name };
  return RECONCILE_ROUTE;
}

/** The Deployment that runs revision `revision`'s pods: `hello-00001-deployment`. */
export function deploymentName(revision: string): string {
  return childName(revision, '-deployment');
}

/** The private (selector-based) Kubernetes Service of a revision: `hello-00001-private`. */
export function privateServiceName(revision: string): string {
  return childName(revision, '-private');
}

/** The public Kubernetes Service of a revision, whose endpoints the SKS manages: the revision name. */
export function publicServiceName(revision: string): string {
  return revision;
}

/** PodAutoscaler, Metric and ServerlessService all carry the revision's name. */
export function podAutoscalerName(revision: string): string {
  return revision;
}

/**
 * A pod-template-hash as it appears in ReplicaSet and pod names (`57f695cdc6`): ten characters
 * from Kubernetes' vowel-free "safe" alphabet, so that it never spells words.
 */
export function replicaSetHash(random: Random): string {
  return randomSuffix(random, POD_TEMPLATE_HASH_LENGTH);
}

/** The ReplicaSet a Deployment creates for one pod template: `<deployment>-<hash>`. */
export function replicaSetName(deployment: string, podTemplateHash: string): string {
  return `${deployment}-${podTemplateHash}`;
}

/**
 * A name from `generateName` as the API server makes it: the base, cut to 58 characters if
 * needed, followed by five random safe-alphabet characters.
 */
export function generateName(base: string, random: Random): string {
  const maxBase = MAX_NAME_LENGTH - GENERATED_SUFFIX_LENGTH;
  const kept = base.length > maxBase ? base.slice(0, maxBase) : base;
  return kept + randomSuffix(random, GENERATED_SUFFIX_LENGTH);
}

/** A pod of revision `revision`: `hello-00001-deployment-57f695cdc6-pbtvj`. */
export function podName(revision: string, podTemplateHash: string, random: Random): string {
  return generateName(`${replicaSetName(deploymentName(revision), podTemplateHash)}-`, random);
}

/**
 * An Event's name, as client-go's recorder makes it: the object's name, a dot and the Unix time
 * of the event in nanoseconds in hex (`hello-00001-deployment-5c8b95fc4b-wqhhx.1882f2a0c1d3e4f5`).
 */
export function eventName(objectName: string, unixNanos: bigint): string {
  return `${objectName}.${unixNanos.toString(16)}`;
}

/** The Route's placeholder Kubernetes Service (ExternalName to the ingress): the Route's name. */
export function placeholderServiceName(route: string): string {
  return route;
}

/** The KIngress (`ingresses.networking.internal.knative.dev`) of a Route: the Route's name. */
export function ingressName(route: string): string {
  return route;
}

/** The Knative Certificate of a Route's external domain: `route-<route uid>`. */
export function certificateName(routeUid: string): string {
  return `route-${routeUid}`;
}

/**
 * How the event log, results and expectations name a namespaced object (a revision, a service):
 * its bare name in the run's own namespace (`home`), `namespace/name` in any other, as kubectl
 * writes a namespaced reference. Two Services called `web` in `default` and `team-a` stay apart
 * (`web-00001` and `team-a/web-00001`) while a one-namespace run keeps the names it always had.
 */
export function namespacedName(namespace: string, name: string, home: string): string {
  return namespace === home ? name : `${namespace}/${name}`;
}

/** The reverse of `namespacedName`: `team-a/web-00001` or `web-00001` (in `home`). */
export function splitNamespacedName(ref: string, home: string): { namespace: string; name: string } {
  const slash = ref.indexOf('/');
  return slash < 0 ? { namespace: home, name: ref } : { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}
