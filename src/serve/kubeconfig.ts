/**
 * The kubeconfig `knsim serve` writes: https with the server's own certificate as the CA and a
 * bearer token; or, without TLS, plain http with `insecure-skip-tls-verify` (kubectl then sends
 * no credentials, and @kubernetes/client-node 1.x needs that flag to accept http://).
 */
import { stringify } from 'yaml';

export const KUBECONFIG_NAME = 'knsim';

export interface KubeconfigOptions {
  server: string;
  token: string;
  /** PEM CA certificate, for an https server. */
  ca?: string;
  namespace?: string;
}

export function kubeconfigYaml(options: KubeconfigOptions): string {
  const cluster: Record<string, unknown> = { server: options.server };
  if (options.ca) cluster['certificate-authority-data'] = Buffer.from(options.ca).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: KUBECONFIG_NAME, cluster }],
    users: [{ name: KUBECONFIG_NAME, user: { token: options.token } }],
    contexts: [
      {
        name: KUBECONFIG_NAME,
        context: { cluster: KUBECONFIG_NAME, user: KUBECONFIG_NAME, namespace: options.namespace ?? 'default' },
      },
    ],
    'current-context': KUBECONFIG_NAME,
    preferences: {},
  });
}
