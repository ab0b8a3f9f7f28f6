/**
 * config-network's domain-template and tag-template as Knative reads them: the template cases of
 * knative.dev/networking pkg/config/config_test.go TestConfiguration (each with its upstream
 * name), and what `checkDomainTemplate` / `checkTagTemplate` there imply beyond them (each
 * template has its own values: DomainTemplateValues{Name, Namespace, Domain, Annotations, Labels},
 * TagTemplateValues{Name, Tag}; only the domain template must make a host).
 */
import { describe, expect, it } from 'vitest';
import { parseDomainConfig, parseNetworkConfig, routeHost, routeUrl } from '../../src/model/rules/domain.js';

const domainConfig = parseDomainConfig({ 'example.com': '' });
const hostOf = (data: Record<string, string>, tag?: string) =>
  routeHost({ name: 'foo', namespace: 'bar', ...(tag ? { tag } : {}) }, parseDomainConfig({ 'baz.com': '' }), {
    ...parseNetworkConfig(data),
  });

describe('config_test.go TestConfiguration: the template cases', () => {
  it('network configuration with diff domain template', () => {
    expect(hostOf({ 'domain-template': '{{.Namespace}}.{{.Name}}.{{.Domain}}' })).toBe('bar.foo.baz.com');
  });

  it('network configuration with blank domain template', () => {
    expect(() => parseNetworkConfig({ 'domain-template': '' })).toThrow('domain-template: empty hostname');
  });

  it('network configuration with bad domain template (a missing closing brace)', () => {
    expect(() => parseNetworkConfig({ 'domain-template': '{{.Namespace}.{{.Name}}.{{.Domain}}' })).toThrow();
  });

  it('network configuration with bad url (paths are disallowed)', () => {
    expect(() => parseNetworkConfig({ 'domain-template': '{{.Domain}}/{{.Namespace}}/{{.Name}}.' })).toThrow(
      'domain template has url path',
    );
  });

  it('network configuration with bad variable', () => {
    expect(() => parseNetworkConfig({ 'domain-template': '{{.Name}}.{{.NAmespace}}.{{.Domain}}' })).toThrow(
      'names a field the template does not have',
    );
  });

  it('legacy keys', () => {
    const c = parseNetworkConfig({ domainTemplate: '3', tagTemplate: '4', defaultExternalScheme: 'https' });
    expect([c.domainTemplate, c.tagTemplate, c.defaultExternalScheme]).toEqual(['3', '4', 'https']);
  });

  it('newer keys take precedence over legacy keys', () => {
    const c = parseNetworkConfig({
      domainTemplate: '3',
      tagTemplate: '4',
      'domain-template': '9',
      'tag-template': '10',
    });
    expect([c.domainTemplate, c.tagTemplate]).toEqual(['9', '10']);
  });
});

describe('each template has its own values', () => {
  it('the domain template has no Tag: `{{.Tag}}` fails its execution', () => {
    expect(() => parseNetworkConfig({ 'domain-template': '{{.Tag}}.{{.Name}}.{{.Domain}}' })).toThrow(
      'names a field the template does not have',
    );
  });

  it('the tag template has no Namespace or Domain', () => {
    expect(() => parseNetworkConfig({ 'tag-template': '{{.Tag}}-{{.Namespace}}' })).toThrow();
    expect(() => parseNetworkConfig({ 'tag-template': '{{.Name}}.{{.Domain}}' })).toThrow();
  });

  it('the tag template is only executed, not read as a host: Knative accepts what executes', () => {
    expect(parseNetworkConfig({ 'tag-template': '{{.Name}}-{{.Tag}}' }).tagTemplate).toBe('{{.Name}}-{{.Tag}}');
    expect(parseNetworkConfig({ 'tag-template': '' }).tagTemplate).toBe('');
  });
});

describe('the URLs follow the templates', () => {
  it("the Route's URL and a tag's URL, with both templates set", () => {
    const network = parseNetworkConfig({
      'domain-template': '{{.Name}}-{{.Namespace}}.{{.Domain}}',
      'tag-template': '{{.Name}}-{{.Tag}}',
    });
    expect(routeUrl({ name: 'web', namespace: 'shop' }, domainConfig, network)).toBe('http://web-shop.example.com');
    expect(routeUrl({ name: 'web', namespace: 'shop', tag: 'beta' }, domainConfig, network)).toBe(
      'http://web-beta-shop.example.com',
    );
    expect(hostOf({ 'tag-template': '{{.Name}}-{{.Tag}}' }, 'v2')).toBe('foo-v2.bar.baz.com');
  });
});
