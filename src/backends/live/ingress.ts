/**
 * Finding where the cluster's networking layer listens: the ingress class from the
 * `config-network` ConfigMap in knative-serving, its gateway Service, and that Service's
 * LoadBalancer address or NodePort. `--target URL` bypasses all of this.
 */
import * as k8s from '@kubernetes/client-node';
import { describeKubeError, LiveError, serverOf, statusOf } from './kube.js';

export interface Gateway {
  namespace: string;
  name: string;
}

/** Knative's default when config-network names no class. */
export const DEFAULT_INGRESS_CLASS = 'istio.ingress.networking.knative.dev';

/** The gateway Service each networking layer's release YAML installs. */
export const GATEWAYS: Record<string, Gateway> = {
  'kourier.ingress.networking.knative.dev': { namespace: 'kourier-system', name: 'kourier' },
  'istio.ingress.networking.knative.dev': { namespace: 'istio-system', name: 'istio-ingressgateway' },
  'contour.ingress.networking.knative.dev': { namespace: 'contour-external', name: 'envoy' },
  'gloo.ingress.networking.knative.dev': { namespace: 'gloo-system', name: 'knative-external-proxy' },
  'ambassador.ingress.networking.knative.dev': { namespace: 'ambassador', name: 'ambassador' },
};

/** `ingress-class` (current) or `ingress.class` (before Knative 1.x renamed it). */
export function ingressClassOf(data: Record<string, string> | undefined): string {
  return data?.['ingress-class']?.trim() || data?.['ingress.class']?.trim() || DEFAULT_INGRESS_CLASS;
}

export function gatewayFor(ingressClass: string): Gateway | undefined {
  return GATEWAYS[ingressClass];
}

interface ServiceLike {
  spec?: { type?: string; ports?: { name?: string; port: number; nodePort?: number }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

interface NodeLike {
  status?: { addresses?: { type: string; address: string }[] };
}

/** The HTTP port of a gateway Service: `http2` (Kourier, Istio), `http`, or port 80. */
function httpPort(svc: ServiceLike): { port: number; nodePort?: number } | undefined {
  const ports = svc.spec?.ports ?? [];
  return (
    ports.find((p) => p.name === 'http2') ??
    ports.find((p) => p.name === 'http' || p.name === 'http-80') ??
    ports.find((p) => p.port === 80) ??
    ports[0]
  );
}

/** The URL to send requests to: a LoadBalancer address first, else a node address and NodePort. */
export function gatewayUrl(svc: ServiceLike, nodes: NodeLike[]): { url: string; how: string } | undefined {
  const port = httpPort(svc);
  if (!port) return undefined;
  const lb = svc.status?.loadBalancer?.ingress?.[0];
  const lbHost = lb?.ip ?? lb?.hostname;
  if (lbHost) return { url: `http://${lbHost}:${port.port}`, how: 'LoadBalancer' };
  if (port.nodePort) {
    for (const type of ['ExternalIP', 'InternalIP']) {
      for (const n of nodes) {
        const address = n.status?.addresses?.find((a) => a.type === type)?.address;
        if (address) return { url: `http://${address}:${port.nodePort}`, how: `NodePort on ${type}` };
      }
    }
  }
  return undefined;
}

/** Which networking layer requests go through, and why that one (for messages). */
export interface IngressChoice {
  ingressClass: string;
  /** `config-network names the kourier networking layer (kourier.ingress.networking.knative.dev)`. */
  why: string;
}

/** The ingress class config-network's data selects, saying where it came from. */
export function ingressChoice(data: Record<string, string> | undefined | null): IngressChoice {
  const ingressClass = ingressClassOf(data ?? undefined);
  const layer = ingressClass.split('.')[0];
  if (data === null) {
    return {
      ingressClass,
      why: `knative-serving/config-network does not exist, so Knative's default networking layer applies: ${layer} (${ingressClass})`,
    };
  }
  if (!data?.['ingress-class']?.trim() && !data?.['ingress.class']?.trim()) {
    return {
      ingressClass,
      why: `knative-serving/config-network sets no ingress-class, so Knative's default networking layer applies: ${layer} (${ingressClass})`,
    };
  }
  return { ingressClass, why: `config-network names the ${layer} networking layer (${ingressClass})` };
}

/** Reads config-network, the gateway Service and (for a NodePort) the nodes. */
export async function resolveGateway(kc: k8s.KubeConfig): Promise<{ url: string; how: string; ingressClass: string }> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const server = serverOf(kc);
  const hint = 'give the address with --target URL (e.g. after `minikube tunnel`, or http://$(minikube ip):<nodePort>)';
  const lead = 'no --target given, and no gateway to send requests to';
  let data: Record<string, string> | null;
  try {
    const cm = await core.readNamespacedConfigMap({ name: 'config-network', namespace: 'knative-serving' });
    data = cm.data ?? {};
  } catch (e) {
    if (statusOf(e) !== 404) {
      throw new LiveError(
        `${lead}: cannot read knative-serving/config-network: ${describeKubeError(e, server)}; ${hint}`,
      );
    }
    data = null;
  }
  const { ingressClass, why } = ingressChoice(data);
  const gateway = gatewayFor(ingressClass);
  if (!gateway) {
    throw new LiveError(
      `${lead}: ${why}, a networking layer whose gateway knsim does not know (it knows ${Object.keys(GATEWAYS)
        .map((c) => c.split('.')[0])
        .join(', ')}); ${hint}`,
    );
  }
  let svc: ServiceLike;
  try {
    svc = (await core.readNamespacedService({ name: gateway.name, namespace: gateway.namespace })) as ServiceLike;
  } catch (e) {
    throw new LiveError(
      statusOf(e) === 404
        ? `${lead}: ${why}, but its gateway service ${gateway.namespace}/${gateway.name} does not exist; ${hint}`
        : `${lead}: ${why}, but its gateway service ${gateway.namespace}/${gateway.name} cannot be read: ${describeKubeError(e, server)}; ${hint}`,
    );
  }
  let nodes: NodeLike[] = [];
  if (!svc.status?.loadBalancer?.ingress?.length) {
    try {
      nodes = ((await core.listNode()).items ?? []) as NodeLike[];
    } catch {
      nodes = [];
    }
  }
  const found = gatewayUrl(svc, nodes);
  if (!found) {
    throw new LiveError(
      `${lead}: ${why}, but its gateway service ${gateway.namespace}/${gateway.name} has no LoadBalancer address and no reachable NodePort; ${hint}`,
    );
  }
  return { ...found, ingressClass };
}
