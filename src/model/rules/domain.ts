/**
 * Route URLs, from the `config-domain` and `config-network` ConfigMaps.
 *
 * - A Route's host is the domain template `{{.Name}}.{{.Namespace}}.{{.Domain}}`; a tagged target's
 *   host uses Name = the tag template `{{.Tag}}-{{.Name}}` (`candidate-hello.default.example.com`).
 * - The domain comes from `config-domain`: each key is a domain, its value either empty (the
 *   domain for every Route) or a YAML `selector:` of labels a Route must carry. The matching entry
 *   with the most selector labels wins; ties go to the alphabetically first domain.
 * - With no selector-less entry the default is `svc.cluster.local` (Knative ≥ 1.8), which makes
 *   Routes cluster-local. A Route labelled `networking.knative.dev/visibility: cluster-local`
 *   always gets `svc.cluster.local` and the default template.
 * - The domain template may also read the Route's metadata: `{{index .Annotations "k"}}` and
 *   `{{index .Labels "k"}}` (empty when the key is absent); the tag template knows only Name and Tag.
 * - A host on the cluster domain (`….cluster.local`) is cluster-local: http, not exposed outside.
 * - `status.address.url` is the Route's placeholder Service: `http://<route>.<ns>.svc.cluster.local`.
 */
import { parse as parseYaml } from 'yaml';
import type { ObjectMeta, Route } from '../api/types.js';
import { LABEL_VISIBILITY, VISIBILITY_CLUSTER_LOCAL } from './labels.js';

const CLUSTER_DOMAIN = 'cluster.local';
/** The domain Routes get when config-domain names no default: `svc.cluster.local`. */
const DEFAULT_DOMAIN = `svc.${CLUSTER_DOMAIN}`;
const DEFAULT_DOMAIN_TEMPLATE = '{{.Name}}.{{.Namespace}}.{{.Domain}}';
const DEFAULT_TAG_TEMPLATE = '{{.Tag}}-{{.Name}}';

export interface DomainEntry {
  readonly domain: string;
  /** Labels a Route must have to get this domain; empty for the default domain. */
  readonly selector: Readonly<Record<string, string>>;
}

export interface DomainConfig {
  readonly entries: readonly DomainEntry[];
}

/** The parts of `config-network` that shape URLs. */
export interface NetworkConfig {
  readonly domainTemplate: string;
  readonly tagTemplate: string;
  /** Scheme of external URLs (`default-external-scheme`). */
  readonly defaultExternalScheme: string;
  /**
   * `external-domain-tls: Enabled` (formerly `auto-tls`): a Knative Certificate is made for each
   * Route's external domain.
   */
  readonly externalDomainTls?: boolean;
}

export const DEFAULT_NETWORK_CONFIG: NetworkConfig = {
  domainTemplate: DEFAULT_DOMAIN_TEMPLATE,
  tagTemplate: DEFAULT_TAG_TEMPLATE,
  defaultExternalScheme: 'http',
};

/**
 * Knative's check of the domain template (knative.dev/networking pkg/config, `checkDomainTemplate`):
 * applied to sample values it must make the host of an https URL, with no path. Its values are
 * Name, Namespace, Domain and the Route's Annotations and Labels (empty in the sample: Go's `index`
 * of a nil map gives ""); a field it does not have (`{{.Tag}}`, a misspelt one) fails Go's
 * execution, and stays unfilled here: refused too. A blank template makes no host.
 */
function checkDomainTemplate(key: string, template: string): string {
  const rendered = fillTemplate(template, { Name: 'foo', Namespace: 'bar', Domain: 'baz.com' }, {});
  if (/\{\{/.test(rendered)) {
    throw new Error(`${key}: ${JSON.stringify(template)} names a field the template does not have`);
  }
  // Go's url.Parse takes `https://` and `https:///x` with an empty host, where WHATWG's refuses
  // the first and reads `x` as the host of the second.
  if (rendered === '' || /^[/?#]/.test(rendered)) throw new Error(`${key}: empty hostname`);
  let url: URL;
  try {
    url = new URL(`https://${rendered}`);
  } catch {
    throw new Error(
      `${key}: ${JSON.stringify(template)} does not make a host name (it gives ${JSON.stringify(rendered)})`,
    );
  }
  if (url.hostname === '') throw new Error(`${key}: empty hostname`);
  if (`${url.pathname}${url.search}` !== '/') {
    throw new Error(`${key}: domain template has url path: ${url.pathname}${url.search}`);
  }
  return template;
}

/**
 * Knative's check of the tag template (`checkTagTemplate`): it only has to execute on the values
 * Name and Tag (no Namespace, Domain or metadata, so `index` is refused); what it gives is not
 * checked as a host there, since the domain template puts it in one.
 */
function checkTagTemplate(key: string, template: string): string {
  if (/\{\{/.test(fillTemplate(template, { Name: 'foo', Tag: 'v2' }))) {
    throw new Error(`${key}: ${JSON.stringify(template)} names a field the template does not have`);
  }
  return template;
}

/** `default-external-scheme`: http or https, as Knative's networking config accepts it. */
function externalScheme(value: string | undefined): string {
  if (!value) return 'http';
  const scheme = value.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    throw new Error(`default-external-scheme ${JSON.stringify(value)} should be either "http" or "https"`);
  }
  return scheme;
}

/**
 * Read `config-network` data (`domain-template`, `tag-template`, `default-external-scheme`), as
 * NewConfigFromMap does: the older camel-case keys (`domainTemplate`, `tagTemplate`,
 * `defaultExternalScheme`) are read too, the newer taking precedence; a key that is present is
 * taken as it is, so a blank domain template is refused ("empty hostname").
 */
export function parseNetworkConfig(data: Readonly<Record<string, string>> = {}): NetworkConfig {
  const domainTemplate = data['domain-template'] ?? data.domainTemplate;
  const tagTemplate = data['tag-template'] ?? data.tagTemplate;
  return {
    domainTemplate:
      domainTemplate === undefined ? DEFAULT_DOMAIN_TEMPLATE : checkDomainTemplate('domain-template', domainTemplate),
    tagTemplate: tagTemplate === undefined ? DEFAULT_TAG_TEMPLATE : checkTagTemplate('tag-template', tagTemplate),
    defaultExternalScheme: externalScheme(data['default-external-scheme'] ?? data.defaultExternalScheme),
    externalDomainTls: (data['external-domain-tls'] ?? data['auto-tls'] ?? '').toLowerCase() === 'enabled',
  };
}

/**
 * Read `config-domain` data. Keys are domains (`_example` is ignored); values are `""` or
 * `"selector:\n  app: nonprofit"`. Adds `svc.cluster.local` as the default when no entry is
 * selector-less. Throws on a value that is not YAML or whose selector is not a string map.
 */
export function parseDomainConfig(configDomainData: Readonly<Record<string, string>> = {}): DomainConfig {
  const entries: DomainEntry[] = [];
  for (const [domain, value] of Object.entries(configDomainData)) {
    if (domain === '_example') continue;
    const parsed: unknown = value.trim() === '' ? null : parseYaml(value);
    let selector: Record<string, string> = {};
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object') throw new Error(`config-domain: value of "${domain}" is not a YAML map`);
      const raw = (parsed as { selector?: unknown }).selector;
      if (raw !== undefined && raw !== null) {
        if (typeof raw !== 'object' || Array.isArray(raw)) {
          throw new Error(`config-domain: selector of "${domain}" must map label keys to values`);
        }
        selector = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
      }
    }
    entries.push({ domain, selector });
  }
  if (!entries.some((e) => Object.keys(e.selector).length === 0)) {
    entries.push({ domain: DEFAULT_DOMAIN, selector: {} });
  }
  return { entries };
}

function isClusterLocal(labels: Readonly<Record<string, string>> | undefined): boolean {
  return labels?.[LABEL_VISIBILITY] === VISIBILITY_CLUSTER_LOCAL;
}

/** The domain for a Route with these labels. */
export function domainForLabels(labels: Readonly<Record<string, string>> | undefined, config: DomainConfig): string {
  if (isClusterLocal(labels)) return DEFAULT_DOMAIN;
  let best: DomainEntry | undefined;
  for (const entry of config.entries) {
    const keys = Object.keys(entry.selector);
    if (!keys.every((k) => labels?.[k] === entry.selector[k])) continue;
    const bestKeys = best ? Object.keys(best.selector).length : -1;
    if (keys.length > bestKeys || (keys.length === bestKeys && best !== undefined && entry.domain < best.domain)) {
      best = entry;
    }
  }
  return best?.domain ?? DEFAULT_DOMAIN;
}

/**
 * A field of a Go template as Knative's URL templates use them: `{{.Key}}`, or
 * `{{index .Annotations "k"}}` / `{{index .Labels "k"}}` (a map of the Route's metadata).
 */
const FIELD = /\{\{\s*(?:\.(\w+)|index\s+\.(Annotations|Labels)\s+"([^"]*)")\s*\}\}/g;

/** The Route metadata a domain template's `index` fields read. */
export interface TemplateMetadata {
  readonly Annotations?: Readonly<Record<string, string>>;
  readonly Labels?: Readonly<Record<string, string>>;
}

/**
 * A template split at its fields, once per template (a run has a few, filled on every Route
 * reconcile): text, then for each field its key (`Annotations/k` or `Labels/k` for an `index`
 * field: a `/` no plain key has), the field as written and the text after it.
 */
const compiledTemplates = new Map<string, string[]>();

function compileTemplate(template: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (const m of template.matchAll(FIELD)) {
    parts.push(template.slice(from, m.index), m[1] ?? `${m[2]}/${m[3]}`, m[0]);
    from = m.index + m[0].length;
  }
  parts.push(template.slice(from));
  return parts;
}

function fieldValue(
  key: string,
  values: Readonly<Record<string, string>>,
  metadata: TemplateMetadata | undefined,
): string | undefined {
  const slash = key.indexOf('/');
  if (slash < 0) return values[key];
  // Without metadata (the tag template) an `index` field has nothing to read: it stays unfilled.
  if (metadata === undefined) return undefined;
  const map = key.slice(0, slash) === 'Annotations' ? metadata.Annotations : metadata.Labels;
  return map?.[key.slice(slash + 1)] ?? '';
}

/**
 * `{{.Key}}` fields replaced by their values, `index` fields by the metadata's entry ("" when
 * absent); a field with no value stays as written.
 */
export function fillTemplate(
  template: string,
  values: Readonly<Record<string, string>>,
  metadata?: TemplateMetadata,
): string {
  let parts = compiledTemplates.get(template);
  if (parts === undefined) {
    parts = compileTemplate(template);
    compiledTemplates.set(template, parts);
  }
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 3) {
    out += (fieldValue(parts[i]!, values, metadata) ?? parts[i + 1]!) + parts[i + 2]!;
  }
  return out;
}

export interface RouteRef {
  readonly name: string;
  readonly namespace: string;
  readonly tag?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Read only by a domain template's `{{index .Annotations "k"}}`. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The reference to a Route its URLs are made from: name, namespace, labels and annotations. */
export function routeRef(metadata: Pick<ObjectMeta, 'name' | 'namespace' | 'labels' | 'annotations'>): RouteRef {
  return {
    name: metadata.name,
    namespace: metadata.namespace ?? 'default',
    ...(metadata.labels ? { labels: metadata.labels } : {}),
    ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
  };
}

/** `hello`, or for a tag the tag template's result: `candidate-hello`. */
function hostName(routeName: string, tag: string | undefined, network = DEFAULT_NETWORK_CONFIG): string {
  return tag ? fillTemplate(network.tagTemplate, { Tag: tag, Name: routeName }) : routeName;
}

/** The external host of a Route (or of one of its tags): `candidate-hello.default.example.com`. */
export function routeHost(ref: RouteRef, domainConfig: DomainConfig, network = DEFAULT_NETWORK_CONFIG): string {
  const template = isClusterLocal(ref.labels) ? DEFAULT_DOMAIN_TEMPLATE : network.domainTemplate;
  return fillTemplate(
    template,
    {
      Name: hostName(ref.name, ref.tag, network),
      Namespace: ref.namespace,
      Domain: domainForLabels(ref.labels, domainConfig),
    },
    { Annotations: ref.annotations ?? {}, Labels: ref.labels ?? {} },
  );
}

/**
 * Whether a host is on the cluster domain (`cluster.local`, not only its `svc.` part: a
 * config-domain entry `cluster.local` makes cluster-local Routes too), so not exposed through the
 * external ingress.
 */
export function isClusterLocalHost(host: string): boolean {
  return host.endsWith(`.${CLUSTER_DOMAIN}`);
}

/** A Route's `status.url` (or a tag's `status.traffic[].url`): `http://knservice.default.example.com`. */
export function routeUrl(ref: RouteRef, domainConfig: DomainConfig, network = DEFAULT_NETWORK_CONFIG): string {
  const host = routeHost(ref, domainConfig, network);
  const scheme = isClusterLocalHost(host) ? 'http' : network.defaultExternalScheme;
  return `${scheme}://${host}`;
}

/** A Route's `status.address.url`: its placeholder Service, `http://hello.default.svc.cluster.local`. */
export function routeAddressUrl(ref: RouteRef, network = DEFAULT_NETWORK_CONFIG): string {
  return `http://${hostName(ref.name, ref.tag, network)}.${ref.namespace}.${DEFAULT_DOMAIN}`;
}

export interface HostMatch {
  readonly route: Route;
  /** The tag addressed by the host, if any. */
  readonly tag?: string;
}

/**
 * The `host[:port]` of a URL or a bare host, lower case, read as Go's url.Parse reads it: no IDNA
 * check, so a tag like `xn--0` (a valid DNS label, which Knative accepts) still names a host where
 * WHATWG's `new URL` throws.
 */
export function hostOf(target: string | undefined): string | undefined {
  if (!target) return undefined;
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/?#]*@)?([^/?#]*)/i.exec(target.trim());
  const host = match?.[1];
  // Go refuses an unclosed IPv6 bracket or a port that is not digits; so does this.
  if (!host || !/^(?:\[[0-9a-f:.]+\]|[^[\]:\s]+)(?::\d*)?$/i.test(host)) return undefined;
  return host.toLowerCase();
}

function hostOfUrl(url: string | undefined): string | undefined {
  const host = hostOf(url);
  return host === undefined ? undefined : normalizeHost(host);
}

/** Every host name that reaches a Route or one of its tags, in and outside the cluster. */
function hostsFor(ref: RouteRef, domainConfig: DomainConfig, network = DEFAULT_NETWORK_CONFIG): string[] {
  const short = `${hostName(ref.name, ref.tag, network)}.${ref.namespace}`;
  return [routeHost(ref, domainConfig, network), short, `${short}.svc`, `${short}.${DEFAULT_DOMAIN}`];
}

/** A Host header as {@link hostMatches} compares it: trimmed, lower case, no port, no final dot. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
}

/** One host a Route answers, and the tag it addresses (none: the Route's own traffic split). */
export interface RouteHostEntry {
  readonly host: string;
  readonly tag?: string;
}

/**
 * Every host that reaches a Route, in the order {@link hostMatches} tries them: the untagged
 * forms and its status URL's host first, then each tag's (from spec and status traffic).
 */
export function routeHostEntries(
  route: Route,
  domainConfig: DomainConfig,
  network = DEFAULT_NETWORK_CONFIG,
): RouteHostEntry[] {
  const base = routeRef(route.metadata);
  const out: RouteHostEntry[] = [];
  for (const host of [...hostsFor(base, domainConfig, network), hostOfUrl(route.status?.url)]) {
    if (host !== undefined) out.push({ host });
  }
  const tags = new Set<string>();
  for (const t of [...(route.spec.traffic ?? []), ...(route.status?.traffic ?? [])]) if (t.tag) tags.add(t.tag);
  for (const tag of tags) {
    const statusUrl = route.status?.traffic?.find((t) => t.tag === tag)?.url;
    for (const host of [...hostsFor({ ...base, tag }, domainConfig, network), hostOfUrl(statusUrl)]) {
      if (host !== undefined) out.push({ host, tag });
    }
  }
  return out;
}

/**
 * The Route (and tag) a request's Host header addresses. Accepts the external host
 * (`knservice.default.example.com`, `candidate-knservice.default.example.com`) and the in-cluster
 * forms `knservice.default`, `knservice.default.svc`, `knservice.default.svc.cluster.local`.
 * A port and letter case are ignored. The hosts in the Route's status URLs also match. The
 * first Route in `routes` that answers the host wins.
 */
export function hostMatches(
  host: string,
  routes: readonly Route[],
  domainConfig: DomainConfig,
  network = DEFAULT_NETWORK_CONFIG,
): HostMatch | undefined {
  const wanted = normalizeHost(host);
  for (const route of routes) {
    for (const entry of routeHostEntries(route, domainConfig, network)) {
      if (entry.host === wanted) return entry.tag === undefined ? { route } : { route, tag: entry.tag };
    }
  }
  return undefined;
}
