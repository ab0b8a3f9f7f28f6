/**
 * Cases from Knative Serving's pkg/reconciler/route/domains/domains_test.go,
 * pkg/reconciler/route/config/domain_test.go and pkg/reconciler/route/resources/names/names_test.go, transcribed as data and run against
 * knsim's own `routeHost`, `routeUrl`, `parseNetworkConfig`, `isClusterLocalHost` and naming
 * rules. Each case carries the upstream test and case name.
 *
 * Upstream's config: config-domain `example.com` (default) and `another-example.com` for
 * `app: prod`; the Route `myroute` in `default`, labelled `route: myapp` (and `bus: mybus` in
 * TestDomainNameFromTemplate), annotated `sub: mysub`.
 */
import { describe, expect, it } from 'vitest';
import {
  domainForLabels,
  isClusterLocalHost,
  parseDomainConfig,
  parseNetworkConfig,
  routeAddressUrl,
  routeHost,
  routeRef,
  routeUrl,
} from '../../src/model/rules/domain.js';
import { LABEL_VISIBILITY, VISIBILITY_CLUSTER_LOCAL } from '../../src/model/rules/labels.js';
import { certificateName, ingressName, placeholderServiceName } from '../../src/model/rules/naming.js';

const domainConfig = parseDomainConfig({ 'example.com': '', 'another-example.com': 'selector:\n  app: prod' });

describe('domains_test.go TestDomainNameFromTemplate', () => {
  const cases: { name: string; template: string; want?: string; local?: boolean; wantErr?: boolean }[] = [
    { name: 'Default', template: '{{.Name}}.{{.Namespace}}.{{.Domain}}', want: 'test-name.default.example.com' },
    { name: 'Dash', template: '{{.Name}}-{{.Namespace}}.{{.Domain}}', want: 'test-name-default.example.com' },
    {
      name: 'LocalDash',
      template: '{{.Name}}-{{.Namespace}}.{{.Domain}}',
      want: 'test-name.default.svc.cluster.local',
      local: true,
    },
    { name: 'Short', template: '{{.Name}}.{{.Domain}}', want: 'test-name.example.com' },
    { name: 'SuperShort', template: '{{.Name}}', want: 'test-name' },
    {
      name: 'Annotations',
      template: '{{.Name}}.{{ index .Annotations "sub"}}.{{.Domain}}',
      want: 'test-name.mysub.example.com',
    },
    { name: 'Labels', template: '{{.Name}}.{{ index .Labels "bus"}}.{{.Domain}}', want: 'test-name.mybus.example.com' },
    // Upstream's case bypasses validation; knsim checks the template when it reads config-network.
    { name: 'BadVarName', template: '{{.Name}}.{{.NNNamespace}}.{{.Domain}}', wantErr: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.wantErr) {
        expect(() => parseNetworkConfig({ 'domain-template': c.template })).toThrow();
        return;
      }
      const network = parseNetworkConfig({ 'domain-template': c.template });
      const labels: Record<string, string> = { route: 'myapp', bus: 'mybus' };
      if (c.local) labels[LABEL_VISIBILITY] = VISIBILITY_CLUSTER_LOCAL;
      // upstream passes the name itself; the Route's own name is what knsim fills in
      const ref = routeRef({ name: 'test-name', namespace: 'default', labels, annotations: { sub: 'mysub' } });
      expect(routeHost(ref, domainConfig, network)).toBe(c.want);
    });
  }

  it("a label or annotation the Route lacks fills in empty, as Go's index of a map does", () => {
    const network = parseNetworkConfig({ 'domain-template': '{{.Name}}{{index .Labels "none"}}.{{.Domain}}' });
    expect(routeHost({ name: 'x', namespace: 'default' }, domainConfig, network)).toBe('x.example.com');
  });

  it('the tag template knows Name and Tag only: index is refused there', () => {
    expect(() => parseNetworkConfig({ 'tag-template': '{{.Tag}}-{{index .Labels "a"}}{{.Name}}' })).toThrow();
  });
});

describe('domains_test.go TestURL', () => {
  // URL(scheme, host) is the route's URL for that host: knsim's routeUrl on a template giving it.
  for (const [name, host] of [
    ['subdomain', 'current.svc.local.com'],
    ['default target', 'example.com'],
  ] as const) {
    it(name, () => {
      const network = parseNetworkConfig({ 'domain-template': '{{.Domain}}' });
      expect(routeUrl({ name: 'r', namespace: 'default' }, parseDomainConfig({ [host]: '' }), network)).toBe(
        `http://${host}`,
      );
    });
  }
});

describe('domains_test.go TestGetAllDomainsAndTags', () => {
  const cases: { name: string; domainTemplate: string; tagTemplate: string; want?: Record<string, string> }[] = [
    {
      name: 'happy case',
      domainTemplate: '{{.Name}}.{{.Namespace}}.{{.Domain}}',
      tagTemplate: '{{.Name}}-{{.Tag}}',
      want: {
        'myroute-target-1.default.example.com': 'target-1',
        'myroute-target-2.default.example.com': 'target-2',
        'myroute.default.example.com': '',
      },
    },
    {
      name: 'another happy case',
      domainTemplate: '{{.Name}}.{{.Namespace}}.{{.Domain}}',
      tagTemplate: '{{.Tag}}-{{.Name}}',
      want: {
        'target-1-myroute.default.example.com': 'target-1',
        'target-2-myroute.default.example.com': 'target-2',
        'myroute.default.example.com': '',
      },
    },
    {
      name: 'or appengine style',
      domainTemplate: '{{.Name}}.{{.Namespace}}.{{.Domain}}',
      tagTemplate: '{{.Tag}}-dot-{{.Name}}',
      want: {
        'target-1-dot-myroute.default.example.com': 'target-1',
        'target-2-dot-myroute.default.example.com': 'target-2',
        'myroute.default.example.com': '',
      },
    },
    {
      name: 'bad template (domain)',
      domainTemplate: '{{.NNName}}.{{.Namespace}}.{{.Domain}}',
      tagTemplate: '{{.Name}}-{{.Tag}}',
    },
    {
      name: 'bad template (tag)',
      domainTemplate: '{{.Name}}.{{.Namespace}}.{{.Domain}}',
      tagTemplate: '{{.NNName}}-{{.Tag}}',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const data = { 'domain-template': c.domainTemplate, 'tag-template': c.tagTemplate };
      if (!c.want) {
        expect(() => parseNetworkConfig(data)).toThrow();
        return;
      }
      const network = parseNetworkConfig(data);
      const got: Record<string, string> = {};
      for (const tag of ['', 'target-1', 'target-2']) {
        const ref = { name: 'myroute', namespace: 'default', labels: { route: 'myapp' }, ...(tag ? { tag } : {}) };
        got[routeHost(ref, domainConfig, network)] = tag;
      }
      expect(got).toEqual(c.want);
    });
  }
});

describe('domains_test.go TestIsClusterLocal', () => {
  for (const [name, domain, want] of [
    ['domain is public', 'k8s.io', false],
    ['domain is cluster local', 'my-app.cluster.local', true],
  ] as const) {
    it(name, () => expect(isClusterLocalHost(domain)).toBe(want));
  }

  it('a config-domain of cluster.local makes the Route cluster-local: http whatever the external scheme', () => {
    const network = parseNetworkConfig({ 'default-external-scheme': 'https' });
    expect(routeUrl({ name: 'hello', namespace: 'default' }, parseDomainConfig({ 'cluster.local': '' }), network)).toBe(
      'http://hello.default.cluster.local',
    );
  });
});

describe('names_test.go TestNamer', () => {
  it('K8sService: the placeholder Service is the Route name', () =>
    expect(placeholderServiceName('blah')).toBe('blah'));
  it('K8sServiceFullname: its in-cluster host', () =>
    expect(routeAddressUrl({ name: 'bar', namespace: 'default' })).toBe('http://bar.default.svc.cluster.local'));
  it('IngressPrefix: the KIngress is the Route name', () => expect(ingressName('bar')).toBe('bar'));
  it('Certificate: route-<uid>', () => expect(certificateName('1234-5678-910')).toBe('route-1234-5678-910'));
});

describe('config/domain_test.go: config-domain', () => {
  it('TestSelectorMatches: every selector label must match; extra labels do not matter', () => {
    const config = parseDomainConfig({ 'sel.com': 'selector:\n  app: bar\n  version: beta', 'default.com': '' });
    for (const labels of [{ app: 'bar' }, { version: 'beta' }, { app: 'foo' }, {}] as Record<string, string>[]) {
      expect(domainForLabels(labels, config)).toBe('default.com');
    }
    for (const labels of [
      { app: 'bar', version: 'beta' },
      { app: 'bar', version: 'beta', last_updated: 'yesterday' },
      { app: 'bar', version: 'beta', deployer: 'Felicity Smoak' },
    ] as Record<string, string>[]) {
      expect(domainForLabels(labels, config)).toBe('sel.com');
    }
  });

  it('TestNewConfigNoEntry: no entry gives the default domain (svc.cluster.local since v1.8, reference §6)', () => {
    expect(domainForLabels(undefined, parseDomainConfig({}))).toBe('svc.cluster.local');
  });

  it('TestNewConfigBadYaml: a value that is not YAML is refused', () => {
    expect(() => parseDomainConfig({ 'default.com': 'bad: yaml: all: day' })).toThrow();
  });

  it('TestNewConfig: selectors and the default entry are read', () => {
    expect(
      parseDomainConfig({
        'test-domain.foo.com': 'selector:\n  app: foo',
        'bar.com': 'selector:\n  app: bar\n  version: beta',
        'default.com': '',
      }).entries,
    ).toEqual([
      { domain: 'test-domain.foo.com', selector: { app: 'foo' } },
      { domain: 'bar.com', selector: { app: 'bar', version: 'beta' } },
      { domain: 'default.com', selector: {} },
    ]);
  });

  describe('TestLookupDomainForLabels', () => {
    const config = parseDomainConfig({
      'test-domain.foo.com': 'selector:\n  app: foo',
      'foo.com': 'selector:\n  app: foo\n  version: prod',
      'bar.com': 'selector:\n  app: bar',
      'default.com': '',
    });
    const cases: [Record<string, string>, string][] = [
      [{ app: 'foo' }, 'test-domain.foo.com'],
      [{ app: 'foo', version: 'prod' }, 'foo.com'],
      [{ app: 'bar' }, 'bar.com'],
      [{ app: 'bar', version: 'whatever' }, 'bar.com'],
      [{ app: 'whatever' }, 'default.com'],
      [{}, 'default.com'],
      [{ [LABEL_VISIBILITY]: VISIBILITY_CLUSTER_LOCAL }, 'svc.cluster.local'],
    ];
    for (const [labels, domain] of cases) {
      it(`${JSON.stringify(labels)} → ${domain}`, () => expect(domainForLabels(labels, config)).toBe(domain));
    }
  });
});
