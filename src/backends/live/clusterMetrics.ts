/**
 * The cluster's own numbers: Knative's autoscaler metrics and the queue-proxies' stats, read
 * through the API server's pod proxy (`GET /api/v1/namespaces/<ns>/pods/<pod>:9090/proxy/metrics`;
 * RBAC: `get` on `pods/proxy`, and `list` on `pods` in knative-serving to find the autoscaler's
 * pods). No port-forward. Every failure is a gap, never an exception: it is told once per kind
 * (target and reason) through `info`, and returned so the tick can carry it.
 */

import { PrometheusTextError, type PromText, parsePrometheusText } from '../../io/prometheus.js';
import type { Stat } from '../../model/kpa/collector.js';
import type { ClusterDecision } from '../../model/kpa/shadow.js';
import {
  AUTOSCALER_APP_LABEL,
  AUTOSCALER_METRICS_PORT,
  type AutoscalerFigure,
  autoscalerFigureOf,
  KNATIVE_SERVING_NAMESPACE,
  type MetricsNaming,
  QUEUE_PROXY_LABELS,
  QUEUE_PROXY_METRICS,
  QUEUE_PROXY_METRICS_PORT,
  REVISION_LABELS,
} from '../../model/observability.js';
import { describeKubeError, type KubeClient, networkCode, statusMessage, statusOf } from './kube.js';

/** The most a /metrics answer may hold (an autoscaler with thousands of revisions stays well below). */
export const MAX_METRICS_BYTES = 8 * 1024 * 1024;
/** One scrape may take this long; the shadow ticks every 2 s. */
export const SCRAPE_TIMEOUT_MS = 1_500;

/** Why a scrape gave nothing. */
export type GapKind = 'forbidden' | 'timeout' | 'unreachable' | 'not found' | 'bad answer' | 'no autoscaler pod';

export interface Gap {
  readonly kind: GapKind;
  /** One sentence: what was not read and why. */
  readonly text: string;
}

/** One revision's autoscaler figures from one scrape. */
export interface RevisionFigures {
  readonly naming: MetricsNaming;
  readonly figures: Partial<Record<AutoscalerFigure, number>>;
}

/** `default/hello-00001` → its figures: every series of the autoscaler's metrics in the text. */
export function autoscalerFigures(text: PromText): Map<string, RevisionFigures> {
  const out = new Map<string, RevisionFigures>();
  for (const s of text.samples) {
    const known = autoscalerFigureOf(s.name);
    if (!known) continue;
    const keys = REVISION_LABELS[known.naming];
    const revision = s.labels[keys.revision];
    const namespace = s.labels[keys.namespace];
    if (!revision || !namespace) continue;
    const key = `${namespace}/${revision}`;
    let entry = out.get(key);
    if (!entry) {
      entry = { naming: known.naming, figures: {} };
      out.set(key, entry);
    }
    entry.figures[known.figure] = s.value;
  }
  return out;
}

/** The figures as the decision the cluster took, for a revision deciding on `metric`. */
export function clusterDecisionOf(entry: RevisionFigures, metric: string, scrapedAtMs: number): ClusterDecision {
  const f = entry.figures;
  const rps = metric === 'rps';
  const pick = (k: AutoscalerFigure): number | undefined => {
    const v = f[k];
    return v !== undefined && Number.isFinite(v) ? v : undefined;
  };
  const fields: Record<string, number | boolean | undefined> = {
    desiredPods: pick('desiredPods'),
    stable: pick(rps ? 'stableRps' : 'stableConcurrency'),
    panic: pick(rps ? 'panicRps' : 'panicConcurrency'),
    target: pick(rps ? 'targetRps' : 'targetConcurrency'),
    excessBurstCapacity: pick('excessBurstCapacity'),
    panicking: f.panicMode === undefined ? undefined : f.panicMode > 0,
    requestedPods: pick('requestedPods'),
    readyPods: pick('actualPods'),
    notReadyPods: pick('notReadyPods'),
    pendingPods: pick('pendingPods'),
    terminatingPods: pick('terminatingPods'),
  };
  const present = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return { naming: entry.naming, scrapedAtMs, ...present } as ClusterDecision;
}

/** One queue-proxy's stat for its last reporting period (1 s), as the autoscaler's scraper reads it. */
export function queueProxyStat(text: PromText, pod: string): Stat | undefined {
  const value = (name: string): number | undefined => {
    const series = text.samples.filter((s) => s.name === name);
    const own = series.find((s) => s.labels[QUEUE_PROXY_LABELS.pod] === pod) ?? series[0];
    return own !== undefined && Number.isFinite(own.value) ? own.value : undefined;
  };
  const concurrency = value(QUEUE_PROXY_METRICS.averageConcurrency);
  const requests = value(QUEUE_PROXY_METRICS.requestsPerSecond);
  if (concurrency === undefined && requests === undefined) return undefined;
  return {
    averageConcurrency: concurrency ?? 0,
    averageProxiedConcurrency: value(QUEUE_PROXY_METRICS.averageProxiedConcurrency) ?? 0,
    requestCount: requests ?? 0,
    proxiedRequestCount: value(QUEUE_PROXY_METRICS.proxiedRequestsPerSecond) ?? 0,
  };
}

/** The pod proxy path of a pod's metrics port. */
export function podMetricsPath(namespace: string, pod: string, port: number): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}:${port}/proxy/metrics`;
}

export interface ClusterMetricsOptions {
  client: KubeClient;
  server: string;
  info: (message: string) => void;
  timeoutMs?: number;
  /** The autoscaler's pods, when known (skips listing pods in knative-serving). */
  autoscalerPods?: readonly string[];
}

/** Reads the autoscaler's and the queue-proxies' metrics; remembers which gaps it has told. */
export class ClusterMetrics {
  private readonly told = new Set<string>();
  private autoscalerPods: readonly string[] | undefined;

  constructor(private readonly options: ClusterMetricsOptions) {
    this.autoscalerPods = options.autoscalerPods;
  }

  /** Tells a gap the first time its kind is seen for this target kind. */
  private tell(target: string, gap: Gap): Gap {
    const key = `${target}:${gap.kind}`;
    if (!this.told.has(key)) {
      this.told.add(key);
      this.options.info(gap.text);
    }
    return gap;
  }

  private gapOf(e: unknown, what: string, permission: string): Gap {
    if (e instanceof PrometheusTextError)
      return { kind: 'bad answer', text: `${what}: not Prometheus text: ${e.message}` };
    const status = statusOf(e);
    const message = statusMessage(e);
    if (status === 403) {
      return {
        kind: 'forbidden',
        text: `${what}: no permission (403 Forbidden): the kubeconfig user needs "${permission}"${message ? ` (${message})` : ''}`,
      };
    }
    if (status === 404) return { kind: 'not found', text: `${what}: not found (404)${message ? `: ${message}` : ''}` };
    const net = networkCode(e);
    if (net === 'ETIMEDOUT') return { kind: 'timeout', text: `${what}: no answer within ${this.timeoutMs} ms` };
    if (status === 503 || status === 502 || status === 500) {
      return {
        kind: 'unreachable',
        text: `${what}: the API server could not reach the pod (HTTP ${status})${message ? `: ${message}` : ''}`,
      };
    }
    return { kind: 'unreachable', text: `${what}: ${describeKubeError(e, this.options.server, 'the scrape')}` };
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? SCRAPE_TIMEOUT_MS;
  }

  private async scrape(namespace: string, pod: string, port: number): Promise<PromText> {
    const path = podMetricsPath(namespace, pod, port);
    const text = await this.options.client.text(path, { timeoutMs: this.timeoutMs, maxBytes: MAX_METRICS_BYTES });
    return parsePrometheusText(text, `${namespace}/${pod}:${port}/metrics`);
  }

  /** The autoscaler's pods in knative-serving (listed once, again after a failed scrape). */
  private async findAutoscalerPods(): Promise<readonly string[] | Gap> {
    if (this.autoscalerPods && this.autoscalerPods.length > 0) return this.autoscalerPods;
    const ns = KNATIVE_SERVING_NAMESPACE;
    try {
      const list = await this.options.client.request<{
        items?: { metadata?: { name?: string }; status?: { phase?: string } }[];
      }>('GET', `/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: AUTOSCALER_APP_LABEL } });
      const names = (list.items ?? [])
        .filter((p) => p.status?.phase === 'Running')
        .map((p) => p.metadata?.name ?? '')
        .filter((n) => n !== '');
      if (names.length === 0) {
        return this.tell('autoscaler', {
          kind: 'no autoscaler pod',
          text: `the cluster's autoscaler: no running pod labelled ${AUTOSCALER_APP_LABEL} in ${ns}`,
        });
      }
      this.autoscalerPods = names;
      return names;
    } catch (e) {
      const gap = this.gapOf(e, `the cluster's autoscaler pods`, `list pods in namespace ${ns}`);
      return this.tell(
        'autoscaler',
        gap.kind === 'forbidden'
          ? {
              ...gap,
              text: `${gap.text}; or name them with --autoscaler-pod (kubectl -n ${ns} get pods -l ${AUTOSCALER_APP_LABEL})`,
            }
          : gap,
      );
    }
  }

  /**
   * Every autoscaler pod's metrics, merged (with several replicas each revision's figures are on
   * the one that leads its bucket). A gap when none could be read.
   */
  async autoscaler(): Promise<{ figures: Map<string, RevisionFigures>; gap?: Gap }> {
    const pods = await this.findAutoscalerPods();
    if (!Array.isArray(pods)) return { figures: new Map(), gap: pods as Gap };
    const ns = KNATIVE_SERVING_NAMESPACE;
    const merged = new Map<string, RevisionFigures>();
    let gap: Gap | undefined;
    let read = 0;
    for (const pod of pods as readonly string[]) {
      try {
        const text = await this.scrape(ns, pod, AUTOSCALER_METRICS_PORT);
        read++;
        for (const [k, v] of autoscalerFigures(text)) merged.set(k, v);
      } catch (e) {
        const g = this.gapOf(
          e,
          `the cluster's autoscaler metrics (${ns}/${pod}:${AUTOSCALER_METRICS_PORT})`,
          `get pods/proxy in namespace ${ns}`,
        );
        gap ??=
          g.kind === 'unreachable' || g.kind === 'not found'
            ? {
                kind: g.kind,
                text: `${g.text}; from Knative 1.19 the autoscaler serves no metrics unless config-observability sets metrics-protocol: prometheus`,
              }
            : g;
        // The pod may have been replaced: list again next time.
        if (g.kind === 'not found') this.autoscalerPods = this.options.autoscalerPods;
      }
    }
    if (read > 0) return { figures: merged };
    return { figures: merged, ...(gap ? { gap: this.tell('autoscaler', gap) } : {}) };
  }

  /** One queue-proxy's stat, or the gap. */
  async queueProxy(namespace: string, pod: string): Promise<{ stat?: Stat; gap?: Gap }> {
    try {
      const text = await this.scrape(namespace, pod, QUEUE_PROXY_METRICS_PORT);
      const stat = queueProxyStat(text, pod);
      if (stat) return { stat };
      return {
        gap: this.tell('queue-proxy', {
          kind: 'bad answer',
          text: `the queue-proxy of ${namespace}/${pod}: no ${QUEUE_PROXY_METRICS.averageConcurrency} in its metrics`,
        }),
      };
    } catch (e) {
      return {
        gap: this.tell(
          'queue-proxy',
          this.gapOf(e, `the queue-proxy metrics of ${namespace}/${pod}`, `get pods/proxy in namespace ${namespace}`),
        ),
      };
    }
  }
}
