/**
 * The shadow autoscaler: the model's KPA decider beside the cluster's, every 2 s, for each
 * revision with a KPA-class PodAutoscaler in the namespace. It holds no rule of its own: the spec
 * is `resolveDeciderSpec`, the windows `MetricWindow`s fed by `statValues`, the decision `decide`,
 * the comparison `compareWithCluster` (src/model/kpa).
 *
 * Its inputs are the cluster's: the stable and panic values the cluster's autoscaler exported
 * for the revision (its own windows), else the model's windows over the queue-proxies' stats; and
 * the ready pods the watch shows. Each tick is one `kpa.tick` with the model's decision record,
 * the cluster's figures (`cluster`), where the inputs came from (`shadow`) and the comparison.
 */
import type { KubeObject, Pod, PodAutoscaler, Revision } from '../../model/api/types.js';
import type { KpaTickEvent } from '../../model/events.js';
import {
  type AutoscalerConfig,
  type ClusterDecision,
  ConfigError,
  compareWithCluster,
  type DeciderSpec,
  type DeciderState,
  type DeciderWindows,
  type DeploymentConfig,
  decide,
  defaultAutoscalerConfig,
  defaultDeploymentConfig,
  describeComparison,
  explainDecision,
  METRIC_RPS,
  newDeciderState,
  newDeciderWindows,
  type Observation,
  observeWindows,
  parseAutoscalerConfig,
  parseDeploymentConfig,
  type Reachability,
  resolveDeciderSpec,
  type ShadowInputs,
  STALE_FIGURES_MS,
  type Stat,
  scaleSampledTotal,
  scrapeSampleSize,
  statValues,
  updateDeciderWindows,
} from '../../model/kpa/index.js';
import { TICK_INTERVAL_MS } from '../../model/machines/autoscaler.js';
import { KNATIVE_SERVING_NAMESPACE } from '../../model/observability.js';
import { reachabilityOf } from '../../model/rules/routing.js';
import type { EventLog } from '../../sim/log.js';
import type { RunClock } from './clock.js';
import { ClusterMetrics, clusterDecisionOf, type Gap, type RevisionFigures } from './clusterMetrics.js';
import { podPhaseOf, revisionOf } from './derive.js';
import { describeKubeError, type KubeClient, statusOf } from './kube.js';

const KPA_CLASS = 'kpa.autoscaling.knative.dev';

/** What the shadow reads of the watches. */
export interface WatchedObjects {
  watched(resourceId: string): Iterable<KubeObject>;
}

export interface ShadowOptions {
  client: KubeClient;
  server: string;
  namespace: string;
  log: EventLog;
  clock: RunClock;
  watches: WatchedObjects;
  info: (message: string) => void;
  /** The autoscaler's pods, when known (skips listing pods in knative-serving). */
  autoscalerPods?: readonly string[];
  tickMs?: number;
  scrapeTimeoutMs?: number;
}

interface RevisionShadow {
  spec: DeciderSpec;
  specVersion: number;
  windows: DeciderWindows;
  decider: DeciderState;
  /** The cluster's latest figures for the revision. */
  cluster: ClusterDecision | undefined;
  /** Why the last queue-proxy scrape gave nothing, if it did not. */
  queueProxyGap: Gap | undefined;
}

function sameSpec(a: DeciderSpec, b: DeciderSpec): boolean {
  return (Object.keys(a) as (keyof DeciderSpec)[]).every((k) => a[k] === b[k]);
}

export class ShadowAutoscaler {
  private readonly metrics: ClusterMetrics;
  private readonly revisions = new Map<string, RevisionShadow>();
  private config: { autoscaler: AutoscalerConfig; deployment: DeploymentConfig } | undefined;
  private busy = false;
  /** Scrapes so far: which slice of the ready pods the next sample starts at. */
  private scrapes = 0;
  private stopped = false;
  private readonly tickMs: number;

  constructor(private readonly options: ShadowOptions) {
    this.tickMs = options.tickMs ?? TICK_INTERVAL_MS;
    this.metrics = new ClusterMetrics({
      client: options.client,
      server: options.server,
      info: options.info,
      ...(options.autoscalerPods ? { autoscalerPods: options.autoscalerPods } : {}),
      ...(options.scrapeTimeoutMs !== undefined ? { timeoutMs: options.scrapeTimeoutMs } : {}),
    });
  }

  start(): void {
    this.schedule(Math.ceil((this.options.clock.now() + 1) / this.tickMs) * this.tickMs);
  }

  /** The queue-proxies are scraped every second, as Knative's scraper does; decisions every tick (2 s). */
  private get scrapeMs(): number {
    return this.tickMs / 2;
  }

  stop(): void {
    this.stopped = true;
  }

  /** The cluster's panic mode for a revision, from figures no older than a scrape gap allows. */
  clusterPanicking(revision: string): boolean | undefined {
    const cluster = this.revisions.get(revision)?.cluster;
    if (cluster?.panicking === undefined) return undefined;
    return this.options.clock.now() - cluster.scrapedAtMs <= STALE_FIGURES_MS ? cluster.panicking : undefined;
  }

  /** knative-serving's ConfigMaps changed (the scenario's `config:`): read them again at the next tick. */
  configChanged(): void {
    this.config = undefined;
  }

  private schedule(at: number): void {
    this.options.clock.call(
      at,
      (t) => {
        if (this.stopped) return;
        this.schedule(t + this.scrapeMs);
        // A tick whose scrapes are still out is skipped, not queued: the next one reads afresh.
        if (this.busy) return;
        this.busy = true;
        this.tick(Math.round(t / this.scrapeMs) % 2 === 0)
          .catch((e) => this.options.info(`the shadow autoscaler stopped a tick: ${(e as Error).message}`))
          .finally(() => {
            this.busy = false;
          });
      },
      at,
    );
  }

  /** config-autoscaler and config-deployment as the cluster has them (Knative's defaults when unreadable). */
  private async readConfig(): Promise<{ autoscaler: AutoscalerConfig; deployment: DeploymentConfig }> {
    if (this.config) return this.config;
    const read = async (name: string): Promise<Record<string, string>> => {
      try {
        const cm = await this.options.client.request<{ data?: Record<string, string> }>(
          'GET',
          `/api/v1/namespaces/${KNATIVE_SERVING_NAMESPACE}/configmaps/${name}`,
        );
        return cm.data ?? {};
      } catch (e) {
        if (statusOf(e) !== 404) {
          this.options.info(
            `the shadow autoscaler uses Knative's defaults for ${name}: ${describeKubeError(e, this.options.server, `reading ${KNATIVE_SERVING_NAMESPACE}/${name}`)}`,
          );
        }
        return {};
      }
    };
    let autoscaler = defaultAutoscalerConfig();
    let deployment = defaultDeploymentConfig();
    try {
      autoscaler = parseAutoscalerConfig(await read('config-autoscaler'));
      deployment = parseDeploymentConfig(await read('config-deployment'));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.options.info(
        `the shadow autoscaler uses Knative's defaults: the cluster's configuration does not parse: ${e.message}`,
      );
    }
    this.config = { autoscaler, deployment };
    return this.config;
  }

  /** One tick: scrape, then decide for every revision with a KPA. */
  /** Every second: the queue-proxies into the model's windows; every other second also a decision. */
  private async tick(deciding: boolean): Promise<void> {
    const { watches, namespace } = this.options;
    const config = await this.readConfig();
    const pas = [...watches.watched('podautoscalers.autoscaling.internal.knative.dev')] as PodAutoscaler[];
    const kpas = pas.filter(
      (pa) => (pa.metadata.annotations?.['autoscaling.knative.dev/class'] ?? KPA_CLASS) === KPA_CLASS,
    );
    for (const name of this.revisions.keys()) {
      if (!kpas.some((pa) => pa.metadata.name === name)) this.revisions.delete(name);
    }
    if (kpas.length === 0) return;
    const readyPods = new Map<string, string[]>();
    for (const p of watches.watched('pods') as Iterable<Pod>) {
      const rev = revisionOf(p);
      if (rev === undefined || podPhaseOf(p) !== 'Ready') continue;
      const list = readyPods.get(rev) ?? [];
      list.push(p.metadata.name);
      readyPods.set(rev, list);
    }
    const scrapedAt = this.options.clock.now();
    this.scrapes++;
    const [autoscaler, stats] = await Promise.all([
      deciding ? this.metrics.autoscaler() : undefined,
      this.scrapeQueueProxies(
        kpas.map((pa) => pa.metadata.name),
        readyPods,
      ),
    ]);
    if (this.stopped) return;
    const now = this.options.clock.now();
    for (const pa of kpas) {
      const name = pa.metadata.name;
      const revision = [...watches.watched('revisions.serving.knative.dev')].find((r) => r.metadata.name === name) as
        | Revision
        | undefined;
      const ready = readyPods.get(name)?.length ?? 0;
      const shadow = this.shadowOf(pa, revision, config, ready, now);
      const scraped = stats.get(name);
      if (scraped?.stat) {
        const values = statValues(scraped.stat);
        const value = shadow.spec.metric === METRIC_RPS ? values.rps : values.concurrency;
        shadow.windows.stable.record(now, value);
        shadow.windows.panic.record(now, value);
      }
      shadow.queueProxyGap = scraped?.gap ?? (scraped?.stat ? undefined : shadow.queueProxyGap);
      if (!autoscaler) continue;
      const figures: RevisionFigures | undefined = autoscaler.figures.get(
        `${pa.metadata.namespace ?? namespace}/${name}`,
      );
      if (figures) shadow.cluster = clusterDecisionOf(figures, shadow.spec.metric, scrapedAt);
      this.decideFor(
        name,
        shadow,
        ready,
        now,
        autoscaler.gap ?? (figures ? undefined : noSeries(name)),
        shadow.queueProxyGap,
      );
    }
  }

  /** Every ready pod's queue-proxy, summed per revision (the scraper's revision-wide stat, all pods read). */
  private async scrapeQueueProxies(
    revisions: readonly string[],
    readyPods: ReadonlyMap<string, readonly string[]>,
  ): Promise<Map<string, { stat?: Stat; gap?: Gap }>> {
    const out = new Map<string, { stat?: Stat; gap?: Gap }>();
    await Promise.all(
      revisions.map(async (rev) => {
        const pods = [...(readyPods.get(rev) ?? [])].sort();
        if (pods.length === 0) return;
        // Knative's sample of the ready pods (scrapeSampleSize), a different slice each second.
        const size = scrapeSampleSize(pods.length);
        const offset = this.scrapes % pods.length;
        const sample = Array.from({ length: size }, (_, i) => pods[(offset + i) % pods.length]!);
        const answers = await Promise.all(sample.map((p) => this.metrics.queueProxy(this.options.namespace, p)));
        const stats = answers.flatMap((a) => (a.stat ? [a.stat] : []));
        const gap = answers.find((a) => a.gap)?.gap;
        if (stats.length === 0) {
          if (gap) out.set(rev, { gap });
          return;
        }
        // The pods that answered stand for the ready ones (scaleSampledTotal, as Knative's scraper).
        const sum = (k: keyof Stat) =>
          scaleSampledTotal(
            stats.reduce((s, x) => s + x[k], 0),
            stats.length,
            pods.length,
          );
        out.set(rev, {
          stat: {
            averageConcurrency: sum('averageConcurrency'),
            averageProxiedConcurrency: sum('averageProxiedConcurrency'),
            requestCount: sum('requestCount'),
            proxiedRequestCount: sum('proxiedRequestCount'),
          },
          ...(gap ? { gap } : {}),
        });
      }),
    );
    return out;
  }

  /** The revision's shadow, made on first sight (as Knative makes a decider) and its spec kept current. */
  private shadowOf(
    pa: PodAutoscaler,
    revision: Revision | undefined,
    config: { autoscaler: AutoscalerConfig; deployment: DeploymentConfig },
    ready: number,
    now: number,
  ): RevisionShadow {
    const name = pa.metadata.name;
    const reported = (pa.spec as { reachability?: string } | undefined)?.reachability;
    const reachability: Reachability =
      reported === 'Reachable' || reported === 'Unreachable' ? reported : revision ? reachabilityOf(revision) : '';
    const spec = resolveDeciderSpec({
      config: config.autoscaler,
      annotations: revision?.metadata.annotations ?? pa.metadata.annotations ?? {},
      containerConcurrency: revision?.spec?.containerConcurrency ?? pa.spec?.containerConcurrency ?? 0,
      reachability,
      deployment: config.deployment,
    });
    let shadow = this.revisions.get(name);
    if (!shadow) {
      shadow = {
        spec,
        specVersion: 1,
        windows: newDeciderWindows(spec),
        decider: newDeciderState(spec, ready, now),
        cluster: undefined,
        queueProxyGap: undefined,
      };
      this.revisions.set(name, shadow);
      this.options.log.event({ t: now, type: 'kpa.spec', revision: name, version: 1, spec, readyPods: ready });
    } else if (!sameSpec(spec, shadow.spec)) {
      shadow.windows = updateDeciderWindows(shadow.windows, shadow.spec, spec, now);
      shadow.spec = spec;
      shadow.specVersion++;
      this.options.log.event({ t: now, type: 'kpa.spec', revision: name, version: shadow.specVersion, spec });
    }
    return shadow;
  }

  private decideFor(
    name: string,
    shadow: RevisionShadow,
    ready: number,
    now: number,
    autoscalerGap: Gap | string | undefined,
    queueProxyGap: Gap | undefined,
  ): void {
    const { spec, cluster } = shadow;
    const fresh = cluster !== undefined && autoscalerGap === undefined;
    const ownWindows = shadow.windows.stable.isEmpty(now)
      ? undefined
      : { stable: shadow.windows.stable.average(now), panic: shadow.windows.panic.average(now) };
    let observation: Observation;
    let source: ShadowInputs['source'];
    if (fresh && cluster.stable !== undefined && cluster.panic !== undefined) {
      observation = { readyPods: ready, stable: cluster.stable, panic: cluster.panic };
      source = 'autoscaler';
    } else if (ownWindows) {
      observation = observeWindows(
        shadow.windows.stable,
        shadow.windows.panic,
        ready,
        now,
        spec.targetBurstCapacity !== -1,
      );
      source = 'queue-proxy';
    } else {
      observation = { readyPods: ready, error: 'no data (no figures from the cluster, no queue-proxy stats)' };
      source = 'none';
    }
    const decision = decide(spec, shadow.decider, observation, now);
    if (decision.result.valid) shadow.decider = decision.state;
    const gapText =
      typeof autoscalerGap === 'string'
        ? autoscalerGap
        : (autoscalerGap?.text ?? (source === 'queue-proxy' ? queueProxyGap?.text : undefined));
    const inputs: ShadowInputs = {
      source,
      ...(ownWindows ? { windows: ownWindows } : {}),
      ...(gapText ? { gap: gapText } : {}),
    };
    const comparison = compareWithCluster(decision.record, fresh ? cluster : undefined, inputs);
    const explain = [
      ...explainDecision(decision.record),
      `inputs: ${SOURCE_WORDS[source]}; ${ready} ready (the watch)`,
      ...describeComparison(comparison, fresh ? cluster : undefined),
    ];
    const event: KpaTickEvent = {
      t: now,
      type: 'kpa.tick',
      revision: name,
      decision: { ...decision.record },
      explain,
      specVersion: shadow.specVersion,
      shadow: inputs,
      ...(cluster ? { cluster } : {}),
      comparison,
    };
    this.options.log.event(event);
  }
}

const SOURCE_WORDS: Record<ShadowInputs['source'], string> = {
  autoscaler: "the cluster's own stable and panic values (its autoscaler's metrics)",
  'queue-proxy': "the model's windows over the queue-proxies' stats",
  none: 'none',
};

function noSeries(revision: string): string {
  return `the cluster's autoscaler exported no figures for ${revision} (yet)`;
}
