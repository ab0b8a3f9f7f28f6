/**
 * The requests of a live run: curl steps and the scenario's load (through the load driver every
 * backend uses), each a real HTTP request through the cluster's ingress with the service's host,
 * logged as `request` events (arrived, held when no pod was Ready, done with its status) and
 * counted in the run's results. A request without an HTTP answer (refused, reset, timed out, or
 * not sent) is status 0, outcome `unanswered`, with the reason in `error`.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type * as k8s from '@kubernetes/client-node';
import type { Pod, Route } from '../../model/api/types.js';
import { type ResultsCollector, requestOutcome } from '../../results/results.js';
import { type LoadProgress, type LoadSender, NOTHING_TO_COME, startLoad } from '../../sim/load/driver.js';
import type { Arrival } from '../../sim/load/types.js';
import type { EventLog } from '../../sim/log.js';
import type { HttpRequest, HttpResponse } from '../backend.js';
import type { RunClock } from './clock.js';
import { podPhaseOf, revisionForHost, revisionOf } from './derive.js';
import { sendHttp } from './http.js';
import { resolveGateway } from './ingress.js';
import type { LiveWatches, LoadFigures } from './watchLog.js';

/** How often an arrival without a target looks for a route URL again. */
const NO_ROUTE_RETRY_MS = 100;
/** How long a curl step waits for the watches to show the pod that answered. */
const SETTLE_MS = 2_000;
/** A curl step waits at most this long (Knative's max revision timeout is 600 s). */
const CURL_TIMEOUT_MS = 660_000;
/** Load requests give up after this long (Knative's default revision timeout is 300 s). */
const LOAD_TIMEOUT_MS = 330_000;
/** At most this many load requests in flight (or waiting for a route); arrivals beyond it are not sent. */
export const MAX_IN_FLIGHT = 1_000;

interface InFlight {
  revision: string | undefined;
  cold: boolean;
}

export interface LiveTrafficOptions {
  kc: k8s.KubeConfig;
  namespace: string;
  seed: number;
  clock: RunClock;
  log: EventLog;
  results: ResultsCollector;
  watches: LiveWatches;
  /** Base URL of the ingress; resolved from config-network and the gateway Service when absent. */
  target?: string;
  /** The namespace the scenario was written for, when the run goes elsewhere (`--namespace`). */
  scenarioNamespace?: string;
  info: (message: string) => void;
}

export class LiveTraffic implements LoadFigures {
  private readonly inFlightNow = new Map<number, InFlight>();
  private readonly arrivalsThisSecond = new Map<string, number>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  /** Aborted on Ctrl-C, on a failed run and on close: every request in flight ends at once. */
  private readonly aborter = new AbortController();
  private requestId = 0;
  private target: string | undefined;
  /** The route URL the load's default target last resolved to (kept when the route goes, as hey keeps its URL). */
  private defaultTarget: string | undefined;
  private waitingForRoute = 0;

  constructor(private readonly options: LiveTrafficOptions) {
    this.target = options.target;
    options.clock.onStop(() => this.aborter.abort());
  }

  arrivals(revision: string): number {
    return this.arrivalsThisSecond.get(revision) ?? 0;
  }

  newSecond(): void {
    this.arrivalsThisSecond.clear();
  }

  inFlight(revision: string): { inFlight: number; held: number } {
    let inFlight = 0;
    let held = 0;
    for (const r of this.inFlightNow.values()) {
      if (r.revision !== revision) continue;
      inFlight++;
      if (r.cold) held++;
    }
    return { inFlight, held };
  }

  private async ingressBase(): Promise<string> {
    if (!this.target) {
      const found = await resolveGateway(this.options.kc);
      this.options.info(`sending requests to ${found.url} (${found.ingressClass}, ${found.how})`);
      this.target = found.url;
    }
    return this.target;
  }

  private rewriteHost(host: string): string {
    const from = this.options.scenarioNamespace;
    if (!from || from === this.options.namespace) return host;
    return host.replace(`.${from}.`, `.${this.options.namespace}.`);
  }

  /** Whether a request to this host would find no ready pod (the activator will hold it). */
  private revisionState(host: string): { revision: string | undefined; cold: boolean } {
    const { watches } = this.options;
    const routes = [...watches.watched('routes.serving.knative.dev')] as Route[];
    const revision = revisionForHost(routes, host);
    if (!revision) return { revision, cold: false };
    for (const p of watches.watched('pods')) {
      if (revisionOf(p) === revision && podPhaseOf(p as Pod) === 'Ready') return { revision, cold: false };
    }
    return { revision, cold: true };
  }

  private readyPod(revision: string): boolean {
    for (const p of this.options.watches.watched('pods')) {
      if (revisionOf(p) === revision && podPhaseOf(p as Pod) === 'Ready') return true;
    }
    return false;
  }

  /** One real request, logged as arrived and done (the ingress tells us nothing in between). */
  private async send(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number,
    extraHeaders: Record<string, string> = {},
  ): Promise<HttpResponse> {
    const { clock, log, results } = this.options;
    const base = await this.ingressBase();
    const parsed = new URL(url.includes('://') ? url : `http://${url}`);
    const host = this.rewriteHost(headers.Host ?? headers.host ?? parsed.host);
    const id = ++this.requestId;
    const { revision, cold } = this.revisionState(host);
    const sentAt = performance.now();
    const at = clock.now();
    this.inFlightNow.set(id, { revision, cold });
    if (revision) this.arrivalsThisSecond.set(revision, (this.arrivalsThisSecond.get(revision) ?? 0) + 1);
    const asked = Number(extraHeaders['X-Knsim-Service-Ms']);
    log.event({
      t: at,
      type: 'request',
      phase: 'arrived',
      id,
      ...(revision ? { revision } : {}),
      ...(Number.isFinite(asked) ? { serviceMs: asked } : {}),
    });
    results.arrived(revision);
    if (cold) log.event({ t: at, type: 'request', phase: 'held', id, ...(revision ? { revision } : {}) });
    const r = await sendHttp({
      base,
      host,
      method,
      path: `${parsed.pathname}${parsed.search}`,
      headers: { ...headers, ...extraHeaders },
      ...(body !== undefined ? { body } : {}),
      timeoutMs,
      agent: this.agent,
      signal: this.aborter.signal,
    });
    const latencyMs = performance.now() - sentAt;
    this.inFlightNow.delete(id);
    log.event({
      t: clock.now(),
      type: 'request',
      phase: 'done',
      id,
      ...(revision ? { revision } : {}),
      status: r.status,
      latencyMs,
      cold,
      outcome: requestOutcome(r.status),
      ...(r.status === 0 ? { error: r.error ?? 'no answer' } : {}),
    });
    results.request(r.status, latencyMs, cold, clock.now(), revision);
    clock.wake();
    return {
      status: r.status,
      body: r.status === 0 ? `curl: (7) ${r.error ?? 'failed'}` : r.body,
      latencyMs,
      cold,
      ...(revision ? { revision } : {}),
    };
  }

  /** A curl step's request; after a good answer, the watches catch up on the pod that gave it. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const { clock } = this.options;
    clock.check();
    // curl -m: the client gives up then, as curl does.
    const response = await this.send(req.url, req.method, req.headers, req.body, req.timeoutMs || CURL_TIMEOUT_MS);
    clock.check();
    // The answer can come back before the watch reports the pod that gave it as Ready: let the
    // watches catch up (briefly) so the next step sees the pod.
    if (response.status >= 200 && response.status < 400 && response.revision) {
      const revision = response.revision;
      await clock.waitUntil(() => this.readyPod(revision), clock.now() + SETTLE_MS);
    }
    return response;
  }

  /** The scenario's load, through the load driver on the wall clock. */
  async startLoad(phases: unknown[], baseDir: string, defaultTarget?: string): Promise<LoadProgress> {
    if (phases.length === 0) return NOTHING_TO_COME;
    await this.ingressBase();
    const sender: LoadSender = { send: (arrival, answered) => this.sendArrival({ ...arrival }, answered) };
    return startLoad(
      phases,
      { seed: this.options.seed, baseDir, ...(defaultTarget ? { defaultTarget } : {}) },
      this.options.clock,
      sender,
    );
  }

  /** Where an arrival without a target goes: the first route with a URL (remembered once seen). */
  private defaultUrl(): string | undefined {
    for (const r of this.options.watches.watched('routes.serving.knative.dev')) {
      const url = (r as Route).status?.url;
      if (url) {
        this.defaultTarget = url;
        break;
      }
    }
    return this.defaultTarget;
  }

  /** A request that was never sent: it got no answer, and says why. */
  private notSent(why: string, answered?: () => void): void {
    const { clock, log, results } = this.options;
    const id = ++this.requestId;
    const t = clock.now();
    log.event({
      t,
      type: 'request',
      phase: 'done',
      id,
      status: 0,
      latencyMs: 0,
      cold: false,
      outcome: 'unanswered',
      error: `not sent: ${why}`,
    });
    results.request(0, 0, false, t);
    answered?.();
  }

  private sendArrival(arrival: Arrival, answered?: () => void, waited = false): void {
    if (waited) this.waitingForRoute--;
    if (this.inFlightNow.size + this.waitingForRoute >= MAX_IN_FLIGHT) {
      this.notSent(`${MAX_IN_FLIGHT} requests in flight`, answered);
      return;
    }
    const target = arrival.target ?? this.defaultUrl();
    if (!target) {
      // No route has a URL yet (the service is still being created): wait for one.
      this.waitingForRoute++;
      this.options.clock.at(this.options.clock.now() + NO_ROUTE_RETRY_MS, () =>
        this.sendArrival(arrival, answered, true),
      );
      return;
    }
    const url = target.includes('://') ? target : `http://${target}`;
    const event = arrival.kind === 'event';
    void this.send(url, event ? 'POST' : 'GET', {}, event ? '{}' : undefined, arrival.timeoutMs || LOAD_TIMEOUT_MS, {
      ...arrival.headers,
      'X-Knsim-Service-Ms': String(Math.round(arrival.serviceMs)),
      ...(event
        ? {
            'Content-Type': 'application/json',
            'Ce-Specversion': '1.0',
            'Ce-Type': 'knsim.load',
            'Ce-Source': 'knsim',
            'Ce-Id': String(this.requestId + 1),
          }
        : {}),
    }).then(
      () => answered?.(),
      () => answered?.(),
    );
  }

  /** Ends every request in flight at once. */
  close(): void {
    this.aborter.abort();
    this.agent.destroy();
  }
}
