/**
 * tag-header-based-routing (config-features): a request to a Route's own host carrying
 * `Knative-Serving-Tag: <tag>` goes to that tag's revision; without the header, with a value that
 * is no tag, on a tag's own host, or with the flag not Enabled, the Route's split decides.
 *
 * The model's cases are transcribed from knative/serving pkg/reconciler/route/resources/
 * ingress_test.go, TestMakeIngressSpecCorrectRulesWithTagBasedRouting (default target v2 at 100 %,
 * tag v1: the default rules get a path matching `Knative-Serving-Tag` exactly `v1` before the
 * default split; the tag's own rules get none), and the docs' "Tag Header Based Routing" sample
 * (no header or a wrong value: the default target).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject, Route, TrafficTarget } from '../../src/model/api/types.js';
import { DEFAULT_FEATURES_CONFIG, type FeatureFlag, parseFeaturesConfig } from '../../src/model/rules/features.js';
import { headerRoutedRevision, headerRoutedTags } from '../../src/model/rules/traffic.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { validateLoadPhase } from '../../src/sim/load/spec.js';
import { runScenarioText } from '../runner/runText.js';

const ENABLED = parseFeaturesConfig({ 'tag-header-based-routing': 'Enabled' });

/** TestMakeIngressSpecCorrectRulesWithTagBasedRouting's targets, as a Route's status.traffic. */
const TRAFFIC: TrafficTarget[] = [
  { revisionName: 'v2', percent: 100, latestRevision: false },
  { revisionName: 'v1', percent: 0, tag: 'v1', latestRevision: false },
];

describe('the model: which revision a tag header picks', () => {
  const pick = (headers: Record<string, string> | undefined, features = ENABLED, hostTag?: string) =>
    headerRoutedRevision(headerRoutedTags(TRAFFIC, features, hostTag), headers);

  it('TestMakeIngressSpecCorrectRulesWithTagBasedRouting: the header v1 on the default host reaches v1', () => {
    expect(pick({ 'Knative-Serving-Tag': 'v1' })).toBe('v1');
  });

  it('the docs sample: no header, or a value that is no tag, takes the default split', () => {
    expect(pick(undefined)).toBeUndefined();
    expect(pick({})).toBeUndefined();
    expect(pick({ 'Knative-Serving-Tag': 'rev2' })).toBeUndefined();
    expect(pick({ 'Knative-Serving-Tag': '' })).toBeUndefined();
  });

  it("the header's name has no case, its value is matched exactly (Envoy's exact header match)", () => {
    expect(pick({ 'knative-serving-tag': 'v1' })).toBe('v1');
    expect(pick({ 'KNATIVE-SERVING-TAG': 'v1' })).toBe('v1');
    expect(pick({ 'Knative-Serving-Tag': 'V1' })).toBeUndefined();
    expect(pick({ Accept: '*/*', 'knative-serving-tag': 'v1' })).toBe('v1');
  });

  it("a tag's own host has no header paths; nor has any host while the flag is not Enabled", () => {
    expect(pick({ 'Knative-Serving-Tag': 'v1' }, ENABLED, 'v1')).toBeUndefined();
    expect(pick({ 'Knative-Serving-Tag': 'v1' }, DEFAULT_FEATURES_CONFIG)).toBeUndefined();
    const allowed = parseFeaturesConfig({ 'tag-header-based-routing': 'Allowed' });
    expect(pick({ 'Knative-Serving-Tag': 'v1' }, allowed)).toBeUndefined();
  });

  it('equals a plain restatement for any traffic, header, flag and host (fast-check)', () => {
    const tag = fc.constantFrom('a', 'b', 'c', 'A');
    const target = fc.record(
      {
        revisionName: fc.constantFrom('r1', 'r2', 'r3'),
        percent: fc.integer({ min: 0, max: 100 }),
        tag,
      },
      { requiredKeys: ['revisionName', 'percent'] },
    );
    fc.assert(
      fc.property(
        fc.array(target, { maxLength: 5 }),
        fc.option(fc.tuple(fc.constantFrom('Knative-Serving-Tag', 'knative-serving-tag', 'X-Tag'), tag)),
        fc.constantFrom<FeatureFlag>('Enabled', 'Allowed', 'Disabled'),
        fc.option(tag),
        (traffic, header, flag, hostTag) => {
          const features = parseFeaturesConfig({ 'tag-header-based-routing': flag });
          const headers = header ? { [header[0]]: header[1] } : undefined;
          const got = headerRoutedRevision(headerRoutedTags(traffic, features, hostTag ?? undefined), headers);
          // The oracle: only Enabled, only the Route's own host, only the tag header, the first
          // target with exactly that tag.
          const value = header && header[0].toLowerCase() === 'knative-serving-tag' ? header[1] : undefined;
          const want =
            flag === 'Enabled' && hostTag === null && value !== undefined
              ? traffic.find((t) => t.tag === value)?.revisionName
              : undefined;
          expect(got).toBe(want);
        },
      ),
      { seed: 15, numRuns: 400 },
    );
  });
});

const svc = (traffic: unknown[], image = 'docker.io/x/b'): KubeObject => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'hello', namespace: 'default' },
  spec: { template: { spec: { containers: [{ image }] } }, traffic },
});

/** hello-00001 takes all of the split, hello-00002 none but its tag `candidate`. */
async function cluster(flag?: string): Promise<SimBackend> {
  const b = new SimBackend({ seed: 5, namespace: 'default' });
  await b.start({ scenario: 'test', seed: 5, namespace: 'default' });
  await b.configure({
    'config-domain': { 'example.com': '' },
    ...(flag ? { 'config-features': { 'tag-header-based-routing': flag } } : {}),
  });
  await b.apply([svc([{ latestRevision: true, percent: 100 }], 'docker.io/x/a')], 'svc.yaml');
  await b.sleepUntil(10_000);
  await b.apply(
    [
      svc([
        { revisionName: 'hello-00001', percent: 100 },
        { latestRevision: true, percent: 0, tag: 'candidate' },
      ]),
    ],
    'svc.yaml',
  );
  await b.sleepUntil(20_000);
  return b;
}

async function revisionsOf(b: SimBackend, host: string, headers: Record<string, string>, n = 20): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const r = await b.request({ url: `http://${host}/`, method: 'GET', headers });
    seen.add(r.revision ?? `status ${r.status}`);
  }
  return [...seen].sort();
}

const TAG = { 'Knative-Serving-Tag': 'candidate' };

describe('the simulated ingress', () => {
  it('with the flag Enabled, the tag header on the main host reaches the tagged revision', async () => {
    const b = await cluster('Enabled');
    expect(await revisionsOf(b, 'hello.default.example.com', TAG)).toEqual(['hello-00002']);
    expect(await revisionsOf(b, 'hello.default.svc.cluster.local', { 'knative-serving-tag': 'candidate' })).toEqual([
      'hello-00002',
    ]);
    expect(await revisionsOf(b, 'hello.default.example.com', {})).toEqual(['hello-00001']);
    expect(await revisionsOf(b, 'hello.default.example.com', { 'Knative-Serving-Tag': 'nope' })).toEqual([
      'hello-00001',
    ]);
    // The KIngress shows the header's path before the default split, as Knative writes it.
    const kingress = b.snapshot('ingresses.networking.internal.knative.dev', 'default')[0] as KubeObject & {
      spec: { rules: { http: { paths: { headers?: unknown; splits: { serviceName: string }[] }[] } }[] };
    };
    const paths = kingress.spec.rules[0]!.http.paths;
    expect(paths.map((p) => [p.headers, p.splits.map((s) => s.serviceName)])).toEqual([
      [{ 'Knative-Serving-Tag': { exact: 'candidate' } }, ['hello-00002']],
      [undefined, ['hello-00001']],
    ]);
  });

  it('with the flag at its default (Disabled), the header changes nothing', async () => {
    const b = await cluster();
    expect(await revisionsOf(b, 'hello.default.example.com', TAG)).toEqual(['hello-00001']);
    const kingress = b.snapshot('ingresses.networking.internal.knative.dev', 'default')[0] as KubeObject & {
      spec: { rules: { http: { paths: unknown[] } }[] };
    };
    expect(kingress.spec.rules[0]!.http.paths).toHaveLength(1);
  });

  it("a tag's own host ignores the header", async () => {
    const b = await cluster('Enabled');
    const route = b.snapshot('routes.serving.knative.dev', 'default')[0] as Route;
    expect(route.status?.traffic?.map((t) => t.tag ?? '')).toEqual(['', 'candidate']);
    expect(await revisionsOf(b, 'candidate-hello.default.example.com', { 'Knative-Serving-Tag': 'other' })).toEqual([
      'hello-00002',
    ]);
  });
});

describe('a load phase with headers', () => {
  const scenario = (headers: string) => `
name: tag-header-load
config:
  config-features: { tag-header-based-routing: Enabled }
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: web }
    spec:
      template: { spec: { containers: [{ image: docker.io/knsim/demo }] } }
  v2.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: web }
    spec:
      template: { spec: { containers: [{ image: docker.io/knsim/demo:v2 }] } }
      traffic:
        - { revisionName: web-00001, percent: 100 }
        - { latestRevision: true, percent: 0, tag: beta }
steps:
  - apply: svc.yaml
  - wait: ksvc web Ready
  - apply: v2.yaml
  - wait: revision web-00002 Ready
  - at: 1m
    expect: requests(web-00001) >= 250 and requests(web-00002) >= 250
load:
  - at: 30s
    for: 20s
    constant: { rps: 15 }
    target: http://web.default.svc.cluster.local
  - at: 30s
    for: 20s
    constant: { rps: 15 }
    target: http://web.default.svc.cluster.local
    ${headers}
`;

  it('sends its header with every request: the tagged half reaches web-00002', async () => {
    const outcome = await runScenarioText(scenario('headers: { Knative-Serving-Tag: beta }'), 1);
    expect(outcome.failures).toEqual([]);
  });

  it('without the header, nothing reaches the tagged revision', async () => {
    const outcome = await runScenarioText(scenario(''), 1);
    expect(outcome.failures.length).toBeGreaterThan(0);
  });
});

describe("a load phase's headers are checked like every scenario input", () => {
  const errorOf = (phase: string): string => {
    try {
      parseScenario(`load:\n  - at: 1s\n    for: 1s\n    constant: { rps: 1 }\n    ${phase}\n`, 'scn.yaml', {
        validateLoad: (value) => validateLoadPhase(value),
      });
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };

  it('names the file, line and field of a wrong header', () => {
    expect(errorOf('headers: { Host: web.example.com }')).toBe(
      "scn.yaml:5:22: load[0].headers.Host: the host is the phase's `target`, not a header",
    );
    expect(errorOf('headers: { "Knative Serving Tag": beta }')).toMatch(
      /^scn\.yaml:5:39: load\[0\]\.headers\["Knative Serving Tag"\]: a header name is letters, digits and - \(an HTTP token\)/,
    );
    expect(errorOf('headers: { Knative-Serving-Tag: [a, b] }')).toMatch(
      /^scn\.yaml:5:\d+: load\[0\]\.headers\.Knative-Serving-Tag: a header value is a string/,
    );
    expect(errorOf('headers: { Knative-Serving-Tag: beta }')).toBe('');
  });
});
