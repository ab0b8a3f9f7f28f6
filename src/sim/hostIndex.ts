/**
 * Which Route answers a Host: the model's `routeHostEntries` of every Route, filed by host, so
 * the ingress finds a host's Route without trying each Route in turn (`hostMatches` over a
 * namespace of thousands). The answer is `hostMatches`'s over the Routes in the store's order:
 * the first Route (by namespace, then name) that answers the host, and its first entry for it.
 */
import type { Route } from '../model/api/types.js';
import {
  type DomainConfig,
  type HostMatch,
  type NetworkConfig,
  normalizeHost,
  routeHostEntries,
} from '../model/rules/domain.js';

/** Orders Routes as the store lists them. */
function before(a: Route, b: Route): boolean {
  const na = a.metadata.namespace ?? '';
  const nb = b.metadata.namespace ?? '';
  return na !== nb ? na < nb : a.metadata.name < b.metadata.name;
}

export class HostIndex {
  /** host → (route key → the match that Route gives for it) */
  private readonly byHost = new Map<string, Map<string, HostMatch>>();
  /** route key → its hosts now */
  private readonly hostsOf = new Map<string, readonly string[]>();

  constructor(
    private config: { domain: DomainConfig; network: NetworkConfig },
    routes: readonly Route[] = [],
  ) {
    for (const route of routes) this.put(route);
  }

  get size(): number {
    return this.hostsOf.size;
  }

  /** A Route was written (or its hosts' configuration changed). */
  put(route: Route): void {
    const key = `${route.metadata.namespace ?? ''}/${route.metadata.name}`;
    this.remove(route);
    const hosts: string[] = [];
    for (const entry of routeHostEntries(route, this.config.domain, this.config.network)) {
      let claims = this.byHost.get(entry.host);
      if (!claims) {
        claims = new Map();
        this.byHost.set(entry.host, claims);
      }
      if (claims.has(key)) continue; // the Route's first entry for a host is the one that matches
      claims.set(key, entry.tag === undefined ? { route } : { route, tag: entry.tag });
      hosts.push(entry.host);
    }
    this.hostsOf.set(key, hosts);
  }

  /** A Route is gone. */
  remove(route: Route): void {
    const key = `${route.metadata.namespace ?? ''}/${route.metadata.name}`;
    for (const host of this.hostsOf.get(key) ?? []) {
      const claims = this.byHost.get(host);
      claims?.delete(key);
      if (claims?.size === 0) this.byHost.delete(host);
    }
    this.hostsOf.delete(key);
  }

  /** The Route (and tag) `host` addresses, as `hostMatches` finds it. */
  match(host: string): HostMatch | undefined {
    const claims = this.byHost.get(normalizeHost(host));
    if (!claims) return undefined;
    let best: HostMatch | undefined;
    for (const m of claims.values()) if (!best || before(m.route, best.route)) best = m;
    return best;
  }
}
