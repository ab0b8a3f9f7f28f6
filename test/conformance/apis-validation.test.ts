/**
 * Knative Serving's own validation tests (pkg/apis/serving/v1/*_validation_test.go), their data
 * transcribed and run against knsim's validating webhook (src/model/rules/validation.ts, and
 * src/model/admission.ts where the autoscaling annotations of a template take part). Each case
 * gives the object as Knative's test builds it and the error text Knative's FieldError prints
 * ('' when the object is valid); knsim must print the same text. A RevisionSpec or template case
 * is run inside a Configuration named "parent" (Knative's WithinParent), so its paths gain the
 * prefix `spec.template.` / `spec.template.spec.` the webhook shows for a Configuration.
 * Cases outside what knsim models are listed in docs/conformance.md.
 */
import { describe, expect, it } from 'vitest';
import { admit } from '../../src/model/admission.js';
import type {
  Configuration,
  ObjectMeta,
  RevisionSpec,
  RevisionTemplateSpec,
  Route,
  Service,
  TrafficTarget,
} from '../../src/model/api/types.js';
import { parseAutoscalerConfig } from '../../src/model/kpa/config.js';
import { defaultConfiguration, defaultService, parseDefaultsConfig } from '../../src/model/rules/defaults.js';
import { type FieldError, formatFieldErrors } from '../../src/model/rules/fielderror.js';
import { validateConfiguration, validateRoute, validateService } from '../../src/model/rules/validation.js';

const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, " +
  "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is " +
  "'[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
  "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is " +
  "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

function configuration(metadata: Partial<ObjectMeta>, template: RevisionTemplateSpec): Configuration {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { namespace: 'default', ...metadata } as ObjectMeta,
    spec: { template },
  };
}

function routeOf(metadata: Partial<ObjectMeta>, traffic: TrafficTarget[]): Route {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: { namespace: 'default', ...metadata } as ObjectMeta,
    spec: { traffic },
  } as Route;
}

function serviceOf(metadata: Partial<ObjectMeta>, spec: RevisionSpec, traffic?: TrafficTarget[]): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { namespace: 'default', ...metadata } as ObjectMeta,
    spec: { template: { spec }, ...(traffic ? { traffic } : {}) },
  };
}

const text = (errors: readonly FieldError[]) => formatFieldErrors(errors);

// ---- route_validation_test.go ----

interface RouteCase {
  readonly name: string;
  readonly route: Route;
  readonly want: string;
}

const ROUTE_CASES: readonly RouteCase[] = [
  {
    name: 'valid',
    route: routeOf({ name: 'valid' }, [{ tag: 'bar', revisionName: 'foo', percent: 100 }]),
    want: '',
  },
  {
    name: 'valid split',
    route: routeOf({ name: 'valid' }, [
      { tag: 'prod', revisionName: 'foo', percent: 90 },
      { tag: 'experiment', configurationName: 'bar', percent: 10 },
    ]),
    want: '',
  },
  {
    name: 'valid split without tags',
    route: routeOf({ name: 'valid' }, [
      { revisionName: 'foo', percent: 90 },
      { revisionName: 'bar', percent: 10 },
    ]),
    want: '',
  },
  {
    name: 'invalid traffic entry (missing oneof)',
    route: routeOf({ name: 'valid' }, [{ tag: 'foo', percent: 100 }]),
    want: 'expected exactly one, got neither: spec.traffic[0].configurationName, spec.traffic[0].revisionName',
  },
  {
    name: 'invalid traffic entry (multiple names)',
    route: routeOf({ name: 'valid' }, [
      { tag: 'foo', revisionName: 'bar', percent: 50 },
      { tag: 'foo', revisionName: 'bar', percent: 50 },
    ]),
    want: 'Multiple definitions for "foo": spec.traffic[0].tag, spec.traffic[1].tag',
  },
  {
    name: 'invalid name - dots',
    route: routeOf({ name: 'do.not.use.dots' }, [{ revisionName: 'foo', percent: 100 }]),
    want: `not a DNS 1035 label: [${DNS1035}]: metadata.name`,
  },
  {
    name: 'invalid name - dots and spec percent is not 100',
    route: routeOf({ name: 'do.not.use.dots' }, [{ revisionName: 'foo', percent: 90 }]),
    want: `Traffic targets sum to 90, want 100: spec.traffic\nnot a DNS 1035 label: [${DNS1035}]: metadata.name`,
  },
  {
    name: 'invalid name - too long',
    route: routeOf({ name: 'a'.repeat(64) }, [{ revisionName: 'foo', percent: 100 }]),
    want: 'not a DNS 1035 label: [must be no more than 63 characters]: metadata.name',
  },
];

/** TestRouteLabelValidation: the Service label needs a matching owner reference. */
const VALID_ROUTE_TRAFFIC: TrafficTarget[] = [{ tag: 'bar', revisionName: 'foo', percent: 100 }];
const owner = (kind: string, name: string) => ({ apiVersion: 'serving.knative.dev/v1alpha1', kind, name, uid: '' });
const SERVICE_LABEL = 'serving.knative.dev/service';

const ROUTE_LABEL_CASES: readonly RouteCase[] = [
  {
    name: 'valid knative service name',
    route: routeOf(
      { name: 'byo-name', labels: { [SERVICE_LABEL]: 'test-svc' }, ownerReferences: [owner('Service', 'test-svc')] },
      VALID_ROUTE_TRAFFIC,
    ),
    want: '',
  },
  {
    name: 'invalid knative service name',
    route: routeOf({ name: 'byo-name', labels: { [SERVICE_LABEL]: 'absent-svc' } }, VALID_ROUTE_TRAFFIC),
    want: `missing field(s): metadata.labels.${SERVICE_LABEL}`,
  },
  {
    name: 'Mismatch knative service label and owner ref',
    route: routeOf(
      {
        name: 'byo-name',
        labels: { [SERVICE_LABEL]: 'test-svc' },
        ownerReferences: [owner('BrandNewService', 'brand-new-svc')],
      },
      VALID_ROUTE_TRAFFIC,
    ),
    want: `missing field(s): metadata.labels.${SERVICE_LABEL}`,
  },
  {
    name: 'invalid knative service name without correct owner ref',
    route: routeOf(
      { name: 'byo-name', labels: { [SERVICE_LABEL]: 'test-svc' }, ownerReferences: [owner('Service', 'absent-svc')] },
      VALID_ROUTE_TRAFFIC,
    ),
    want: `missing field(s): metadata.labels.${SERVICE_LABEL}`,
  },
  {
    name: 'invalid knative service name with multiple owner ref',
    route: routeOf(
      {
        name: 'byo-name',
        labels: { [SERVICE_LABEL]: 'test-svc' },
        ownerReferences: [owner('NewService', 'test-new-svc'), owner('Service', 'test-svc')],
      },
      VALID_ROUTE_TRAFFIC,
    ),
    want: '',
  },
];

describe('route_validation_test.go', () => {
  for (const c of ROUTE_CASES) {
    it(`TestRouteValidation ${c.name}`, () => expect(text(validateRoute(c.route))).toBe(c.want));
  }
  for (const c of ROUTE_LABEL_CASES) {
    it(`TestRouteLabelValidation ${c.name}`, () => expect(text(validateRoute(c.route))).toBe(c.want));
  }
});

/**
 * TestTrafficTargetValidation, the cases in a spec: one target alone, so only the errors under
 * it are compared (the list's sum is another rule). In a Route a target has no default
 * configuration; in a Service it has (Knative's WithDefaultConfigurationName).
 */
interface TargetCase {
  readonly name: string;
  readonly target: TrafficTarget;
  readonly within: 'Route' | 'Service';
  readonly want: string;
}

const TARGET_CASES: readonly TargetCase[] = [
  { name: 'valid with revisionName', target: { revisionName: 'bar', percent: 12 }, within: 'Route', want: '' },
  {
    name: 'valid with revisionName and name (spec)',
    target: { tag: 'foo', revisionName: 'bar', percent: 12 },
    within: 'Route',
    want: '',
  },
  {
    name: 'invalid with bad revisionName',
    target: { revisionName: 'b ar', percent: 12 },
    within: 'Route',
    want: `invalid key name "b ar": revisionName\n${QUALIFIED}`,
  },
  {
    name: 'valid with revisionName and latestRevision',
    target: { revisionName: 'bar', latestRevision: false, percent: 12 },
    within: 'Route',
    want: '',
  },
  {
    name: 'invalid with revisionName and latestRevision (spec)',
    target: { revisionName: 'bar', latestRevision: true, percent: 12 },
    within: 'Route',
    want: 'may not set revisionName "bar" when latestRevision is true: latestRevision',
  },
  {
    name: 'valid with configurationName',
    target: { configurationName: 'bar', percent: 37 },
    within: 'Route',
    want: '',
  },
  {
    name: 'valid with configurationName and name (spec)',
    target: { tag: 'foo', configurationName: 'bar', percent: 37 },
    within: 'Route',
    want: '',
  },
  {
    name: 'invalid with bad configurationName',
    target: { configurationName: 'b ar', percent: 37 },
    within: 'Route',
    want: `invalid key name "b ar": configurationName\n${QUALIFIED}`,
  },
  {
    name: 'valid with configurationName and latestRevision',
    target: { configurationName: 'blah', latestRevision: true, percent: 37 },
    within: 'Route',
    want: '',
  },
  {
    name: 'invalid with configurationName and latestRevision',
    target: { configurationName: 'blah', latestRevision: false, percent: 37 },
    within: 'Route',
    want: 'may not set revisionName "" when latestRevision is false: latestRevision',
  },
  {
    name: 'invalid with configurationName and default configurationName',
    target: { configurationName: 'blah', percent: 37 },
    within: 'Service',
    want: 'must not set the field(s): configurationName',
  },
  { name: 'valid with only default configurationName', target: { percent: 37 }, within: 'Service', want: '' },
  {
    name: 'valid with default configurationName and latestRevision',
    target: { latestRevision: true, percent: 37 },
    within: 'Service',
    want: '',
  },
  {
    name: 'invalid with default configurationName and latestRevision',
    target: { latestRevision: false, percent: 37 },
    within: 'Service',
    want: 'may not set revisionName "" when latestRevision is false: latestRevision',
  },
  {
    name: 'valid with revisionName and default configurationName',
    target: { revisionName: 'bar', percent: 12 },
    within: 'Service',
    want: '',
  },
  { name: 'valid with no percent', target: { configurationName: 'booga' }, within: 'Route', want: '' },
  { name: 'valid with zero percent', target: { configurationName: 'booga', percent: 0 }, within: 'Route', want: '' },
  { name: 'valid with no name', target: { configurationName: 'booga', percent: 100 }, within: 'Route', want: '' },
  {
    name: 'invalid with both',
    target: { revisionName: 'foo', configurationName: 'bar' },
    within: 'Route',
    want: 'expected exactly one, got both: configurationName, revisionName',
  },
  {
    name: 'invalid with neither',
    target: { percent: 100 },
    within: 'Route',
    want: 'expected exactly one, got neither: configurationName, revisionName',
  },
  {
    name: 'invalid percent too low',
    target: { revisionName: 'foo', percent: -5 },
    within: 'Route',
    want: 'expected 0 <= -5 <= 100: percent',
  },
  {
    name: 'invalid percent too high',
    target: { revisionName: 'foo', percent: 101 },
    within: 'Route',
    want: 'expected 0 <= 101 <= 100: percent',
  },
  {
    name: 'disallowed url set',
    target: { configurationName: 'foo', percent: 100, url: 'http://should.not.be.set' },
    within: 'Route',
    want: 'must not set the field(s): url',
  },
];

/** The errors under `spec.traffic[0].`, with that prefix taken off. */
function targetErrors(c: TargetCase): string {
  const errors =
    c.within === 'Route'
      ? validateRoute(routeOf({ name: 'r' }, [c.target]))
      : validateService(serviceOf({ name: 's' }, { containers: [{ image: 'busybox' }] }, [c.target]));
  const prefix = 'spec.traffic[0].';
  return text(
    errors.filter((e) => e.path.startsWith(prefix)).map((e) => ({ ...e, path: e.path.slice(prefix.length) })),
  );
}

describe('route_validation_test.go TestTrafficTargetValidation', () => {
  for (const c of TARGET_CASES) {
    it(c.name, () => expect(targetErrors(c)).toBe(c.want));
  }
});

// ---- service_validation_test.go ----

const BUSYBOX: RevisionSpec = { containers: [{ image: 'busybox' }] };
const RUN_LATEST: TrafficTarget[] = [{ latestRevision: true, percent: 100 }];

const SERVICE_CASES: readonly { name: string; service: Service; want: string }[] = [
  { name: 'valid run latest', service: serviceOf({ name: 'valid' }, BUSYBOX, RUN_LATEST), want: '' },
  {
    name: 'valid release',
    service: serviceOf({ name: 'valid' }, BUSYBOX, [
      { tag: 'current', latestRevision: false, revisionName: 'valid-00001', percent: 98 },
      { tag: 'candidate', latestRevision: false, revisionName: 'valid-00002', percent: 2 },
      { tag: 'latest', latestRevision: true },
    ]),
    want: '',
  },
  {
    name: 'invalid configurationName',
    service: serviceOf({ name: 'valid' }, BUSYBOX, [
      { configurationName: 'valid', latestRevision: true, percent: 100 },
    ]),
    want: 'must not set the field(s): spec.traffic[0].configurationName',
  },
  {
    name: 'invalid latestRevision',
    service: serviceOf({ name: 'valid' }, BUSYBOX, [{ revisionName: 'valid', latestRevision: true, percent: 100 }]),
    want: 'may not set revisionName "valid" when latestRevision is true: spec.traffic[0].latestRevision',
  },
  {
    name: 'invalid container concurrency',
    service: serviceOf({ name: 'valid' }, { ...BUSYBOX, containerConcurrency: -10 }, RUN_LATEST),
    want: 'expected 0 <= -10 <= 1000: spec.template.spec.containerConcurrency',
  },
];

describe('service_validation_test.go TestServiceValidation', () => {
  for (const c of SERVICE_CASES) {
    it(c.name, () => expect(text(validateService(defaultService(c.service)))).toBe(c.want));
  }
});

// ---- configuration_validation_test.go ----

const HELLO: RevisionSpec = { containers: [{ image: 'hellworld' }] };

const CONFIGURATION_CASES: readonly { name: string; config: Configuration; want: string }[] = [
  { name: 'valid', config: configuration({ name: 'valid' }, { spec: BUSYBOX }), want: '' },
  {
    name: 'invalid container concurrency',
    config: configuration({ name: 'valid' }, { spec: { ...BUSYBOX, containerConcurrency: -10 } }),
    want: 'expected 0 <= -10 <= 1000: spec.template.spec.containerConcurrency',
  },
  {
    name: 'valid BYO name',
    config: configuration({ name: 'byo-name' }, { metadata: { name: 'byo-name-foo' }, spec: HELLO }),
    want: '',
  },
  {
    name: 'invalid name',
    config: configuration({ name: '' }, { spec: HELLO }),
    want: 'name or generateName is required: metadata.name',
  },
  {
    name: 'valid BYO name (with generateName)',
    config: configuration({ generateName: 'byo-name-' }, { metadata: { name: 'byo-name-foo' }, spec: HELLO }),
    want: 'must not set the field(s): spec.template.metadata.name',
  },
  {
    name: 'invalid BYO name (not prefixed)',
    config: configuration({ name: 'byo-name' }, { metadata: { name: 'foo' }, spec: HELLO }),
    want: 'invalid value: "foo" must have prefix "byo-name-": spec.template.metadata.name',
  },
  {
    name: 'invalid name for configuration spec',
    config: configuration({ name: 'byo-name' }, { metadata: { name: 'foo.bar' }, spec: HELLO }),
    want: `invalid value: not a DNS 1035 label: [${DNS1035}]: spec.template.metadata.name`,
  },
  {
    name: 'invalid generate name for configuration spec',
    config: configuration({ name: 'byo-name' }, { metadata: { generateName: 'foo.bar' }, spec: HELLO }),
    want: `invalid value: not a DNS 1035 label prefix: [${DNS1035}]: spec.template.metadata.generateName`,
  },
  {
    name: 'valid generate name for configuration spec',
    config: configuration({ name: 'byo-name' }, { metadata: { generateName: 'valid-generatename' }, spec: HELLO }),
    want: '',
  },
];

const BYO_TEMPLATE: RevisionTemplateSpec = { metadata: { name: 'byo-name-foo' }, spec: HELLO };

const CONFIGURATION_LABEL_CASES: readonly { name: string; config: Configuration; want: string }[] = [
  {
    name: 'valid route name',
    config: configuration({ name: 'byo-name', labels: { 'serving.knative.dev/route': 'test-route' } }, BYO_TEMPLATE),
    want: '',
  },
  {
    name: 'valid knative service name',
    config: configuration(
      { name: 'byo-name', labels: { [SERVICE_LABEL]: 'test-svc' }, ownerReferences: [owner('Service', 'test-svc')] },
      BYO_TEMPLATE,
    ),
    want: '',
  },
  {
    name: 'invalid knative service name without matching owner references',
    config: configuration(
      { name: 'byo-name', labels: { [SERVICE_LABEL]: 'test-svc' }, ownerReferences: [owner('Service', 'absent-svc')] },
      BYO_TEMPLATE,
    ),
    want: `missing field(s): metadata.labels.${SERVICE_LABEL}`,
  },
  {
    name: 'invalid knative service name with multiple owner ref',
    config: configuration(
      {
        name: 'byo-name',
        labels: { [SERVICE_LABEL]: 'test-svc' },
        ownerReferences: [owner('NewSerice', 'test-new-svc'), owner('Service', 'test-svc')],
      },
      BYO_TEMPLATE,
    ),
    want: '',
  },
  {
    name: 'invalid knative service name',
    config: configuration({ name: 'byo-name', labels: { [SERVICE_LABEL]: 'absent-svc' } }, BYO_TEMPLATE),
    want: `missing field(s): metadata.labels.${SERVICE_LABEL}`,
  },
  {
    name: 'Mismatch knative service label and owner ref',
    config: configuration(
      {
        name: 'byo-name',
        labels: { [SERVICE_LABEL]: 'test-svc' },
        ownerReferences: [owner('BrandNewService', 'brand-new-svc')],
      },
      BYO_TEMPLATE,
    ),
    want: `missing field(s): metadata.labels.${SERVICE_LABEL}`,
  },
];

describe('configuration_validation_test.go', () => {
  for (const c of CONFIGURATION_CASES) {
    it(`TestConfigurationValidation ${c.name}`, () =>
      expect(text(validateConfiguration(defaultConfiguration(c.config)))).toBe(c.want));
  }
  for (const c of CONFIGURATION_LABEL_CASES) {
    it(`TestConfigurationLabelValidation ${c.name}`, () =>
      expect(text(validateConfiguration(defaultConfiguration(c.config)))).toBe(c.want));
  }
});

// ---- revision_validation_test.go (the revision spec and template, inside a Configuration "parent") ----

/** A template's errors as a Configuration named "parent" reports them, with `spec.template.` taken off. */
function templateErrors(
  template: RevisionTemplateSpec,
  options: { defaults?: Record<string, string>; autoscaler?: Record<string, string> } = {},
): string {
  const config = configuration({ name: 'parent' }, template);
  const defaults = parseDefaultsConfig(options.defaults ?? {});
  const result = admit(config, { autoscaler: parseAutoscalerConfig(options.autoscaler ?? {}), config: defaults });
  // A template without containers is refused by the CRD's schema before the webhook sees it
  // (knsim models both); Knative's test calls the webhook's rule directly.
  const errors = result.schemaErrors?.length
    ? validateConfiguration(defaultConfiguration(config, { config: defaults }), defaults)
    : result.errors;
  const prefix = 'spec.template.';
  return text(
    errors.map((e) => ({
      ...e,
      path: e.path
        .split(', ')
        .map((p) => p.slice(prefix.length))
        .join(', '),
    })),
  );
}

/** A revision spec's errors (paths relative to the spec). */
function specErrors(spec: RevisionSpec, defaults?: Record<string, string>): string {
  const errors = templateErrors({ spec }, defaults ? { defaults } : {});
  return errors.replaceAll(': spec.', ': ').replaceAll(', spec.', ', ');
}

const REVISION_SPEC_CASES: readonly {
  name: string;
  spec: RevisionSpec;
  defaults?: Record<string, string>;
  want: string;
}[] = [
  { name: 'valid', spec: { containers: [{ image: 'helloworld' }] }, want: '' },
  {
    name: 'with volume (ok)',
    spec: {
      containers: [
        { image: 'helloworld', volumeMounts: [{ mountPath: '/mount/path', name: 'the-name', readOnly: true }] },
      ],
      volumes: [{ name: 'the-name', secret: { secretName: 'foo' } }],
    },
    want: '',
  },
  {
    name: 'with multi containers (ok)',
    spec: { containers: [{ image: 'busybox', ports: [{ containerPort: 8881 }] }, { image: 'helloworld' }] },
    want: '',
  },
  { name: 'missing container', spec: { containers: [] }, want: 'missing field(s): containers' },
  {
    name: 'exceed max timeout',
    spec: { containers: [{ image: 'helloworld' }], timeoutSeconds: 6000 },
    want: 'expected 0 <= 6000 <= 600: timeoutSeconds',
  },
  {
    name: 'exceed custom max timeout',
    spec: { containers: [{ image: 'helloworld' }], timeoutSeconds: 100 },
    defaults: { 'revision-timeout-seconds': '25', 'max-revision-timeout-seconds': '50' },
    want: 'expected 0 <= 100 <= 50: timeoutSeconds',
  },
  {
    name: 'negative timeout',
    spec: { containers: [{ image: 'helloworld' }], timeoutSeconds: -30 },
    want: 'expected 0 <= -30 <= 600: timeoutSeconds',
  },
];

const CONTAINER_CONCURRENCY_CASES: readonly { name: string; cc: number; want: string }[] = [
  { name: 'single', cc: 1, want: '' },
  { name: 'unlimited', cc: 0, want: '' },
  { name: 'ten', cc: 10, want: '' },
  { name: 'invalid container concurrency (too small)', cc: -1, want: 'expected 0 <= -1 <= 1000: containerConcurrency' },
  {
    name: 'invalid container concurrency (too large)',
    cc: 1001,
    want: 'expected 0 <= 1001 <= 1000: containerConcurrency',
  },
];

const TEMPLATE_CASES: readonly {
  name: string;
  template: RevisionTemplateSpec;
  autoscaler?: Record<string, string>;
  want: string;
}[] = [
  { name: 'valid', template: { spec: { containers: [{ image: 'helloworld' }] } }, want: '' },
  { name: 'empty spec', template: { spec: {} }, want: 'missing field(s): spec.containers' },
  {
    name: 'has revision template name',
    template: { metadata: { name: 'parent-foo' }, spec: { containers: [{ image: 'helloworld' }] } },
    want: '',
  },
  {
    name: 'valid name for revision template',
    template: { metadata: { name: '' }, spec: { containers: [{ image: 'helloworld' }] } },
    want: '',
  },
  {
    name: 'invalid name for revision template',
    template: { metadata: { name: 'parent-@foo-bar' }, spec: { containers: [{ image: 'helloworld' }] } },
    want: `invalid value: not a DNS 1035 label: [${DNS1035}]: metadata.name`,
  },
  {
    name: 'invalid generate name for revision template',
    template: { metadata: { generateName: 'parent-@foo-bar' }, spec: { containers: [{ image: 'helloworld' }] } },
    want: `invalid value: not a DNS 1035 label prefix: [${DNS1035}]: metadata.generateName`,
  },
  {
    name: 'invalid metadata.annotations for scale',
    template: {
      metadata: {
        annotations: { 'autoscaling.knative.dev/min-scale': '5', 'autoscaling.knative.dev/max-scale': 'covid-19' },
      },
      spec: { containers: [{ image: 'helloworld' }] },
    },
    want: 'invalid value: covid-19: metadata.annotations.autoscaling.knative.dev/max-scale',
  },
  {
    name: "Invalid initial scale when cluster doesn't allow zero",
    autoscaler: { 'allow-zero-initial-scale': 'false', 'initial-scale': '1' },
    template: {
      metadata: { annotations: { 'autoscaling.knative.dev/initial-scale': '0' } },
      spec: { containers: [{ image: 'helloworld' }] },
    },
    // The stored revision_validation_test.go predates the wording; the current one is
    // metadata_validation_test.go's "cluster does not allow zero revision initial scale".
    want: 'invalid value: 0: metadata.annotations.autoscaling.knative.dev/initial-scale=0 not allowed by cluster',
  },
  {
    name: 'Valid initial scale when cluster allows zero',
    autoscaler: { 'allow-zero-initial-scale': 'true', 'initial-scale': '1' },
    template: {
      metadata: { annotations: { 'autoscaling.knative.dev/initial-scale': '0' } },
      spec: { containers: [{ image: 'helloworld' }] },
    },
    want: '',
  },
];

/** TestValidateRevisionName: the template's name or generateName under a parent. */
const REVISION_NAME_CASES: readonly {
  name: string;
  parent: Partial<ObjectMeta>;
  revision: { name?: string; generateName?: string };
  want: string;
}[] = [
  {
    name: 'invalid revision generateName - dots',
    parent: { name: 'parent' },
    revision: { generateName: 'foo.bar' },
    want: `invalid value: not a DNS 1035 label prefix: [${DNS1035}]: spec.template.metadata.generateName`,
  },
  {
    name: 'invalid revision name - dots',
    parent: { name: 'parent' },
    revision: { name: 'foo.bar' },
    want: `invalid value: not a DNS 1035 label: [${DNS1035}]: spec.template.metadata.name`,
  },
  {
    name: 'invalid name (not prefixed)',
    parent: { name: 'bar' },
    revision: { name: 'foo' },
    want: 'invalid value: "foo" must have prefix "bar-": spec.template.metadata.name',
  },
  {
    name: 'invalid name (with generateName)',
    parent: { generateName: 'foo-bar-' },
    revision: { name: 'foo-bar-foo' },
    want: 'must not set the field(s): spec.template.metadata.name',
  },
  { name: 'valid name', parent: { name: 'valid' }, revision: { name: 'valid-name' }, want: '' },
];

describe('revision_validation_test.go', () => {
  for (const c of REVISION_SPEC_CASES) {
    it(`TestRevisionSpecValidation ${c.name}`, () => expect(specErrors(c.spec, c.defaults)).toBe(c.want));
  }
  for (const c of CONTAINER_CONCURRENCY_CASES) {
    it(`TestContainerConcurrencyValidation ${c.name}`, () =>
      expect(specErrors({ containers: [{ image: 'busybox' }], containerConcurrency: c.cc })).toBe(c.want));
  }
  it('TestRevisionValidation invalid container concurrency', () =>
    expect(specErrors({ containers: [{ image: 'busybox' }], containerConcurrency: -10 })).toBe(
      'expected 0 <= -10 <= 1000: containerConcurrency',
    ));
  for (const c of TEMPLATE_CASES) {
    it(`TestRevisionTemplateSpecValidation ${c.name}`, () =>
      expect(templateErrors(c.template, c.autoscaler ? { autoscaler: c.autoscaler } : {})).toBe(c.want));
  }
  for (const c of REVISION_NAME_CASES) {
    it(`TestValidateRevisionName ${c.name}`, () => {
      const config = configuration(c.parent, { metadata: c.revision, spec: { containers: [{ image: 'busybox' }] } });
      expect(text(validateConfiguration(defaultConfiguration(config)))).toBe(c.want);
    });
  }
});

// ---- k8s_validation_test.go (containers and the pod spec) ----

/**
 * The errors of a pod spec as knsim's webhook reports them under a Configuration, paths made
 * relative to the pod spec. Knative's tests call its container rules directly, before
 * defaulting; so does this (validateConfiguration on the object as given).
 */
function podErrors(spec: RevisionSpec): string {
  const prefix = 'spec.template.spec.';
  const errors = validateConfiguration(configuration({ name: 'parent' }, { spec }));
  return text(
    errors.map((e) => ({
      ...e,
      path: e.path
        .split(', ')
        .map((p) => p.slice(prefix.length))
        .join(', '),
    })),
  );
}

/** One container's errors, paths relative to it (`containers[0].` taken off). */
function containerErrors(container: Record<string, unknown>): string {
  return podErrors({ containers: [container] }).replaceAll('containers[0].', '');
}

const reserved = (port: number) =>
  `invalid value: ${port} is a reserved port: ports.containerPort\n${port} is a reserved port, please use a different value`;
const ONE_PORT =
  'more than one container port is set: containers[*].ports\nOnly a single port is allowed across all containers';

/** TestContainerValidation and getCommonContainerValidationTestCases. */
const CONTAINER_CASES: readonly { name: string; c: Record<string, unknown>; want: string }[] = [
  { name: 'valid container', c: { image: 'foo' }, want: '' },
  {
    name: 'invalid container image',
    c: { image: 'foo:bar:baz' },
    want: 'Failed to parse image reference: image\nimage: "foo:bar:baz", error: could not parse reference: foo:bar:baz',
  },
  {
    name: 'has resources',
    c: { image: 'foo', resources: { limits: { memory: '250M' }, requests: { cpu: '25m' } } },
    want: '',
  },
  { name: 'has no container ports set', c: { image: 'foo', ports: [] }, want: '' },
  { name: 'has valid unnamed user port', c: { image: 'foo', ports: [{ containerPort: 8181 }] }, want: '' },
  { name: 'has valid user port http1', c: { image: 'foo', ports: [{ name: 'http1' }] }, want: '' },
  { name: 'has valid user port h2c', c: { image: 'foo', ports: [{ name: 'h2c' }] }, want: '' },
  { name: 'has an empty port set', c: { image: 'foo', ports: [{}] }, want: '' },
  { name: 'has tcp protocol', c: { image: 'foo', ports: [{ protocol: 'TCP' }] }, want: '' },
  {
    name: 'has invalid protocol',
    c: { image: 'foo', ports: [{ protocol: 'tdp' }] },
    want: 'invalid value: tdp: ports.protocol',
  },
  {
    name: 'has host port',
    c: { image: 'foo', ports: [{ hostPort: 80 }] },
    want: 'must not set the field(s): ports.hostPort',
  },
  {
    name: 'has host ip',
    c: { image: 'foo', ports: [{ hostIP: '127.0.0.1' }] },
    want: 'must not set the field(s): ports.hostIP',
  },
  {
    name: 'has invalid port name',
    c: { image: 'foo', ports: [{ name: 'foobar' }] },
    want: "Port name foobar is not allowed: ports\nName must be empty, or one of: 'h2c', 'http1'",
  },
  {
    name: 'has container port value too large',
    c: { image: 'foo', ports: [{ containerPort: 65536 }] },
    want: 'expected 0 <= 65536 <= 65535: ports.containerPort',
  },
  {
    name: 'port conflicts with profiling port',
    c: { image: 'foo', ports: [{ containerPort: 8008 }] },
    want: reserved(8008),
  },
  {
    name: 'port conflicts with queue proxy (8013)',
    c: { image: 'foo', ports: [{ containerPort: 8013 }] },
    want: reserved(8013),
  },
  {
    name: 'port conflicts with queue proxy (8012)',
    c: { image: 'foo', ports: [{ containerPort: 8012 }] },
    want: reserved(8012),
  },
  {
    name: 'port conflicts with queue proxy metrics',
    c: { image: 'foo', ports: [{ containerPort: 9090 }] },
    want: reserved(9090),
  },
  {
    name: 'port conflicts with user queue proxy metrics for user',
    c: { image: 'foo', ports: [{ containerPort: 9091 }] },
    want: reserved(9091),
  },
  {
    name: 'port conflicts with queue proxy admin',
    c: { image: 'foo', ports: [{ containerPort: 8022 }] },
    want: reserved(8022),
  },
  {
    name: 'valid with probes (no port)',
    c: {
      image: 'foo',
      readinessProbe: {
        periodSeconds: 1,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
        httpGet: { path: '/' },
      },
      livenessProbe: { tcpSocket: {} },
    },
    want: '',
  },
  {
    name: 'valid with exec probes',
    c: {
      image: 'foo',
      readinessProbe: {
        initialDelaySeconds: 0,
        periodSeconds: 1,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
        httpGet: { path: '/' },
      },
      livenessProbe: { exec: {} },
    },
    want: '',
  },
  {
    name: 'invalid with no handler',
    c: {
      image: 'foo',
      readinessProbe: {
        periodSeconds: 1,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
        httpGet: { path: '/' },
      },
      livenessProbe: {},
    },
    want: 'expected exactly one, got neither: livenessProbe.exec, livenessProbe.grpc, livenessProbe.httpGet, livenessProbe.tcpSocket',
  },
  {
    name: 'invalid with multiple handlers',
    c: {
      image: 'foo',
      readinessProbe: {
        periodSeconds: 1,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
        httpGet: { path: '/' },
        exec: {},
        tcpSocket: {},
      },
    },
    want: 'expected exactly one, got both: readinessProbe.exec, readinessProbe.httpGet, readinessProbe.tcpSocket',
  },
  {
    name: 'valid liveness http probe with a different container port',
    c: {
      image: 'foo',
      livenessProbe: {
        periodSeconds: 1,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
        httpGet: { path: '/', port: 5000 },
      },
    },
    want: '',
  },
  {
    name: 'valid liveness tcp probe with a different container port',
    c: {
      image: 'foo',
      livenessProbe: {
        periodSeconds: 1,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
        tcpSocket: { port: 5000 },
      },
    },
    want: '',
  },
  {
    name: 'valid readiness http probe with a different container port',
    c: {
      image: 'foo',
      readinessProbe: {
        periodSeconds: 1,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
        httpGet: { path: '/', port: 5000 },
      },
    },
    want: '',
  },
  {
    name: 'valid readiness tcp probe with a different container port',
    c: {
      image: 'foo',
      readinessProbe: {
        periodSeconds: 1,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
        tcpSocket: { port: 5000 },
      },
    },
    want: '',
  },
  {
    name: 'valid readiness http probe with port',
    c: { image: 'foo', readinessProbe: { successThreshold: 1, httpGet: { port: 'http' } } },
    want: '',
  },
  {
    name: 'invalid readiness probe (has failureThreshold while using special probe)',
    c: {
      image: 'foo',
      readinessProbe: { periodSeconds: 0, failureThreshold: 2, successThreshold: 1, httpGet: { path: '/' } },
    },
    want: 'failureThreshold is disallowed when periodSeconds is zero: readinessProbe.failureThreshold',
  },
  {
    name: 'invalid readiness probe (has timeoutSeconds while using special probe)',
    c: {
      image: 'foo',
      readinessProbe: { periodSeconds: 0, timeoutSeconds: 2, successThreshold: 1, httpGet: { path: '/' } },
    },
    want: 'timeoutSeconds is disallowed when periodSeconds is zero: readinessProbe.timeoutSeconds',
  },
  {
    name: 'out of bounds probe values',
    c: {
      image: 'foo',
      readinessProbe: {
        periodSeconds: -1,
        timeoutSeconds: 0,
        successThreshold: 0,
        failureThreshold: 0,
        initialDelaySeconds: -1,
        httpGet: {},
      },
    },
    want:
      'expected 0 <= -1 <= 2147483647: readinessProbe.initialDelaySeconds, readinessProbe.periodSeconds\n' +
      'expected 1 <= 0 <= 2147483647: readinessProbe.failureThreshold, readinessProbe.successThreshold, readinessProbe.timeoutSeconds',
  },
  {
    name: 'reserved env var name for serving container',
    c: { image: 'foo', env: [{ name: 'PORT', value: 'Foo' }], ports: [{ containerPort: 8888 }] },
    want: '"PORT" is a reserved environment variable: env[0].name',
  },
  {
    name: 'valid liveness tcp probe with correct port',
    c: { image: 'foo', ports: [{ containerPort: 8888 }], livenessProbe: { tcpSocket: { port: 8888 } } },
    want: '',
  },
  {
    name: 'valid grpc probe',
    c: {
      image: 'foo',
      readinessProbe: {
        periodSeconds: 1,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
        grpc: { port: 46 },
      },
    },
    want: '',
  },
  {
    name: 'valid grpc probe with service',
    c: {
      image: 'foo',
      readinessProbe: {
        periodSeconds: 1,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
        grpc: { port: 46, service: 'foo' },
      },
    },
    want: '',
  },
  {
    name: 'envFrom - None of',
    c: { image: 'foo', envFrom: [{}] },
    want: 'expected exactly one, got neither: envFrom.configMapRef, envFrom.secretRef',
  },
  {
    name: 'envFrom - Multiple',
    c: { image: 'foo', envFrom: [{ configMapRef: { name: 'ConfigMapName' }, secretRef: { name: 'SecretName' } }] },
    want: 'expected exactly one, got both: envFrom.configMapRef, envFrom.secretRef',
  },
  { name: 'envFrom - Secret', c: { image: 'foo', envFrom: [{ secretRef: { name: 'SecretName' } }] }, want: '' },
  {
    name: 'envFrom - ConfigMap',
    c: { image: 'foo', envFrom: [{ configMapRef: { name: 'ConfigMapName' } }] },
    want: '',
  },
  {
    name: 'termination message policy',
    c: { image: 'foo', terminationMessagePolicy: 'Not a Policy' },
    want: 'invalid value: Not a Policy: terminationMessagePolicy',
  },
  { name: 'empty env var name', c: { image: 'foo', env: [{ value: 'Foo' }] }, want: 'missing field(s): env[0].name' },
  {
    name: 'disallowed envvarsource',
    c: { image: 'foo', env: [{ name: 'Foo', valueFrom: { fieldRef: { fieldPath: '/v1' } } }] },
    want: 'must not set the field(s): env[0].valueFrom.fieldRef',
  },
];

/**
 * Two ports in one container: Knative's container test checks the ports of a container list
 * alone (path `ports`); in a pod spec the same rule reports `containers[*].ports`, as
 * TestPodSpecMultiContainerValidation shows.
 */
const CONTAINER_PORT_CASES: readonly { name: string; c: Record<string, unknown> }[] = [
  {
    name: 'has more than one ports with valid names',
    c: { image: 'foo', ports: [{ name: 'h2c' }, { name: 'http1' }] },
  },
  {
    name: 'has more than one unnamed port',
    c: { image: 'foo', ports: [{ containerPort: 8080 }, { containerPort: 8181 }] },
  },
];

const POD_CASES: readonly { name: string; ps: RevisionSpec; want: string }[] = [
  { name: 'TestPodSpecValidation valid', ps: { containers: [{ image: 'helloworld' }] }, want: '' },
  {
    name: 'TestPodSpecValidation with volume (ok)',
    ps: {
      containers: [
        { image: 'helloworld', volumeMounts: [{ mountPath: '/mount/path', name: 'the-name', readOnly: true }] },
      ],
      volumes: [{ name: 'the-name', secret: { secretName: 'foo' } }],
    },
    want: '',
  },
  {
    name: 'TestPodSpecValidation with automountServiceAccountToken (ok)',
    ps: { automountServiceAccountToken: false, containers: [{ image: 'helloworld' }] },
    want: '',
  },
  { name: 'TestPodSpecValidation missing all', ps: { containers: [] }, want: 'missing field(s): containers' },
  {
    name: 'TestPodSpecValidation missing container',
    ps: { serviceAccountName: 'bob', containers: [] },
    want: 'missing field(s): containers',
  },
  {
    name: 'TestPodSpecValidation container name collision',
    ps: {
      containers: [
        { name: 'the-name', image: 'busybox', ports: [{ containerPort: 8888 }] },
        { name: 'the-name', image: 'busybox' },
      ],
    },
    want: 'duplicate container name "the-name": containers[1].name',
  },
  {
    name: 'TestPodSpecMultiContainerValidation flag enabled: more than one container with one container port',
    ps: {
      containers: [
        { name: 'container-a', image: 'busybox', ports: [{ containerPort: 8888 }] },
        { name: 'container-b', image: 'helloworld' },
      ],
    },
    want: '',
  },
  {
    name: 'TestPodSpecMultiContainerValidation flag enabled: multiple containers with no port',
    ps: {
      containers: [
        { name: 'container-a', image: 'busybox' },
        { name: 'container-b', image: 'helloworld' },
      ],
    },
    want: 'missing field(s): containers[*].ports',
  },
  {
    name: 'TestPodSpecMultiContainerValidation flag enabled: multiple containers with multiple port',
    ps: {
      containers: [
        { name: 'container-a', image: 'busybox', ports: [{ containerPort: 8888 }] },
        { name: 'container-b', image: 'helloworld', ports: [{ containerPort: 9999 }] },
      ],
    },
    want: ONE_PORT,
  },
  {
    name: 'TestPodSpecMultiContainerValidation flag enabled: multiple containers with multiple ports for each container',
    ps: {
      containers: [
        { name: 'container-a', image: 'busybox', ports: [{ containerPort: 8888 }, { containerPort: 9999 }] },
        { name: 'container-b', image: 'helloworld', ports: [{ containerPort: 80 }] },
      ],
    },
    want: ONE_PORT,
  },
  {
    name: 'TestPodSpecMultiContainerValidation flag enabled: multiple containers with multiple port for a single container',
    ps: {
      containers: [
        { name: 'container-a', image: 'busybox', ports: [{ containerPort: 8888 }, { containerPort: 9999 }] },
        { name: 'container-b', image: 'helloworld' },
      ],
    },
    want: ONE_PORT,
  },
  {
    name: 'TestPodSpecMultiContainerValidation flag enabled: multiple containers with illegal env variable defined for side car',
    ps: {
      containers: [
        { name: 'container-a', image: 'busybox', ports: [{ containerPort: 8888 }] },
        {
          name: 'container-b',
          image: 'helloworld',
          env: [
            { name: 'PORT', value: 'Foo' },
            { name: 'K_SERVICE', value: 'Foo' },
          ],
        },
      ],
    },
    want: '"K_SERVICE" is a reserved environment variable: containers[1].env[1].name',
  },
  {
    name: 'TestPodSpecMultiContainerValidation flag enabled: multiple containers with PORT defined for side car',
    ps: {
      containers: [
        { name: 'container-a', image: 'busybox', ports: [{ containerPort: 8888 }] },
        { name: 'container-b', image: 'helloworld', env: [{ name: 'PORT', value: 'Foo' }] },
      ],
    },
    want: '',
  },
];

describe('k8s_validation_test.go', () => {
  for (const c of CONTAINER_CASES) {
    it(`TestContainerValidation ${c.name}`, () => expect(containerErrors(c.c)).toBe(c.want));
  }
  for (const c of CONTAINER_PORT_CASES) {
    it(`TestContainerValidation ${c.name}`, () => expect(podErrors({ containers: [c.c] })).toBe(ONE_PORT));
  }
  for (const c of POD_CASES) {
    it(c.name, () => expect(podErrors(c.ps)).toBe(c.want));
  }

  it('a readiness probe with failureThreshold and no periodSeconds is refused through the webhook too', () => {
    const config = configuration(
      { name: 'parent' },
      { spec: { containers: [{ image: 'foo', readinessProbe: { httpGet: { path: '/' }, failureThreshold: 3 } }] } },
    );
    const result = admit(config, { autoscaler: parseAutoscalerConfig({}) });
    expect(text(result.errors)).toBe(
      'failureThreshold is disallowed when periodSeconds is zero: spec.template.spec.containers[0].readinessProbe.failureThreshold',
    );
  });
});

// ---- metadata_validation_test.go ----

/** TestValidateObjectMetadata, the name cases: a Route's metadata (no autoscaling annotations). */
const OBJECT_META_CASES: readonly { name: string; meta: Partial<ObjectMeta>; want: string }[] = [
  {
    name: 'invalid name - dots',
    meta: { name: 'do.not.use.dots' },
    want: `not a DNS 1035 label: [${DNS1035}]: metadata.name`,
  },
  {
    name: 'invalid name - too long',
    meta: { name: 'a'.repeat(64) },
    want: 'not a DNS 1035 label: [must be no more than 63 characters]: metadata.name',
  },
  {
    name: 'invalid name - trailing dash',
    meta: { name: 'some-name-' },
    want: `not a DNS 1035 label: [${DNS1035}]: metadata.name`,
  },
  { name: 'valid generateName', meta: { generateName: 'some-name' }, want: '' },
  { name: 'valid generateName - trailing dash', meta: { generateName: 'some-name-' }, want: '' },
  {
    name: 'invalid generateName - dots',
    meta: { generateName: 'do.not.use.dots' },
    want: `not a DNS 1035 label prefix: [${DNS1035}]: metadata.generateName`,
  },
  {
    name: 'invalid generateName - too long',
    meta: { generateName: 'a'.repeat(64) },
    want: 'not a DNS 1035 label prefix: [must be no more than 63 characters]: metadata.generateName',
  },
  { name: 'missing name and generateName', meta: {}, want: 'name or generateName is required: metadata.name' },
  {
    name: 'valid creator annotation label',
    meta: { generateName: 'some-name', annotations: { 'serving.knative.dev/creator': 'svc-creator' } },
    want: '',
  },
  {
    name: 'valid lastModifier annotation label',
    meta: { generateName: 'some-name', annotations: { 'serving.knative.dev/lastModifier': 'svc-modifier' } },
    want: '',
  },
  {
    name: 'valid lastPinned annotation label',
    meta: { generateName: 'some-name', annotations: { 'serving.knative.dev/lastPinned': 'pinned-val' } },
    want: '',
  },
  {
    name: 'valid knative prefix annotation',
    meta: { generateName: 'some-name', annotations: { 'serving.knative.dev/testAnnotation': 'value' } },
    want: '',
  },
  {
    name: 'valid non-knative prefix annotation label',
    meta: { generateName: 'some-name', annotations: { testAnnotation: 'testValue' } },
    want: '',
  },
];

/** The initial-scale cases: annotations where they are allowed, a revision template's. */
const INITIAL_SCALE_CASES: readonly { name: string; value: string; allowZero: boolean; want: string }[] = [
  {
    name: 'revision initial scale not parseable',
    value: 'invalid',
    allowZero: true,
    want: 'invalid value: invalid: metadata.annotations.autoscaling.knative.dev/initial-scale',
  },
  {
    name: 'negative revision initial scale',
    value: '-2',
    allowZero: true,
    want: 'invalid value: -2: metadata.annotations.autoscaling.knative.dev/initial-scale must be greater than 0',
  },
  { name: 'cluster allows zero revision initial scale', value: '0', allowZero: true, want: '' },
  {
    name: 'cluster does not allow zero revision initial scale',
    value: '0',
    allowZero: false,
    want: 'invalid value: 0: metadata.annotations.autoscaling.knative.dev/initial-scale=0 not allowed by cluster',
  },
];

const NOT_HERE = 'autoscaling annotations must be put under "spec.template.metadata.annotations" to work';

/** TestValidateHasNoAutoscalingAnnotation, on a Service's own metadata. */
const NO_AUTOSCALING_CASES: readonly { name: string; annotations?: Record<string, string>; want: string }[] = [
  { name: 'nil', want: '' },
  { name: 'empty', annotations: {}, want: '' },
  { name: 'no offender', annotations: { foo: 'bar' }, want: '' },
  {
    name: 'only offender',
    annotations: { 'autoscaling.knative.dev/foo': 'bar' },
    want: `invalid key name "autoscaling.knative.dev/foo": metadata.annotations\n${NOT_HERE}`,
  },
  {
    name: 'offender and non-offender',
    annotations: { 'autoscaling.knative.dev/foo': 'bar', foo: 'bar' },
    want: `invalid key name "autoscaling.knative.dev/foo": metadata.annotations\n${NOT_HERE}`,
  },
];

/** TestValidateContainerConcurrency, with config-defaults as the case sets it. */
const CC_CONFIG_CASES: readonly { name: string; cc?: number; defaults?: Record<string, string>; want: string }[] = [
  { name: 'empty containerConcurrency', want: '' },
  { name: 'invalid containerConcurrency value', cc: 2000, want: 'expected 0 <= 2000 <= 1000: containerConcurrency' },
  {
    name: 'invalid containerConcurrency value, non def config',
    cc: 2000,
    defaults: { 'container-concurrency-max-limit': '1950' },
    want: 'expected 0 <= 2000 <= 1950: containerConcurrency',
  },
  {
    name: 'invalid containerConcurrency value, zero but allow-container-concurrency-zero is false',
    cc: 0,
    defaults: { 'allow-container-concurrency-zero': 'false' },
    want: 'expected 1 <= 0 <= 1000: containerConcurrency',
  },
  { name: 'valid containerConcurrency value', cc: 10, want: '' },
  { name: 'valid containerConcurrency value zero', cc: 0, want: '' },
  {
    name: 'valid containerConcurrency value huge',
    cc: 2019,
    defaults: { 'container-concurrency-max-limit': '2021' },
    want: '',
  },
];

describe('metadata_validation_test.go', () => {
  for (const c of OBJECT_META_CASES) {
    it(`TestValidateObjectMetadata ${c.name}`, () =>
      expect(text(validateRoute(routeOf(c.meta, [{ revisionName: 'foo', percent: 100 }])))).toBe(c.want));
  }
  for (const c of INITIAL_SCALE_CASES) {
    it(`TestValidateObjectMetadata ${c.name}`, () => {
      const template = {
        metadata: { annotations: { 'autoscaling.knative.dev/initial-scale': c.value } },
        spec: { containers: [{ image: 'busybox' }] },
      };
      expect(templateErrors(template, { autoscaler: { 'allow-zero-initial-scale': String(c.allowZero) } })).toBe(
        c.want,
      );
    });
  }
  it("TestValidateObjectMetadata autoscaling annotations on a resource that doesn't allow them", () => {
    const config = configuration(
      { generateName: 'some-name', annotations: { 'autoscaling.knative.dev/initial-scale': '0' } },
      { spec: { containers: [{ image: 'busybox' }] } },
    );
    expect(text(validateConfiguration(defaultConfiguration(config)))).toBe(
      `invalid key name "autoscaling.knative.dev/initial-scale": metadata.annotations\n${NOT_HERE}`,
    );
  });
  for (const c of NO_AUTOSCALING_CASES) {
    it(`TestValidateHasNoAutoscalingAnnotation ${c.name}`, () => {
      const svc = serviceOf({ name: 's', ...(c.annotations ? { annotations: c.annotations } : {}) }, BUSYBOX);
      expect(text(validateService(defaultService(svc)))).toBe(c.want);
    });
  }
  for (const c of CC_CONFIG_CASES) {
    it(`TestValidateContainerConcurrency ${c.name}`, () => {
      const spec: RevisionSpec = {
        containers: [{ image: 'busybox' }],
        ...(c.cc !== undefined ? { containerConcurrency: c.cc } : {}),
      };
      expect(specErrors(spec, c.defaults)).toBe(c.want);
    });
  }
});

// ---- the field masks (k8s_validation_test.go, revision_validation_test.go) ----

describe('fields Knative never lets through', () => {
  it('TestContainerValidation has lifecycle', () =>
    expect(containerErrors({ image: 'foo', lifecycle: {} })).toBe('must not set the field(s): lifecycle'));
  it('TestContainerValidation disallowed container fields', () =>
    expect(
      containerErrors({
        image: 'foo',
        name: 'fail',
        stdin: true,
        stdinOnce: true,
        tty: true,
        lifecycle: {},
        volumeDevices: [{ name: 'disallowed', devicePath: '/' }],
      }),
    ).toBe('must not set the field(s): lifecycle, stdin, stdinOnce, tty, volumeDevices'));
  it('TestContainerValidation has numerous problems', () =>
    expect(containerErrors({ lifecycle: {} })).toBe('missing field(s): image\nmust not set the field(s): lifecycle'));
  it('TestPodSpecValidation bad pod spec', () =>
    expect(podErrors({ containers: [{ name: 'steve', image: 'helloworld', lifecycle: {} }] })).toBe(
      'must not set the field(s): containers[0].lifecycle',
    ));
  it('TestPodSpecValidation extra field', () =>
    expect(podErrors({ containers: [{ image: 'busybox' }], terminationGracePeriodSeconds: 5 })).toBe(
      'must not set the field(s): terminationGracePeriodSeconds',
    ));
  it('TestPodSpecValidation with automountServiceAccountToken = true', () =>
    expect(podErrors({ automountServiceAccountToken: true, containers: [{ image: 'helloworld' }] })).toBe(
      'must not set the field(s): automountServiceAccountToken',
    ));
  it('TestRevisionSpecValidation bad pod spec', () =>
    expect(specErrors({ containers: [{ name: 'steve', image: 'helloworld', lifecycle: {} }] })).toBe(
      'must not set the field(s): containers[0].lifecycle',
    ));
  it('TestRevisionTemplateSpecValidation nested spec error', () =>
    expect(templateErrors({ spec: { containers: [{ name: 'kevin', image: 'helloworld', lifecycle: {} }] } })).toBe(
      'must not set the field(s): spec.containers[0].lifecycle',
    ));
});
