/**
 * The model's decider beside a real one (live mode's shadow autoscaler): what the cluster's
 * autoscaler reported for a revision, and how the model's decision at the same tick compares to
 * it, by how much, and which input explains a difference. Pure: the live backend scrapes and
 * decides (with {@link decide}); this only reads the two records.
 */
import type { DecisionRecord } from './decider.js';
import { formatAverage, formatCompact, pods } from './format.js';

/** What the cluster's autoscaler exported for one revision at one scrape (absent figures were not exported). */
export interface ClusterDecision {
  /** Which naming the autoscaler exported: OpenCensus (Knative ≤ 1.18) or OpenTelemetry (1.19 on). */
  readonly naming: 'opencensus' | 'otel';
  /** Run time of the scrape the figures come from. */
  readonly scrapedAtMs: number;
  readonly desiredPods?: number;
  /** The stable and panic averages of the decision metric (concurrency or RPS), revision-wide. */
  readonly stable?: number;
  readonly panic?: number;
  /** The target per pod. */
  readonly target?: number;
  readonly excessBurstCapacity?: number;
  readonly panicking?: boolean;
  /** The KPA's want (`requested_pods`), and the pods it counted ready (`actual_pods`) and not. */
  readonly requestedPods?: number;
  readonly readyPods?: number;
  readonly notReadyPods?: number;
  readonly pendingPods?: number;
  readonly terminatingPods?: number;
}

/** Where the shadow's stable and panic values came from at a tick. */
export type ShadowSource = 'autoscaler' | 'queue-proxy' | 'none';

/** The shadow's inputs besides the decision record. */
export interface ShadowInputs {
  readonly source: ShadowSource;
  /** The model's own window averages from the queue-proxies' stats, when it has them. */
  readonly windows?: { readonly stable: number | null; readonly panic: number | null };
  /** Why the cluster's figures are missing or old at this tick (a scrape gap). */
  readonly gap?: string;
}

/** Which input explains a difference. */
export type DifferenceInput = 'scrape gap' | 'no data' | 'window' | 'ready pods' | 'target' | 'panic' | 'history';

export interface ShadowComparison {
  /** null when the cluster gave no decision to compare with. */
  readonly agree: boolean | null;
  readonly modelPods: number | null;
  readonly clusterPods: number | null;
  /** model − cluster, in pods. */
  readonly delta: number | null;
  /** What explains the difference (or, with agree = null, why there was nothing to compare). */
  readonly because: readonly { readonly input: DifferenceInput; readonly text: string }[];
}

/** The cluster's figures are older than this at a tick: a scrape gap (two missed 2 s scrapes). */
export const STALE_FIGURES_MS = 5_000;

/** Relative difference below which two averages are the same (the exporters round differently). */
const SAME_AVERAGE = 1e-6;

function sameAverage(a: number, b: number): boolean {
  return Math.abs(a - b) <= SAME_AVERAGE * Math.max(1, Math.abs(a), Math.abs(b));
}

function signed(n: number): string {
  return n > 0 ? `+${formatCompact(n)}` : formatCompact(n);
}

/** The model's decision at a tick next to the cluster's latest figures for the revision. */
export function compareWithCluster(
  record: DecisionRecord,
  cluster: ClusterDecision | undefined,
  inputs: ShadowInputs,
): ShadowComparison {
  const modelPods = record.valid ? record.desiredPodCount : null;
  const stale = cluster !== undefined && record.nowMs - cluster.scrapedAtMs > STALE_FIGURES_MS;
  if (cluster?.desiredPods === undefined || stale) {
    const why = inputs.gap ?? (stale ? 'the last scrape is old' : 'the cluster exported no desired pods for it');
    const age =
      stale && cluster ? ` (figures from ${formatCompact((record.nowMs - cluster.scrapedAtMs) / 1000)} s before)` : '';
    return {
      agree: null,
      modelPods,
      clusterPods: null,
      delta: null,
      because: [{ input: 'scrape gap', text: `no cluster decision to compare with: ${why}${age}` }],
    };
  }
  const clusterPods = cluster.desiredPods;
  if (modelPods === null) {
    return {
      agree: false,
      modelPods,
      clusterPods,
      delta: null,
      because: [
        {
          input: 'no data',
          text: `the model had no decision (${record.invalidReason ?? 'no data'}) while the cluster wants ${pods(clusterPods)}`,
        },
      ],
    };
  }
  const delta = modelPods - clusterPods;
  if (delta === 0) return { agree: true, modelPods, clusterPods, delta, because: [] };

  const because: { input: DifferenceInput; text: string }[] = [];
  if (cluster.readyPods !== undefined && cluster.readyPods !== record.readyPods) {
    because.push({
      input: 'ready pods',
      text: `a pod not yet ready (or already gone) on one side: the cluster's autoscaler counted ${pods(cluster.readyPods, 'ready pod')}, the watch ${record.readyPods}`,
    });
  }
  const windowText = (label: string, ours: number | null, theirs: number | undefined): void => {
    if (ours === null || theirs === undefined || sameAverage(ours, theirs)) return;
    because.push({
      input: 'window',
      text: `a different window: the model's ${label} average ${formatAverage(ours)}, the cluster's ${formatAverage(theirs)} (${signed(ours - theirs)})`,
    });
  };
  windowText('stable', record.observedStable, cluster.stable);
  windowText('panic', record.observedPanic, cluster.panic);
  if (inputs.source === 'queue-proxy' && because.every((b) => b.input !== 'window')) {
    because.push({
      input: 'window',
      text: 'the model averaged what it scraped from the queue-proxies; the cluster also counts the activator’s requests, which no scrape shows',
    });
  }
  if (cluster.target !== undefined && !sameAverage(cluster.target, record.target)) {
    because.push({
      input: 'target',
      text: `a different target: the model's ${formatCompact(record.target)} per pod, the cluster's ${formatCompact(cluster.target)} (the configuration or annotations read differently)`,
    });
  }
  if (cluster.panicking !== undefined && cluster.panicking !== record.panicking) {
    const ratio =
      record.panicRatio === null
        ? ''
        : `; at this tick's values the panic test reads ${formatCompact(record.panicRatio)} against the threshold ${formatCompact(record.panicThreshold)}`;
    because.push({
      input: 'panic',
      text: `panic mode: the cluster is ${cluster.panicking ? '' : 'not '}panicking, the model is${record.panicking ? '' : ' not'}${ratio} (a panic starts at any over-threshold tick and lasts a stable window: each decider keeps its own history, and the model sees only the cluster's values of one tick in each 2 s)`,
    });
  }
  if (because.length === 0) {
    because.push({
      input: 'history',
      text: 'the inputs agree: the difference is the deciders’ own history (the panic maximum, the scale-down delay) or the up to 2 s between the two ticks',
    });
  }
  return { agree: false, modelPods, clusterPods, delta, because };
}

/** The comparison in plain words, one line per fact (for the tick's explanation). */
export function describeComparison(c: ShadowComparison, cluster: ClusterDecision | undefined): string[] {
  const lines: string[] = [];
  if (cluster?.desiredPods !== undefined) {
    const parts = [`wants ${pods(cluster.desiredPods)}`];
    if (cluster.stable !== undefined) parts.push(`stable ${formatAverage(cluster.stable)}`);
    if (cluster.panic !== undefined) parts.push(`panic ${formatAverage(cluster.panic)}`);
    if (cluster.panicking !== undefined) parts.push(cluster.panicking ? 'panicking' : 'not panicking');
    if (cluster.readyPods !== undefined) parts.push(`${cluster.readyPods} ready`);
    lines.push(`cluster: ${parts.join(', ')}`);
  }
  if (c.agree === null) {
    lines.push(c.because[0]?.text ?? 'no cluster decision to compare with');
  } else if (c.agree) {
    lines.push(`model and cluster agree: ${pods(c.modelPods ?? 0)}`);
  } else {
    const by = c.delta === null ? '' : ` by ${signed(c.delta)} pod${Math.abs(c.delta) === 1 ? '' : 's'}`;
    lines.push(
      `model and cluster differ${by}: the model wants ${c.modelPods === null ? 'nothing (no decision)' : pods(c.modelPods)}, the cluster ${pods(c.clusterPods ?? 0)}`,
    );
    for (const b of c.because) lines.push(`  because ${b.text}`);
  }
  return lines;
}
