/**
 * What the fuzzer feeds knsim: scenario files (manifests, ConfigMaps, settings, load, steps and
 * expectations built from their grammar, then mutated), traces, event logs and command lines,
 * each as a case: files to write and the argv of a real command. Every case comes from a
 * fast-check arbitrary, so a seed (and the case's index) gives the same case again.
 */
import fc from 'fast-check';
import { parse, stringify } from 'yaml';

export type CaseKind = 'scenario' | 'manifest' | 'configmap' | 'load' | 'trace' | 'log' | 'flags' | 'yaml-text';

export interface FuzzCase {
  readonly kind: CaseKind;
  /** Files to write in the case's directory (name → text). `{dir}` in a text is the directory. */
  readonly files: Readonly<Record<string, string>>;
  /** The command line; `{dir}` stands for the case's directory. */
  readonly argv: readonly string[];
  /** Run as a child process and stopped with SIGTERM once it serves (knsim serve, tui --follow). */
  readonly child?: 'serve' | 'follow';
}

/** Known-good material the cases start from: a log written by the simulator, and its scenario. */
export interface Corpus {
  /** Event logs (JSON Lines) written by `knsim run --log`. */
  readonly logs: readonly string[];
  /** Shipped scenarios that run in a second or two (their text). */
  readonly scenarios: readonly string[];
}

type ArbValue<A> = A extends fc.Arbitrary<infer T> ? T : never;

/** YAML text of a value; JSON (which is YAML) when the value is too deep for the YAML writer. */
function toYaml(value: unknown): string {
  try {
    return stringify(value, { aliasDuplicateObjects: false });
  } catch {
    return `${JSON.stringify(value) ?? 'null'}\n`;
  }
}

// ---------------------------------------------------------------------------------------------
// Values

/** Values that break assumptions: types, signs, magnitudes, empty and odd strings. */
const oddScalar = fc.constantFrom<unknown>(
  null,
  true,
  false,
  0,
  -1,
  1,
  1.5,
  0.001,
  1e9,
  -1e9,
  1e300,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  ' ',
  'x',
  '0',
  '-1',
  '1e9',
  '30',
  '30s',
  '-30s',
  '0s',
  '1ms',
  '1e9h',
  '1000000000h',
  '8784h',
  '8785h',
  'NaN',
  'null',
  '~',
  '\u0000',
  '🚀',
  'true',
  '{}',
  '[]',
  "it's",
  '"',
  '\\',
  '/dev/zero',
  '..',
  'Default',
  'KPA',
  'hpa.autoscaling.knative.dev',
  'kpa.autoscaling.knative.dev',
  'docker.io/x/y',
  'a'.repeat(300),
);

const anyScalar = fc.oneof(
  { weight: 4, arbitrary: oddScalar },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
);

/** A list nested `depth` deep (`[[[…]]]`): past any parser's recursion. */
const deepValue = fc.integer({ min: 90, max: 3000 }).map((depth) => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
});

const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: anyScalar },
  { weight: 2, arbitrary: fc.array(anyScalar, { maxLength: 4 }) },
  {
    weight: 2,
    arbitrary: fc.dictionary(fc.constantFrom('a', 'name', 'image', 'spec', 'rps', 'x'), anyScalar, { maxKeys: 3 }),
  },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: fc.constant(Array.from({ length: 3000 }, (_, i) => i)) },
);

// ---------------------------------------------------------------------------------------------
// The parts of a scenario, from their grammar

/**
 * The grammar of a scenario's parts. `wild`: odd values (wrong types, absurd numbers) are mixed
 * in everywhere; tame: only values a user might well write, so that most scenarios run and the
 * simulator itself is explored (mutations then add the odd value or two).
 */
function grammar(wild: boolean) {
  const wildOnly = <T>(a: fc.Arbitrary<T>) => (wild ? [{ weight: 1, arbitrary: a as fc.Arbitrary<unknown> }] : []);
  const orOdd = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
    wild ? fc.oneof({ weight: 6, arbitrary: a as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: oddScalar }) : a;
  const duration = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.integer({ min: 0, max: 600 }), fc.constantFrom('ms', 's', 'm'))
        .map(([n, u]) => `${n}${u}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('1h', '1h30m', '1.5s', '0', '250us', '24h') },
    ...wildOnly(oddScalar),
  );
  const shortDuration = fc
    .tuple(fc.integer({ min: 0, max: 90 }), fc.constantFrom('ms', 's'))
    .map(([n, u]) => `${n}${u}`);
  const rate = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 200 }) },
    { weight: 1, arbitrary: fc.double({ min: 0, max: 2000, noNaN: true }) },
    ...wildOnly(oddScalar),
  );

  const serviceSpec = fc.oneof(
    shortDuration,
    fc.record({ constant: shortDuration }),
    fc.record({ exponential: fc.record({ mean: shortDuration }) }),
    fc.record({ lognormal: fc.record({ median: shortDuration, p99: shortDuration }) }),
    fc.record({
      lognormal: fc.record({
        mu: fc.double({ min: -5, max: 12, noNaN: true }),
        sigma: fc.double({ min: -1, max: 5, noNaN: true }),
      }),
    }),
    fc.record({ uniform: fc.record({ min: shortDuration, max: shortDuration }) }),
    fc
      .dictionary(fc.constantFrom('p0', 'p10', 'p50', 'p90', 'p99', 'p99.9', 'p100', 'p101', 'q5'), shortDuration, {
        minKeys: 1,
        maxKeys: 4,
      })
      .map((empirical) => ({ empirical })),
    ...wildOnly(oddValue).map((w) => w.arbitrary),
  );

  const generator = fc.oneof(
    fc.record({ poisson: fc.record({ rps: rate }) }),
    fc.record({ constant: fc.record({ rps: rate }) }),
    fc.record({ ramp: fc.record({ from: rate, to: rate }) }),
    fc.record({ steps: fc.array(fc.record({ for: shortDuration, rps: rate }), { minLength: 0, maxLength: 3 }) }),
    fc.record({
      bursts: fc.record(
        { every: shortDuration, count: orOdd(fc.integer({ min: 0, max: 500 })), within: shortDuration },
        { requiredKeys: ['every', 'count'] },
      ),
    }),
    fc.record({
      sine: fc.record(
        { mean: rate, amplitude: rate, period: duration, phase: duration },
        { requiredKeys: ['mean', 'amplitude', 'period'] },
      ),
    }),
    fc.record({
      hey: fc.record(
        {
          concurrency: orOdd(fc.integer({ min: 1, max: 60 })),
          think: serviceSpec,
          qps: rate,
          requests: orOdd(fc.integer({ min: 0, max: 2000 })),
        },
        { requiredKeys: ['concurrency'] },
      ),
    }),
    fc.record({
      ping: fc.record({
        schedule: fc.constantFrom('* * * * *', '*/1 * * * *', '61 * * * *', '@every 1s', '', 'x', '0 0 31 2 *'),
      }),
    }),
    fc.record({
      cloudevents: fc.record(
        { rps: rate, process: fc.constantFrom('poisson', 'constant', 'burst') },
        { requiredKeys: ['rps'] },
      ),
    }),
  );

  const loadPhase = fc
    .tuple(
      generator,
      fc.record(
        {
          at: duration,
          for: duration,
          service: serviceSpec,
          target: fc.constantFrom(
            'http://demo.default.example.com',
            'http://nope.example.com',
            'http://demo.default.svc.cluster.local',
            '',
            'not a url',
            'http://[::1',
          ),
          name: fc.string({ maxLength: 5 }),
          process: fc.constantFrom('poisson', 'constant', 'x'),
        },
        { requiredKeys: [] },
      ),
    )
    .map(([g, rest]) => ({ ...rest, ...g }));

  const ANNOTATIONS = [
    'autoscaling.knative.dev/min-scale',
    'autoscaling.knative.dev/max-scale',
    'autoscaling.knative.dev/initial-scale',
    'autoscaling.knative.dev/target',
    'autoscaling.knative.dev/target-utilization-percentage',
    'autoscaling.knative.dev/target-burst-capacity',
    'autoscaling.knative.dev/window',
    'autoscaling.knative.dev/panic-window-percentage',
    'autoscaling.knative.dev/panic-threshold-percentage',
    'autoscaling.knative.dev/scale-down-delay',
    'autoscaling.knative.dev/scale-to-zero-pod-retention-period',
    'autoscaling.knative.dev/class',
    'autoscaling.knative.dev/metric',
    'autoscaling.knative.dev/activation-scale',
    'serving.knative.dev/rollout-duration',
    'features.knative.dev/http-full-duplex',
  ];
  const annotationValue = fc.oneof(
    fc.integer({ min: -2, max: 200 }).map(String),
    fc.constantFrom(
      '0',
      '1',
      '10',
      '0.5',
      '100',
      '6s',
      '1m',
      '0s',
      '-1s',
      '1e9',
      'kpa.autoscaling.knative.dev',
      'hpa.autoscaling.knative.dev',
      'rps',
      'concurrency',
      'cpu',
      'memory',
      '',
    ),
    fc.string({ maxLength: 6 }),
  );
  const annotations = fc.dictionary(fc.constantFrom(...ANNOTATIONS), annotationValue, { maxKeys: 4 });

  const container = fc.record(
    {
      image: fc.constantFrom(
        'docker.io/knsim/demo',
        'docker.io/x/y:1.0',
        `gcr.io/a/b@sha256:${'0'.repeat(64)}`,
        'BAD IMAGE',
        '',
        'docker.io/x/missing',
      ),
      name: fc.constantFrom('user-container', 'queue-proxy', 'a', 'b'),
      ports: fc.array(
        fc.record(
          {
            containerPort: fc.oneof(fc.integer({ min: -1, max: 70000 }), fc.constantFrom(8080, 8012, 9090)),
            name: fc.constantFrom('http1', 'h2c', 'web'),
            protocol: fc.constantFrom('TCP', 'UDP'),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
      env: fc.array(
        fc.record(
          { name: fc.constantFrom('A', 'PORT', 'K_SERVICE', ''), value: fc.string({ maxLength: 4 }) },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
      resources: fc.record(
        {
          requests: fc.dictionary(
            fc.constantFrom('cpu', 'memory'),
            fc.oneof(fc.constantFrom('100m', '1', '1Gi', 'x', '-1'), fc.integer({ min: 0, max: 4 })),
          ),
          limits: fc.dictionary(fc.constantFrom('cpu', 'memory'), fc.constantFrom('500m', '2', '2Gi')),
        },
        { requiredKeys: [] },
      ),
      readinessProbe: fc.record(
        {
          httpGet: fc.record({
            path: fc.constant('/'),
            port: fc.oneof(fc.integer({ min: 0, max: 9000 }), fc.constant('http')),
          }),
          periodSeconds: fc.integer({ min: 0, max: 10 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['image'] },
  );

  const traffic = fc.array(
    fc.record(
      {
        latestRevision: fc.boolean(),
        revisionName: fc.constantFrom('demo-00001', 'demo-00002', 'nope', 'Bad_Name'),
        configurationName: fc.constantFrom('demo', 'other'),
        percent: fc.oneof(fc.integer({ min: -10, max: 110 }), fc.constantFrom(0, 50, 100)),
        tag: fc.constantFrom('blue', 'green', 'Bad Tag', 'a'),
        url: fc.constant('http://x'),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  );

  const serviceManifest = fc
    .record({
      kind: fc.constantFrom(
        'Service',
        'Service',
        'Service',
        'Configuration',
        'Route',
        'Revision',
        'ConfigMap',
        'Deployment',
        'Pod',
      ),
      apiVersion: fc.constantFrom(
        'serving.knative.dev/v1',
        'serving.knative.dev/v1',
        'serving.knative.dev/v1beta1',
        'v1',
        'apps/v1',
        'example.com/v1',
      ),
      name: fc.constantFrom('demo', 'demo', 'other', 'Bad_Name', 'a'.repeat(70), ''),
      namespace: fc.option(fc.constantFrom('default', 'other', 'knative-serving', ' ', 'Bad'), { nil: undefined }),
      labels: fc.dictionary(
        fc.constantFrom('app', 'networking.knative.dev/visibility', 'serving.knative.dev/visibility'),
        fc.constantFrom('a', 'cluster-local', 'x'),
      ),
      templateAnnotations: annotations,
      revisionName: fc.option(fc.constantFrom('demo-v2', 'other-x', 'Bad'), { nil: undefined }),
      containers: fc.array(container, { minLength: 0, maxLength: 2 }),
      containerConcurrency: fc.option(orOdd(fc.integer({ min: 0, max: 1000 })), { nil: undefined }),
      timeoutSeconds: fc.option(fc.integer({ min: -1, max: 4000 }), { nil: undefined }),
      traffic: fc.option(traffic, { nil: undefined }),
      data: fc.dictionary(
        fc.constantFrom(
          'stable-window',
          'scale-to-zero-grace-period',
          'enable-scale-to-zero',
          'container-concurrency-target-default',
          'x',
        ),
        fc.constantFrom('60s', '30s', 'true', '100', 'x', '-1s'),
      ),
    })
    .map((m) => {
      const metadata = {
        name: m.name,
        ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
        ...(Object.keys(m.labels).length > 0 ? { labels: m.labels } : {}),
      };
      if (m.kind === 'ConfigMap')
        return {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { ...metadata, namespace: 'knative-serving', name: 'config-autoscaler' },
          data: m.data,
        };
      const template = {
        ...(Object.keys(m.templateAnnotations).length > 0 || m.revisionName
          ? { metadata: { ...(m.revisionName ? { name: m.revisionName } : {}), annotations: m.templateAnnotations } }
          : {}),
        spec: {
          containers: m.containers,
          ...(m.containerConcurrency !== undefined ? { containerConcurrency: m.containerConcurrency } : {}),
          ...(m.timeoutSeconds !== undefined ? { timeoutSeconds: m.timeoutSeconds } : {}),
        },
      };
      const spec =
        m.kind === 'Route'
          ? { traffic: m.traffic ?? [{ configurationName: 'demo', percent: 100 }] }
          : { template, ...(m.kind === 'Service' && m.traffic ? { traffic: m.traffic } : {}) };
      return { apiVersion: m.apiVersion, kind: m.kind, metadata, spec };
    });

  const CONFIG_KEYS: Record<string, string[]> = {
    'config-autoscaler': [
      'stable-window',
      'panic-window-percentage',
      'panic-threshold-percentage',
      'scale-to-zero-grace-period',
      'scale-to-zero-pod-retention-period',
      'enable-scale-to-zero',
      'container-concurrency-target-default',
      'container-concurrency-target-percentage',
      'requests-per-second-target-default',
      'target-burst-capacity',
      'max-scale-up-rate',
      'max-scale-down-rate',
      'initial-scale',
      'allow-zero-initial-scale',
      'min-scale',
      'max-scale',
      'max-scale-limit',
      'scale-down-delay',
      'activator-capacity',
      'pod-autoscaler-class',
      'tick-interval',
      'bogus-key',
    ],
    'config-defaults': [
      'revision-timeout-seconds',
      'max-revision-timeout-seconds',
      'container-concurrency',
      'container-concurrency-max-limit',
      'allow-container-concurrency-zero',
    ],
    'config-domain': ['example.com', 'svc.cluster.local', 'a b', '', 'x..y'],
    'config-network': ['ingress-class', 'domain-template', 'default-external-scheme', 'external-domain-tls'],
    'config-deployment': ['progress-deadline', 'queue-sidecar-image', 'registries-skipping-tag-resolving'],
    'config-features': ['kubernetes.podspec-affinity', 'multi-container'],
    'config-gc': ['retain-since-create-time', 'min-non-active-revisions', 'max-non-active-revisions'],
    'config-bogus': ['x'],
  };
  const configValue = fc.oneof(
    fc.constantFrom(
      '60s',
      '6s',
      '0s',
      '-1s',
      '1h',
      '10',
      '0',
      '-1',
      '0.5',
      '1000',
      '1e9',
      'true',
      'false',
      'enabled',
      'disabled',
      '',
      'x',
      '{{.Name}}.{{.Namespace}}.{{.Domain}}',
      '{{.Bad}}',
      'kourier.ingress.networking.knative.dev',
      'hpa.autoscaling.knative.dev',
    ),
    fc.integer({ min: -5, max: 2000 }),
    fc.boolean(),
  );
  const configMaps = fc
    .array(fc.constantFrom(...Object.keys(CONFIG_KEYS).filter((k) => wild || k !== 'config-bogus')), { maxLength: 3 })
    .chain((names) =>
      fc.tuple(
        ...names.map((n) =>
          fc
            .dictionary(fc.constantFrom(...(CONFIG_KEYS[n] ?? ['x'])), configValue, { maxKeys: 4 })
            .map((d) => [n, d] as const),
        ),
      ),
    )
    .map((pairs) => Object.fromEntries(pairs));

  const settings = fc.record(
    {
      podStartup: fc.oneof(
        shortDuration,
        fc.record({ median: shortDuration, spread: fc.double({ min: 0, max: 1, noNaN: true }) }),
        fc.record({ min: shortDuration, max: shortDuration }),
        ...wildOnly(oddValue).map((w) => w.arbitrary),
      ),
      networking: fc.constantFrom('kourier', 'istio', 'contour', 'gloo', 'ambassador', ...(wild ? ['nginx'] : [])),
      app: fc.record(
        {
          response: fc.string({ maxLength: 8 }),
          status: orOdd(fc.constantFrom(200, 404, 500, 503)),
          serviceTime: serviceSpec,
        },
        { requiredKeys: [] },
      ),
      drain: duration,
      missingImages: fc.array(fc.constantFrom('docker.io/x/missing', 'docker.io/knsim/demo'), { maxLength: 2 }),
      activatorProbePeriod: duration,
    },
    { requiredKeys: [] },
  );

  const SUBJECTS = [
    'pods',
    'ready pods',
    'terminating pods',
    'pods(demo-00001)',
    'pods of demo',
    'desired(demo-00001)',
    'actual(demo-00001)',
    'activator-queue',
    'panic(demo-00001)',
    'rps',
    'requests',
    'answered',
    'errors',
    '503',
    '504',
    'cold-starts',
    'p50',
    'p95',
    'p99',
    'metric x',
    'ksvc demo Ready',
    'revision demo-00001 Ready',
    'kpa demo-00001 Active=False',
    'sks demo-00001 mode',
    'ksvc demo reason',
    'revision demo-00002 exists',
    'revision demo-00002 absent',
    'curl status',
    'curl latency',
    'curl answered within 10s',
    'podz',
    'kingress x Ready',
    '',
  ];
  const expectation = fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...SUBJECTS),
          fc.constantFrom('==', '!=', '<', '<=', '>', '>=', '=', '=>', ''),
          fc.constantFrom('0', '1', '3', '2s', '500ms', 'true', 'Proxy', 'Serve', 'RevisionMissing', '1e9', '-1', 'x'),
          fc.constantFrom('', ' by 1m', ' after 30s', ' by 1000000h', ' by x', ' and pods == 0'),
        )
        .map(([s, o, v, t]) =>
          s.endsWith('Ready') ||
          s.endsWith('exists') ||
          s.endsWith('absent') ||
          s.includes('=False') ||
          s.includes('within')
            ? `${s}${t}`
            : `${s} ${o} ${v}${t}`,
        ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  );

  const RESOURCES = [
    'ksvc',
    'kservice',
    'rev',
    'revisions',
    'route',
    'configuration',
    'pods',
    'po',
    'kpa',
    'sks',
    'deploy',
    'rs',
    'svc',
    'endpoints',
    'events',
    'kingress',
    'ingress',
    'certificate',
    'metric',
    'configmap',
    'namespaces',
    'nodes',
    'all',
    'podz',
    'ksvc/demo',
    'pods,ksvc',
  ];
  const kubectlCommand = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'get',
            'get',
            'describe',
            'delete',
            'logs',
            'apply',
            'gett',
            'edit',
            'wait',
            'explain',
            'top',
          ),
          fc.constantFrom(...RESOURCES),
          fc.array(
            fc.constantFrom(
              'demo',
              'demo-00001',
              '-o',
              'wide',
              'yaml',
              'json',
              'name',
              'jsonpath={.x}',
              '-n',
              'default',
              'other',
              '-A',
              '-l',
              'app=x',
              '--show-labels',
              '--no-headers',
              '-w',
              '-f',
              'svc.yaml',
              '--all',
              '-c',
              'queue-proxy',
              '--tail',
              '5',
              '--timestamps',
              '--',
              "'",
              '"',
            ),
            { maxLength: 4 },
          ),
        )
        .map((parts) => [parts[0], parts[1], ...parts[2]].join(' ')),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  );
  const curlCommand = fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(
          fc.array(
            fc.constantFrom(
              '-s',
              '-v',
              '-i',
              '-I',
              '-L',
              '-S',
              '-f',
              '-m 5',
              '-m x',
              '-X POST',
              '-d x',
              "-H 'Host: demo.default.example.com'",
              '-H bad',
              '--resolve a:80:1.2.3.4',
              '-o /dev/null',
              "-w '%{http_code}'",
              '--bogus',
            ),
            { maxLength: 3 },
          ),
          fc.constantFrom(
            'http://demo.default.example.com',
            'demo.default.example.com',
            'http://127.0.0.1:8080/',
            'https://demo.default.example.com/x?y',
            'http://[::1',
            'ftp://x',
            '',
          ),
        )
        .map(([flags, url]) => `curl ${flags.join(' ')} ${url}`),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  );

  const step = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom<unknown>(
        { apply: 'svc.yaml' },
        { apply: 'svc.yaml' },
        { apply: 'missing.yaml' },
        { apply: ['svc.yaml', 'svc.yaml'] },
        { kubectl: 'apply -f svc.yaml' },
      ),
    },
    { weight: 2, arbitrary: kubectlCommand.map((c) => ({ kubectl: c })) },
    {
      weight: 2,
      arbitrary: fc.record(
        {
          curl: curlCommand,
          expect: fc.record(
            {
              status: orOdd(fc.constantFrom(200, 404, 503)),
              body: fc.string({ maxLength: 4 }),
              within: duration,
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: ['curl'] },
      ),
    },
    {
      weight: 3,
      arbitrary: fc.oneof(
        expectation.map((e) => ({ wait: e })),
        fc.record({ wait: fc.record({ until: expectation, timeout: duration }, { requiredKeys: [] }) }),
      ),
    },
    { weight: 2, arbitrary: duration.map((d) => ({ sleep: d })) },
    { weight: 2, arbitrary: expectation.map((e) => ({ expect: e })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }).map((t) => ({ note: t })) },
    { weight: 1, arbitrary: fc.record({ at: duration, note: fc.constant('x') }) },
    ...wildOnly(oddValue),
  );

  const scenarioValue = fc.record(
    {
      name: wild ? fc.oneof(fc.constant('fuzz'), anyScalar) : fc.constant('fuzz'),
      seed: orOdd(fc.integer({ min: 0, max: 100 })),
      namespace: wild ? fc.constantFrom('default', 'other', 'Bad_NS', '') : fc.constantFrom('default', 'other'),
      settings,
      config: configMaps,
      manifests: fc.array(serviceManifest, { minLength: 1, maxLength: 3 }),
      manifestForm: fc.constantFrom('text', 'list', 'object'),
      steps: fc.array(step, { maxLength: 7 }),
      load: fc.array(loadPhase, { maxLength: 3 }),
      expect: fc.array(expectation, { maxLength: 3 }),
    },
    { requiredKeys: ['manifests', 'manifestForm'] },
  );

  return { loadPhase, serviceManifest, configMaps, settings, step, expectation, scenarioValue };
}

const WILD = grammar(true);
const TAME = grammar(false);

/** A scenario as a plain value: the manifests in `files: svc.yaml`, a first apply and wait. */
function scenarioOf(s: ArbValue<typeof WILD.scenarioValue>): Record<string, unknown> {
  const v = s as Record<string, unknown> & { manifests: unknown[]; manifestForm: string; steps?: unknown[] };
  const files = {
    'svc.yaml':
      v.manifestForm === 'text'
        ? v.manifests.map((m) => stringify(m)).join('---\n')
        : v.manifestForm === 'list'
          ? v.manifests
          : v.manifests[0],
  };
  const { manifests: _m, manifestForm: _f, steps, ...rest } = v;
  return {
    ...rest,
    files,
    steps: [{ apply: 'svc.yaml' }, { wait: { until: 'ksvc demo Ready', timeout: '2m' } }, ...(steps ?? [])],
  };
}

// ---------------------------------------------------------------------------------------------
// Mutations of a value and of text

/** Every path to a node of a value (keys and indices), the root first. */
function paths(
  value: unknown,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
  depth = 0,
): (string | number)[][] {
  out.push(at);
  if (depth > 12) return out;
  if (Array.isArray(value)) for (const [i, v] of value.entries()) paths(v, [...at, i], out, depth + 1);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out, depth + 1);
  return out;
}

function setAt(value: unknown, at: readonly (string | number)[], by: (old: unknown) => unknown): unknown {
  if (at.length === 0) return by(value);
  const [head, ...rest] = at;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? setAt(v, rest, by) : v));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return { ...o, [head as string]: setAt(o[head as string], rest, by) };
  }
  return value;
}

const DELETE = Symbol('delete');

function removeDeleted(value: unknown, depth = 0): unknown {
  // Deletions are placed where paths() reaches (12 levels): deeper values are kept as they are.
  if (depth > 14) return value;
  if (Array.isArray(value)) return value.filter((v) => v !== DELETE).map((v) => removeDeleted(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== DELETE)
        .map(([k, v]) => [k, removeDeleted(v, depth + 1)]),
    );
  }
  return value;
}

const valueMutation = fc.record({
  where: fc.nat(),
  op: fc.constantFrom('replace', 'replace', 'delete', 'wrap-list', 'wrap-map', 'add-key', 'scale'),
  by: oddValue,
  factor: fc.constantFrom(-1, 0, 1e6, 1e-6, 1e12),
});

function applyMutations(value: unknown, mutations: readonly ArbValue<typeof valueMutation>[]): unknown {
  let v = value;
  for (const m of mutations) {
    const all = paths(v);
    const at = all[m.where % all.length] ?? [];
    v = setAt(v, at, (old) => {
      switch (m.op) {
        case 'replace':
          return m.by;
        case 'delete':
          return at.length === 0 ? old : DELETE;
        case 'wrap-list':
          return [old];
        case 'wrap-map':
          return { value: old };
        case 'add-key':
          return old && typeof old === 'object' && !Array.isArray(old) ? { ...old, extra: m.by } : old;
        case 'scale':
          return typeof old === 'number' ? old * m.factor : old;
        default:
          return old;
      }
    });
    v = removeDeleted(v);
  }
  return v;
}

const textMutation = fc.record({
  where: fc.double({ min: 0, max: 1, noNaN: true }),
  op: fc.constantFrom('truncate', 'insert', 'delete-line', 'duplicate-line', 'append'),
  text: fc.constantFrom(
    '\t',
    ':',
    ': ',
    '- ',
    '{',
    '[',
    ']',
    '&a ',
    '*a',
    '*b',
    '---\n',
    '\0',
    '\n  ',
    '"',
    "'",
    '#',
    '%YAML 1.1\n',
    '!!binary ',
    '? ',
    '|\n',
    '\uFEFF',
    '\r\n',
  ),
  appended: fc.constantFrom(
    `bomb: &a ["x","x","x","x","x","x","x","x"]\nb2: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nb3: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nb4: &d [*c,*c,*c,*c,*c,*c,*c,*c]\nb5: [*d,*d,*d,*d,*d,*d,*d,*d]\n`,
    `deep: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
    `long: ${'x'.repeat(200_000)}\n`,
    'name: twice\nname: again\n',
    '\n\n\n',
    '<<: {a: 1}\n',
  ),
});

function applyTextMutations(text: string, mutations: readonly ArbValue<typeof textMutation>[]): string {
  let t = text;
  for (const m of mutations) {
    const i = Math.floor(m.where * t.length);
    const lines = t.split('\n');
    const li = Math.floor(m.where * lines.length);
    switch (m.op) {
      case 'truncate':
        t = t.slice(0, Math.max(i, Math.floor(t.length / 2)));
        break;
      case 'insert':
        t = t.slice(0, i) + m.text + t.slice(i);
        break;
      case 'delete-line':
        lines.splice(li, 1);
        t = lines.join('\n');
        break;
      case 'duplicate-line':
        lines.splice(li, 0, lines[li] ?? '');
        t = lines.join('\n');
        break;
      case 'append':
        t += m.appended;
        break;
    }
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Command lines

/** Limits that keep a fuzz run short; a case that finds a hang finds it within these. */
export const FUZZ_LIMITS = ['--max-events', '3000000', '--max-requests', '400000', '--max-in-flight', '200000'];

const runFlags = fc.array(
  fc.constantFrom<string[]>(
    ['--json'],
    ['--log', '{dir}/out.jsonl'],
    ['--csv', '{dir}/out.csv'],
    ['--seed', '7'],
    ['--log-requests', '1-in-10'],
    ['--log-requests', 'none'],
    ['--max-time', '10m'],
  ),
  { maxLength: 3 },
);

const scenarioCommand = fc.oneof(
  { weight: 12, arbitrary: runFlags.map((f) => ['run', '{dir}/s.yaml', ...f.flat(), ...FUZZ_LIMITS]) },
  { weight: 2, arbitrary: fc.constant(['validate', '{dir}/s.yaml']) },
  { weight: 2, arbitrary: fc.constant(['tui', '{dir}/s.yaml', ...FUZZ_LIMITS]) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        'stable-window=30s,60s',
        'containerConcurrency=0,10',
        'podStartup=1s,3s',
        'target=10,x',
        'networking=kourier,istio',
        'autoscaling.knative.dev/max-scale=1,3',
        'bogus=1',
      )
      .map((set) => ['sweep', '{dir}/s.yaml', '--set', set, '--jobs', '1', ...FUZZ_LIMITS]),
  },
);

// ---------------------------------------------------------------------------------------------
// Cases

/** Two in five scenarios wild, the others tame with at most one mutation (most of those run). */
const scenarioCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.oneof(
      { weight: 2, arbitrary: fc.tuple(WILD.scenarioValue, fc.array(valueMutation, { maxLength: 3 })) },
      { weight: 3, arbitrary: fc.tuple(TAME.scenarioValue, fc.array(valueMutation, { maxLength: 1 })) },
    ),
    fc.array(textMutation, { maxLength: 2 }),
    fc.nat({ max: 9 }),
    scenarioCommand,
  )
  .map(([[s, vm], tm, textChance, argv]) => {
    const value = applyMutations(scenarioOf(s), vm);
    let text = toYaml(value);
    if (textChance === 0) text = applyTextMutations(text, tm);
    return { kind: 'scenario', files: { 's.yaml': text }, argv };
  });

/** The Knative Service the small scenarios apply. */
const DEMO_SERVICE = stringify({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'demo' },
  spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo' }] } } },
});

/** A valid small scenario around one part under test (manifests, ConfigMaps or load). */
function around(part: 'manifest' | 'configmap' | 'load'): fc.Arbitrary<FuzzCase> {
  const base = {
    name: 'fuzz',
    files: {
      'svc.yaml': DEMO_SERVICE,
    },
    steps: [{ apply: 'svc.yaml' }, { wait: { until: 'ksvc demo Ready', timeout: '2m' } }, { sleep: '90s' }],
    load: [{ at: '0s', for: '60s', poisson: { rps: 5 } }],
  };
  const g = (wild: boolean) => (wild ? WILD : TAME);
  const varied =
    part === 'manifest'
      ? fc
          .tuple(fc.boolean(), fc.array(valueMutation, { maxLength: 2 }))
          .chain(([wild, vm]) =>
            fc.tuple(
              fc.array(g(wild).serviceManifest, { minLength: 1, maxLength: 3 }),
              fc.constant(wild ? vm : vm.slice(0, 1)),
            ),
          )
          .map(([ms, vm]) => ({
            ...base,
            files: { 'svc.yaml': ms.map((m) => toYaml(applyMutations(m, vm))).join('---\n') },
            steps: [...base.steps, { apply: 'svc.yaml' }, { kubectl: 'get ksvc,rev,kpa' }, { sleep: '30s' }],
          }))
      : part === 'configmap'
        ? fc
            .boolean()
            .chain((wild) => g(wild).configMaps)
            .map((config) => ({ ...base, config }))
        : fc
            .boolean()
            .chain((wild) => fc.array(g(wild).loadPhase, { minLength: 1, maxLength: 3 }))
            .map((load) => ({ ...base, load }));
  return fc.tuple(varied, runFlags).map(([value, flags]) => ({
    kind: part,
    files: { 's.yaml': toYaml(value) },
    argv: ['run', '{dir}/s.yaml', ...flags.flat(), ...FUZZ_LIMITS],
  }));
}

const TRACE_2019_HEADER = [
  'HashOwner,HashApp,HashFunction,Trigger',
  ...Array.from({ length: 1440 }, (_, i) => i + 1),
].join(',');
const traceCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    format: fc.constantFrom('azure2019', 'azure2021'),
    counts: fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constantFrom(-1, 1e9, 4294967296, 'x', '', '1.5')), {
      minLength: 1,
      maxLength: 8,
    }),
    rows: fc.integer({ min: 0, max: 3 }),
    columns: fc.constantFrom(1444, 1444, 1444, 12, 1500),
    rateScale: fc.oneof(fc.constant(undefined), fc.double({ min: 0, max: 20000, noNaN: true })),
    fromMinute: fc.oneof(fc.constant(undefined), fc.integer({ min: -1, max: 1500 })),
    minutes: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 1500 })),
    spread: fc.constantFrom('uniform', 'poisson', 'equidistant', 'x'),
    timeScale: fc.oneof(fc.constant(undefined), fc.double({ min: 0, max: 5, noNaN: true })),
    file: fc.constantFrom('trace.csv', 'trace.csv', 'trace.csv', '/dev/zero', 'missing.csv', '.', 'long.csv'),
    text: fc.array(textMutation, { maxLength: 2 }),
    mutate: fc.boolean(),
    t21: fc.array(
      fc.tuple(fc.double({ min: -10, max: 1000, noNaN: true }), fc.double({ min: -1, max: 30, noNaN: true })),
      { maxLength: 30 },
    ),
  })
  .map((t) => {
    let trace: string;
    if (t.format === 'azure2019') {
      const row = (f: number) =>
        [
          'o',
          'a',
          `f${f}`,
          'http',
          ...Array.from({ length: t.columns - 4 }, (_, m) => String(t.counts[m % t.counts.length])),
        ].join(',');
      trace = [TRACE_2019_HEADER, ...Array.from({ length: t.rows }, (_, f) => row(f))].join('\n');
    } else {
      trace = ['app,func,end_timestamp,duration', ...t.t21.map(([end, d], i) => `a,f${i % 2},${end},${d}`)].join('\n');
    }
    if (t.mutate) trace = applyTextMutations(trace, t.text);
    const spec =
      t.format === 'azure2019'
        ? {
            format: 'azure2019',
            invocations: t.file,
            function: 0,
            spread: t.spread,
            ...(t.rateScale !== undefined ? { rateScale: t.rateScale } : {}),
            ...(t.fromMinute !== undefined ? { fromMinute: t.fromMinute } : {}),
            ...(t.minutes !== undefined ? { minutes: t.minutes } : {}),
          }
        : { format: 'azure2021', file: t.file, ...(t.timeScale !== undefined ? { timeScale: t.timeScale } : {}) };
    const scenario = {
      name: 'trace',
      files: {
        'svc.yaml': DEMO_SERVICE,
      },
      steps: [{ apply: 'svc.yaml' }, { sleep: '20m' }],
      load: [{ at: '0s', for: '15m', trace: spec }],
    };
    return {
      kind: 'trace' as const,
      files: {
        's.yaml': stringify(scenario),
        'trace.csv': trace,
        'long.csv': `${TRACE_2019_HEADER}\n${'7,'.repeat(600_000)}\n`,
      },
      argv: ['run', '{dir}/s.yaml', ...FUZZ_LIMITS],
    };
  });

const LOG_COMMANDS: readonly (readonly string[])[] = [
  ['explain', '{dir}/run.jsonl'],
  ['explain', '{dir}/run.jsonl', '--at', '64s'],
  ['explain', '{dir}/run.jsonl', '-r', 'demo-00001'],
  ['explain', '{dir}/run.jsonl', '--at', 'x'],
  ['tui', '{dir}/run.jsonl'],
  ['compare', '{dir}/run.jsonl', '{dir}/run.jsonl'],
  ['compare', '{dir}/run.jsonl', '{dir}/run.jsonl', '--json'],
  ['verify', '{dir}/run.jsonl'],
  ['report', '{dir}/run.jsonl', '-o', '{dir}/r.html'],
  ['predict', '{dir}/run.jsonl', '--scenario', '{dir}/s.yaml', ...FUZZ_LIMITS],
];

const jsonMutation = fc.record({
  line: fc.nat(),
  op: fc.constantFrom(
    'value',
    'value',
    'delete-field',
    'drop-line',
    'duplicate-line',
    'swap',
    'garbage',
    'truncate',
    'header-first',
    'deep',
    'huge',
  ),
  mutation: valueMutation,
  garbage: fc.constantFrom(
    '',
    '{',
    'null',
    '[]',
    '"x"',
    '{"type":"header"}',
    '{"type":"end"}',
    '{"t":-1,"type":"kpa.tick"}',
    '\0\0',
    '{"t":1e400,"type":"sample"}',
  ),
});

function logCase(corpus: Corpus): fc.Arbitrary<FuzzCase> {
  return fc
    .tuple(
      fc.nat(),
      fc.array(jsonMutation, { minLength: 1, maxLength: 3 }),
      fc.constantFrom(...LOG_COMMANDS),
      fc.nat({ max: 3 }),
    )
    .map(([which, ms, argv, keepEnd]) => {
      const lines = (corpus.logs[which % corpus.logs.length] ?? '').split('\n').filter((l) => l !== '');
      for (const m of ms) {
        const i = lines.length === 0 ? 0 : m.line % lines.length;
        switch (m.op) {
          case 'value':
          case 'delete-field': {
            let v: unknown;
            try {
              v = JSON.parse(lines[i] ?? 'null');
            } catch {
              break;
            }
            const mutated =
              m.op === 'value' ? applyMutations(v, [m.mutation]) : applyMutations(v, [{ ...m.mutation, op: 'delete' }]);
            lines[i] = JSON.stringify(mutated) ?? 'null';
            break;
          }
          case 'drop-line':
            lines.splice(i, 1);
            break;
          case 'duplicate-line':
            lines.splice(i, 0, lines[i] ?? '');
            break;
          case 'swap': {
            const j = (i * 7 + 3) % Math.max(1, lines.length);
            [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
            break;
          }
          case 'garbage':
            lines.splice(i, 0, m.garbage);
            break;
          case 'truncate':
            lines[i] = (lines[i] ?? '').slice(0, Math.floor((lines[i] ?? '').length / 2));
            break;
          case 'header-first':
            lines.splice(0, 1);
            break;
          case 'deep':
            lines.splice(i, 0, `{"t":1,"type":"sample","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
            break;
          case 'huge':
            lines.splice(i, 0, `{"t":1,"type":"note","text":"${'x'.repeat(5_000_000)}"}`);
            break;
        }
      }
      const text = lines.join('\n') + (keepEnd === 0 ? '' : '\n');
      return {
        kind: 'log' as const,
        files: { 'run.jsonl': text, 's.yaml': SMALL_SCENARIO },
        argv,
      };
    });
}

/** The scenario behind the corpus logs (small: it runs in a fraction of a second). */
export const SMALL_SCENARIO = stringify({
  name: 'small',
  files: {
    'svc.yaml': stringify({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'demo' },
      spec: {
        template: {
          metadata: { annotations: { 'autoscaling.knative.dev/target': '5' } },
          spec: { containers: [{ image: 'docker.io/knsim/demo' }] },
        },
      },
    }),
  },
  steps: [
    { apply: 'svc.yaml' },
    { wait: { until: 'ksvc demo Ready', timeout: '2m' } },
    { curl: 'http://demo.default.example.com' },
    { sleep: '3m' },
  ],
  load: [{ at: '30s', for: '40s', poisson: { rps: 30 } }],
  expect: ['pods == 0'],
});

/** Per command: the options it takes, with values to try (commander parses them). */
const FLAGS: Record<string, readonly (readonly string[])[]> = {
  run: [
    ['--seed', '1'],
    ['--seed', '-1'],
    ['--seed', 'abc'],
    ['--log', '{dir}/o.jsonl'],
    ['--log', '{dir}'],
    ['--log', '/nonexistent/x.jsonl'],
    ['--log-requests', 'all'],
    ['--log-requests', '1-in-0'],
    ['--log-requests', 'x'],
    ['--json'],
    ['--csv', '{dir}/c.csv'],
    ['--csv', '/dev/full'],
    ['--max-time', '1s'],
    ['--max-time', 'x'],
    ['--max-time', '-1s'],
    ['--max-events', '0'],
    ['--max-events', '1e3'],
    ['--max-requests', '1.5'],
    ['--max-in-flight', '1'],
  ],
  validate: [['-q'], ['--quiet']],
  explain: [
    ['--at', '64s'],
    ['--at', '-1'],
    ['--at', '1e9h'],
    ['--at', ''],
    ['-r', 'demo-00001'],
    ['-r', ''],
  ],
  tui: [['--seed', '2'], ['--speed', '5x'], ['--speed', '7x'], ['--paused'], ['--max-time', '5m']],
  sweep: [
    ['--set', 'stable-window=30s,60s'],
    ['--set', 'x'],
    ['--set', 'target=1,2,3'],
    ['--jobs', '0'],
    ['--jobs', '1'],
    ['--jobs', '999'],
    ['--seed', '3'],
    ['--json'],
  ],
  compare: [['--json']],
  predict: [
    ['--scenario', '{dir}/s.yaml'],
    ['--scenario', '{dir}/missing.yaml'],
    ['--arrivals'],
    ['-o', '{dir}/p.jsonl'],
    ['--json'],
  ],
  report: [
    ['-o', '{dir}/r.html'],
    ['-o', '{dir}'],
    ['-o', '/nonexistent/r.html'],
  ],
  verify: [['--bogus-flag']],
  serve: [
    ['--port', '0'],
    ['--port', '99999'],
    ['--port', 'x'],
    ['--ingress-port', '0'],
    ['--speed', '100'],
    ['--speed', '1e9'],
    ['--speed', '0'],
    ['--seed', '4'],
    ['--scenario', '{dir}/s.yaml'],
    ['--scenario', '{dir}/bad.yaml'],
    ['--insecure-http'],
    ['--log', '{dir}/serve.jsonl'],
    ['--log', '/nonexistent/s.jsonl'],
    ['--kubeconfig-out', '{dir}/kc'],
    ['--metrics-names', 'otel'],
    ['--metrics-names', 'x'],
  ],
};
const POSITIONALS: Record<string, readonly string[]> = {
  run: ['{dir}/s.yaml', '{dir}/bad.yaml', '{dir}/missing.yaml', '{dir}', '/dev/zero', '{dir}/run.jsonl'],
  validate: ['{dir}/s.yaml', '{dir}/bad.yaml', '{dir}'],
  explain: ['{dir}/run.jsonl', '{dir}/s.yaml', '/dev/zero', '{dir}/missing.jsonl'],
  tui: ['{dir}/run.jsonl', '{dir}/s.yaml', '{dir}/bad.yaml', '/dev/zero'],
  sweep: ['{dir}/s.yaml', '{dir}/bad.yaml'],
  compare: ['{dir}/run.jsonl', '{dir}/s.yaml', '/dev/zero'],
  predict: ['{dir}/run.jsonl', '{dir}/s.yaml'],
  report: ['{dir}/run.jsonl', '{dir}/s.yaml'],
  verify: ['{dir}/run.jsonl', '{dir}/s.yaml', '/dev/zero'],
  serve: ['extra'],
};

function flagsCase(corpus: Corpus): fc.Arbitrary<FuzzCase> {
  return fc
    .constantFrom(...Object.keys(FLAGS))
    .chain((command) =>
      fc.tuple(
        fc.constant(command),
        fc.array(fc.constantFrom(...(POSITIONALS[command] ?? ['x'])), { maxLength: 3 }),
        fc.array(fc.constantFrom(...(FLAGS[command] ?? [[]]), ['--bogus'], ['-x'], ['--'], ['--help']), {
          maxLength: 4,
        }),
      ),
    )
    .map(([command, positionals, flags]) => {
      const argv = [command, ...positionals, ...flags.flat()];
      const limits = ['run', 'tui', 'sweep', 'predict'].includes(command) ? FUZZ_LIMITS : [];
      return {
        kind: 'flags' as const,
        files: { 's.yaml': SMALL_SCENARIO, 'bad.yaml': 'name: [\n', 'run.jsonl': corpus.logs[0] ?? '' },
        argv: [...argv, ...limits],
        ...(command === 'serve' ? { child: 'serve' as const } : {}),
      };
    });
}

/** Text that is not a scenario at all, as the first argument of a command that reads YAML. */
const yamlTextCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom(SMALL_SCENARIO, 'name: x\n', '')),
    fc.array(textMutation, { minLength: 1, maxLength: 4 }),
    fc.constantFrom('run', 'validate', 'tui'),
  )
  .map(([text, tm, command]) => ({
    kind: 'yaml-text' as const,
    files: { 's.yaml': applyTextMutations(text, tm) },
    argv: [command, '{dir}/s.yaml', ...(command === 'validate' ? [] : FUZZ_LIMITS)],
  }));

/** A shipped scenario with a value or two changed: most of these run, deep in the simulator. */
function shippedCase(corpus: Corpus): fc.Arbitrary<FuzzCase> {
  return fc
    .tuple(fc.nat(), fc.array(valueMutation, { maxLength: 2 }), runFlags, fc.constantFrom('run', 'run', 'run', 'tui'))
    .map(([which, vm, flags, command]) => {
      const text = corpus.scenarios[which % Math.max(1, corpus.scenarios.length)] ?? SMALL_SCENARIO;
      let value: unknown;
      try {
        value = applyMutations(parse(text), vm);
      } catch {
        value = text;
      }
      return {
        kind: 'scenario' as const,
        files: { 's.yaml': typeof value === 'string' ? value : toYaml(value) },
        argv: [command, '{dir}/s.yaml', ...(command === 'run' ? flags.flat() : []), ...FUZZ_LIMITS],
      };
    });
}

/** Any case, weighted towards scenarios (the richest input). */
export function fuzzCase(corpus: Corpus): fc.Arbitrary<FuzzCase> {
  return fc.oneof(
    { weight: 6, arbitrary: scenarioCase },
    { weight: 5, arbitrary: shippedCase(corpus) },
    { weight: 3, arbitrary: around('manifest') },
    { weight: 2, arbitrary: around('configmap') },
    { weight: 3, arbitrary: around('load') },
    { weight: 2, arbitrary: traceCase },
    { weight: 3, arbitrary: logCase(corpus) },
    { weight: 3, arbitrary: flagsCase(corpus) },
    { weight: 2, arbitrary: yamlTextCase },
  );
}

/** Case `index` of a run seeded with `seed`: the same pair gives the same case. */
export function caseAt(corpus: Corpus, seed: number, index: number): FuzzCase {
  const [c] = fc.sample(fuzzCase(corpus), { seed: (seed * 1_000_003 + index) | 0, numRuns: 1 });
  if (!c) throw new Error('fast-check gave no case');
  return c;
}
