/**
 * `knsim serve`: a SimCluster in scaled real time behind a Kubernetes API (for kubectl and
 * client libraries) and an HTTP ingress (for curl), both on 127.0.0.1.
 *
 * Time: every few milliseconds the engine runs up to simStart + (wall − wallStart) × speed, and
 * every API request or ingress request first brings it up to that moment, so writes and requests
 * happen at the current simulated time. A request held by the activator is answered when the
 * simulation answers it, i.e. after the cold start in scaled real time.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KNSIM_VERSION } from '../backends/sim.js';
import type { MetricsNaming } from '../model/observability.js';
import { isoAt, SIM_EPOCH_MS } from '../model/rules/time.js';
import { ROUTE_TAG_HEADER } from '../model/rules/traffic.js';
import { SimCluster } from '../sim/cluster.js';
import { EventLog } from '../sim/log.js';
import type { SimSettings } from '../sim/settings.js';
import { T } from '../sim/types.js';
import { KubeApi, NAMESPACE_NAME_LABEL } from './api.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { autoscalerPod } from './podProxy.js';
import { type Certificate, selfSignedCertificate } from './tls.js';
import { WatchHub } from './watch.js';

export interface IngressLogEntry {
  host: string;
  status: number;
  /** Simulated time the request arrived at. */
  simMs: number;
  /** Simulated latency. */
  latencyMs: number;
  cold: boolean;
  revision?: string;
  pod?: string;
}

export interface ServeOptions {
  /** API port; 0 picks a free one. */
  port?: number;
  /** Ingress port; 0 picks a free one. */
  ingressPort?: number;
  /** Simulated ms per wall-clock ms. */
  speed?: number;
  seed?: number;
  settings?: SimSettings;
  /** knative-serving ConfigMaps to start with (a scenario's `config:`). */
  configMaps?: Record<string, Record<string, string>>;
  /** Engine tick period in wall-clock ms. */
  tickMs?: number;
  /** How often watches with allowWatchBookmarks get a BOOKMARK (wall-clock ms). */
  bookmarkIntervalMs?: number;
  /**
   * Receives the event log as JSON Lines (header first), e.g. for `knsim explain`. Without it
   * nothing is kept: a server may run for days.
   */
  logSink?: (text: string) => void;
  /**
   * Called when each API request ends (watches: when the stream closes), with the simulated time
   * it arrived at, for `--verbose`.
   */
  onApiRequest?: (method: string, path: string, status: number, simMs: number) => void;
  /** Called when each ingress request is answered, for `--verbose`. */
  onIngressRequest?: (info: IngressLogEntry) => void;
  /** Watch events kept per resource type for resuming (default 2000). */
  historyCapacity?: number;
  /** Bearer token; random when not given. */
  token?: string;
  /**
   * https with a self-signed certificate and a required bearer token (`auto`: when openssl is
   * available), or plain http without authentication (`off`).
   */
  tls?: 'auto' | 'on' | 'off';
  /** Called when the simulation throws (the server keeps going). */
  onError?: (e: unknown) => void;
  /** The names the simulated autoscaler's metrics are served under (default `otel`, Knative 1.19+). */
  metricsNaming?: MetricsNaming;
}

/** kubectl's client-side apply annotation. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Namespaces a fresh cluster has. */
const NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'knative-serving'];

/** knative-serving ConfigMaps that exist (with Knative's defaults) before anyone applies them. */
const CONFIG_MAPS = [
  'config-autoscaler',
  'config-defaults',
  'config-deployment',
  'config-domain',
  'config-features',
  'config-network',
];

export class KnsimServer {
  readonly cluster: SimCluster;
  readonly hub: WatchHub;
  readonly token: string;
  readonly speed: number;
  private readonly api: KubeApi;
  private readonly apiServer: Server;
  private readonly ingressServer: Server;
  private readonly wallStart = performance.now();
  private readonly simStart: number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly pendingIngress = new Set<ServerResponse>();
  /** The API's certificate when it is served over https. */
  readonly certificate: Certificate | undefined;

  constructor(private readonly options: ServeOptions = {}) {
    this.speed = options.speed ?? 1;
    this.token = options.token ?? randomBytes(24).toString('hex');
    const log = new EventLog({
      keep: false,
      requestSampling: options.logSink ? 1 : 0,
      ...(options.logSink ? { sink: options.logSink } : {}),
    });
    log.header({
      type: 'header',
      format: 1,
      knsim: KNSIM_VERSION,
      backend: 'sim',
      scenario: 'knsim serve',
      seed: options.seed ?? 1,
      namespace: 'default',
      epoch: new Date(SIM_EPOCH_MS).toISOString(),
    });
    this.cluster = new SimCluster({
      seed: options.seed ?? 1,
      log,
      // Any client may ask for a pod's log (pods/log, with follow) at any time.
      accessLines: 'record',
      ...(options.settings ? { settings: options.settings } : {}),
    });
    const store = this.cluster.store;
    for (const ns of NAMESPACES) {
      store.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { [NAMESPACE_NAME_LABEL]: ns } },
        spec: { finalizers: ['kubernetes'] },
      });
      store.updateStatus(T.namespace, undefined, ns, { phase: 'Active' });
    }
    for (const name of CONFIG_MAPS) this.cluster.setConfigMap(name, options.configMaps?.[name] ?? {});
    for (const [name, data] of Object.entries(options.configMaps ?? {})) {
      if (!CONFIG_MAPS.includes(name)) this.cluster.setConfigMap(name, data);
    }
    // Knative is installed with `kubectl apply`, so its ConfigMaps carry the last-applied
    // annotation and a learner's `kubectl apply` of config-domain patches them without a warning.
    for (const cm of store.list(T.configMap, 'knative-serving')) {
      const applied = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: cm.metadata.name, namespace: 'knative-serving' },
        data: (cm as { data?: unknown }).data ?? {},
      };
      store.update({
        ...cm,
        metadata: {
          ...cm.metadata,
          annotations: { ...cm.metadata.annotations, [LAST_APPLIED]: `${JSON.stringify(applied)}\n` },
        },
      });
    }
    // Knative's autoscaler pod, whose metrics the pod proxy serves (as a cluster's does).
    store.create(autoscalerPod(isoAt(this.cluster.now())));
    this.simStart = this.cluster.now();
    this.hub = new WatchHub(store, options.historyCapacity);
    this.api = new KubeApi({
      cluster: this.cluster,
      hub: this.hub,
      token: this.token,
      requireToken: () => this.certificate !== undefined,
      catchUp: () => this.catchUp(),
      serverAddress: () => `127.0.0.1:${this.apiPort}`,
      ...(options.bookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: options.bookmarkIntervalMs } : {}),
      ...(options.metricsNaming ? { metricsNaming: options.metricsNaming } : {}),
    });
    const tls = options.tls ?? 'auto';
    this.certificate = tls === 'off' ? undefined : selfSignedCertificate();
    if (tls === 'on' && !this.certificate) {
      throw new Error('cannot make a TLS certificate: the openssl command failed or is missing');
    }
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const report = options.onApiRequest;
      if (report) {
        const at = this.cluster.now();
        let reported = false;
        const once = () => {
          if (!reported) report(req.method ?? '', req.url ?? '', res.statusCode, at);
          reported = true;
        };
        res.on('finish', once);
        res.on('close', once);
      }
      void this.api.handle(req, res);
    };
    this.apiServer = this.certificate
      ? createHttpsServer({ key: this.certificate.key, cert: this.certificate.cert }, handler)
      : createServer(handler);
    this.ingressServer = createServer((req, res) => this.ingress(req, res));
    for (const s of [this.apiServer, this.ingressServer]) {
      s.keepAliveTimeout = 65_000;
      s.requestTimeout = 0;
      s.on('clientError', (_err, socket) => {
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
        else socket.destroy();
      });
    }
  }

  get apiPort(): number {
    return (this.apiServer.address() as AddressInfo | null)?.port ?? 0;
  }

  get ingressPort(): number {
    return (this.ingressServer.address() as AddressInfo | null)?.port ?? 0;
  }

  get apiUrl(): string {
    return `${this.certificate ? 'https' : 'http'}://127.0.0.1:${this.apiPort}`;
  }

  get ingressUrl(): string {
    return `http://127.0.0.1:${this.ingressPort}`;
  }

  kubeconfig(): string {
    return kubeconfigYaml({
      server: this.apiUrl,
      token: this.token,
      ...(this.certificate ? { ca: this.certificate.cert } : {}),
    });
  }

  async start(): Promise<void> {
    await listen(this.apiServer, this.options.port ?? 0);
    await listen(this.ingressServer, this.options.ingressPort ?? 0);
    this.running = true;
    const tick = this.options.tickMs ?? 5;
    this.timer = setInterval(() => this.catchUp(), tick);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.api.closeWatches();
    for (const res of this.pendingIngress) {
      if (!res.headersSent) res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.end('knsim serve is shutting down\n');
    }
    this.pendingIngress.clear();
    this.hub.close();
    await Promise.all([close(this.apiServer), close(this.ingressServer)]);
  }

  /** Simulated time that corresponds to now on the wall clock. */
  simNow(): number {
    return this.simStart + (performance.now() - this.wallStart) * this.speed;
  }

  /** Runs the engine up to the current simulated time. */
  catchUp(): void {
    try {
      this.cluster.engine.runUntil(Math.floor(this.simNow()));
      this.api.settleNamespaces();
    } catch (e) {
      this.options.onError?.(e);
    }
  }

  // ---- ingress ----

  private ingress(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    req.on('error', () => {});
    if (!this.running) {
      res.writeHead(503).end();
      return;
    }
    const host = ingressHost(req);
    this.catchUp();
    this.pendingIngress.add(res);
    res.on('close', () => this.pendingIngress.delete(res));
    this.cluster.send(
      host,
      this.cluster.settings.app.serviceTimeMs,
      (r) => {
        this.pendingIngress.delete(res);
        this.options.onIngressRequest?.({
          host,
          status: r.status,
          simMs: this.cluster.now() - r.latencyMs,
          latencyMs: r.latencyMs,
          cold: r.cold,
          ...(r.revision ? { revision: r.revision } : {}),
          ...(r.pod ? { pod: r.pod } : {}),
        });
        if (res.headersSent || res.destroyed) return;
        const body = r.status === 404 ? '' : r.body.endsWith('\n') || r.body === '' ? r.body : `${r.body}\n`;
        const headers: Record<string, string | number> = {
          'Content-Type': 'text/plain; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
          'X-Knsim-Latency-Ms': Math.round(r.latencyMs),
          'X-Knsim-Cold': String(r.cold),
        };
        if (r.revision) headers['X-Knsim-Revision'] = r.revision;
        if (r.pod) headers['X-Knsim-Pod'] = r.pod;
        res.writeHead(r.status, headers);
        res.end(body);
      },
      -1,
      0,
      ingressHeaders(req),
    );
  }
}

/**
 * The request headers the simulated ingress reads: `Knative-Serving-Tag` (tag-header-based-routing),
 * its first value when sent more than once; undefined when absent.
 */
export function ingressHeaders(req: IncomingMessage): Record<string, string> | undefined {
  const raw = req.headers[ROUTE_TAG_HEADER.toLowerCase()];
  const tag = Array.isArray(raw) ? raw[0] : raw;
  return tag === undefined ? undefined : { [ROUTE_TAG_HEADER]: tag };
}

/** The Host a request is for: the absolute URL's host (proxy form) or the Host header, without the port. */
export function ingressHost(req: IncomingMessage): string {
  const target = req.url ?? '/';
  let host = req.headers.host ?? '';
  if (/^https?:\/\//i.test(target)) {
    try {
      host = new URL(target).host;
    } catch {
      // keep the Host header
    }
  }
  return host.replace(/:\d+$/, '').toLowerCase();
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
