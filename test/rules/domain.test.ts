import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Route } from '../../src/model/api/types.js';
import {
  domainForLabels,
  fillTemplate,
  hostMatches,
  hostOf,
  parseDomainConfig,
  parseNetworkConfig,
  routeAddressUrl,
  routeUrl,
} from '../../src/model/rules/domain.js';

const exampleCom = parseDomainConfig({ 'example.com': '' });

describe('route URLs', () => {
  it('are <name>.<namespace>.<domain> over http', () => {
    expect(routeUrl({ name: 'knservice', namespace: 'default' }, exampleCom)).toBe(
      'http://knservice.default.example.com',
    );
  });

  it('tagged targets get <tag>-<name>', () => {
    expect(routeUrl({ name: 'hello', namespace: 'default', tag: 'candidate' }, exampleCom)).toBe(
      'http://candidate-hello.default.example.com',
    );
  });

  it('without a selector-less config-domain entry the domain is svc.cluster.local', () => {
    expect(routeUrl({ name: 'hello', namespace: 'default' }, parseDomainConfig({}))).toBe(
      'http://hello.default.svc.cluster.local',
    );
    const onlySelected = parseDomainConfig({ 'prod.example.com': 'selector:\n  app: prod\n' });
    expect(routeUrl({ name: 'hello', namespace: 'default' }, onlySelected)).toBe(
      'http://hello.default.svc.cluster.local',
    );
  });

  it('a selector entry applies to Routes with matching labels; the most specific wins', () => {
    const config = parseDomainConfig({
      'example.com': '',
      'prod.example.com': 'selector:\n  app: prod\n',
      'eu.prod.example.com': 'selector:\n  app: prod\n  region: eu\n',
      _example: 'ignored: true',
    });
    expect(domainForLabels({ app: 'prod' }, config)).toBe('prod.example.com');
    expect(domainForLabels({ app: 'prod', region: 'eu' }, config)).toBe('eu.prod.example.com');
    expect(domainForLabels({ app: 'dev' }, config)).toBe('example.com');
  });

  it('two equally specific domains: the alphabetically first wins', () => {
    expect(domainForLabels({}, parseDomainConfig({ 'zeta.io': '', 'alpha.io': '' }))).toBe('alpha.io');
  });

  it('the cluster-local visibility label forces svc.cluster.local and the default template', () => {
    const network = parseNetworkConfig({ 'domain-template': '{{.Name}}-{{.Namespace}}.{{.Domain}}' });
    const labels = { 'networking.knative.dev/visibility': 'cluster-local' };
    expect(routeUrl({ name: 'hello', namespace: 'default', labels }, exampleCom, network)).toBe(
      'http://hello.default.svc.cluster.local',
    );
    expect(routeUrl({ name: 'hello', namespace: 'default' }, exampleCom, network)).toBe(
      'http://hello-default.example.com',
    );
  });

  it('the external scheme comes from config-network, cluster-local stays http', () => {
    const network = parseNetworkConfig({ 'default-external-scheme': 'https' });
    expect(routeUrl({ name: 'hello', namespace: 'default' }, exampleCom, network)).toBe(
      'https://hello.default.example.com',
    );
    expect(routeUrl({ name: 'hello', namespace: 'default' }, parseDomainConfig({}), network)).toBe(
      'http://hello.default.svc.cluster.local',
    );
  });

  it('address.url is the placeholder Service in the cluster', () => {
    expect(routeAddressUrl({ name: 'knservice', namespace: 'default' })).toBe(
      'http://knservice.default.svc.cluster.local',
    );
  });

  it('rejects a config-domain value that is not a selector map', () => {
    expect(() => parseDomainConfig({ 'example.com': 'selector: [a, b]' })).toThrow(/selector/);
  });
});

describe('matching a Host header to a Route and tag', () => {
  const route: Route = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: { name: 'knservice', namespace: 'default' },
    spec: { traffic: [{ revisionName: 'knservice-00002', tag: 'candidate', percent: 0 }] },
  };
  it.each([
    ['knservice.default.example.com', undefined],
    ['KNSERVICE.default.example.com:80', undefined],
    ['knservice.default', undefined],
    ['knservice.default.svc', undefined],
    ['knservice.default.svc.cluster.local', undefined],
    ['candidate-knservice.default.example.com', 'candidate'],
    ['candidate-knservice.default.svc.cluster.local', 'candidate'],
  ])('%s → tag %s', (host, tag) => {
    const match = hostMatches(host, [route], exampleCom);
    expect(match?.route.metadata.name).toBe('knservice');
    expect(match?.tag).toBe(tag);
  });

  it('other hosts match nothing', () => {
    expect(hostMatches('other.default.example.com', [route], exampleCom)).toBeUndefined();
    expect(hostMatches('knservice.other.example.com', [route], exampleCom)).toBeUndefined();
  });

  it('the host in status.url matches even with another domain config', () => {
    const withStatus: Route = { ...route, status: { url: 'http://knservice.default.1.2.3.4.sslip.io' } };
    expect(hostMatches('knservice.default.1.2.3.4.sslip.io', [withStatus], exampleCom)?.route).toBe(withStatus);
  });
});

describe('hostOf', () => {
  it('reads the host of a target as a URL or a bare host, as Go reads it', () => {
    expect(hostOf('http://knservice.default.example.com/x')).toBe('knservice.default.example.com');
    expect(hostOf('knservice.default.example.com:8080')).toBe('knservice.default.example.com:8080');
    expect(hostOf('HTTP://User@KnService.Default.Example.com:80/?q#f')).toBe('knservice.default.example.com:80');
    expect(hostOf('http://[::1]:8080/')).toBe('[::1]:8080');
    expect(hostOf('http://[bad')).toBeUndefined();
    expect(hostOf('http://a:b:c/')).toBeUndefined();
    expect(hostOf('')).toBeUndefined();
    expect(hostOf(undefined)).toBeUndefined();
  });

  it('reads a tag that is not valid punycode (xn--0), which WHATWG URLs refuse and Knative accepts', () => {
    const ref = { name: 'a', namespace: 'a', tag: 'xn--0' };
    expect(() => new URL(routeAddressUrl(ref))).toThrow();
    expect(hostOf(routeAddressUrl(ref))).toBe('xn--0-a.a.svc.cluster.local');
  });
});

describe('fillTemplate (split once per template)', () => {
  it('fills a template as one regular-expression replace does, field by field', () => {
    const piece = fc.oneof(
      fc.constantFrom('{{.Name}}', '{{ .Namespace }}', '{{.Domain}}', '{{.Tag}}', '{{.Other}}', '{{ .Name}}'),
      fc.constantFrom('{{', '}}', '.', '{{.}}', '{{ Name }}', '-', 'x'),
      fc.string({ maxLength: 4 }),
    );
    const values = fc.record(
      {
        Name: fc.string({ maxLength: 4 }),
        Namespace: fc.string({ maxLength: 4 }),
        Domain: fc.string(),
        Tag: fc.string(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), values, (pieces, vals) => {
        const template = pieces.join('');
        const fromScratch = template.replace(
          /\{\{\s*\.(\w+)\s*\}\}/g,
          (whole, key: string) => (vals as Record<string, string>)[key] ?? whole,
        );
        // Twice: the first call splits the template, the second uses the kept split.
        expect(fillTemplate(template, vals)).toBe(fromScratch);
        expect(fillTemplate(template, vals)).toBe(fromScratch);
      }),
    );
  });
});
