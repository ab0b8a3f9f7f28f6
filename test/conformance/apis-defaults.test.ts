/**
 * Knative Serving's own defaulting tests (pkg/apis/serving/v1/*_defaults_test.go), their data
 * transcribed and run against knsim's defaulting webhook (src/model/rules/defaults.ts). A case
 * names the upstream test and case; `config` is the config-defaults data the case sets.
 * Knative sets enableServiceLinks only when an object is created, knsim on every admission (see
 * docs/conformance.md): cases Knative runs outside a create leave it out of the comparison.
 */
import { describe, expect, it } from 'vitest';
import type { Container, RevisionSpec, Route, Service } from '../../src/model/api/types.js';
import {
  defaultConfiguration,
  defaultRevisionSpec,
  defaultRoute,
  defaultService,
  parseDefaultsConfig,
} from '../../src/model/rules/defaults.js';

const PROBE = { tcpSocket: { port: 0 }, successThreshold: 1 };

interface RevisionCase {
  readonly name: string;
  readonly config?: Record<string, string>;
  readonly in: RevisionSpec;
  readonly want: RevisionSpec;
  /** The upstream case runs inside a create: enableServiceLinks is compared. */
  readonly create?: boolean;
}

/** The defaults every case below expects unless it says otherwise. */
const DEFAULTED = { timeoutSeconds: 300, containerConcurrency: 0 };

const REVISION_CASES: readonly RevisionCase[] = [
  { name: 'empty', in: {}, want: { ...DEFAULTED } },
  {
    name: 'with context',
    config: { 'revision-timeout-seconds': '423' },
    in: { containers: [{}] },
    want: {
      containerConcurrency: 0,
      timeoutSeconds: 423,
      containers: [{ name: 'user-container', resources: {}, readinessProbe: PROBE }],
    },
  },
  {
    name: 'all revision timeouts set',
    config: {
      'revision-timeout-seconds': '423',
      'revision-idle-timeout-seconds': '100',
      'revision-response-start-timeout-seconds': '50',
    },
    in: { containers: [{}] },
    want: {
      containerConcurrency: 0,
      timeoutSeconds: 423,
      responseStartTimeoutSeconds: 50,
      idleTimeoutSeconds: 100,
      containers: [{ name: 'user-container', resources: {}, readinessProbe: PROBE }],
    },
  },
  {
    name: 'with context, in create, expect ESL set',
    config: { 'revision-timeout-seconds': '323' },
    create: true,
    in: { containers: [{}] },
    want: {
      containerConcurrency: 0,
      timeoutSeconds: 323,
      enableServiceLinks: false,
      containers: [{ name: 'user-container', resources: {}, readinessProbe: PROBE }],
    },
  },
  {
    name: 'with service spec `true`',
    config: { 'enable-service-links': 'true' },
    create: true,
    in: { enableServiceLinks: true, containers: [{}] },
    want: {
      ...DEFAULTED,
      enableServiceLinks: true,
      containers: [{ name: 'user-container', resources: {}, readinessProbe: PROBE }],
    },
  },
  {
    name: 'with service links CM `true`',
    config: { 'enable-service-links': 'true' },
    create: true,
    in: { containers: [{}] },
    want: {
      ...DEFAULTED,
      enableServiceLinks: true,
      containers: [{ name: 'user-container', resources: {}, readinessProbe: PROBE }],
    },
  },
  {
    name: 'with service links `false`',
    config: { 'enable-service-links': 'false' },
    create: true,
    in: { containers: [{}] },
    want: {
      ...DEFAULTED,
      enableServiceLinks: false,
      containers: [{ name: 'user-container', resources: {}, readinessProbe: PROBE }],
    },
  },
  {
    name: 'with service set',
    config: { 'enable-service-links': 'true' },
    create: true,
    in: { enableServiceLinks: false, containers: [{}] },
    want: {
      ...DEFAULTED,
      enableServiceLinks: false,
      containers: [{ name: 'user-container', resources: {}, readinessProbe: PROBE }],
    },
  },
  {
    name: 'timeout sets to default when 0 is specified',
    config: { 'revision-timeout-seconds': '456' },
    in: { containers: [{}], timeoutSeconds: 0 },
    want: {
      containerConcurrency: 0,
      timeoutSeconds: 456,
      containers: [{ name: 'user-container', resources: {}, readinessProbe: PROBE }],
    },
  },
  {
    name: 'no overwrite',
    in: {
      containerConcurrency: 1,
      timeoutSeconds: 99,
      containers: [{ name: 'foo', readinessProbe: { tcpSocket: { host: '127.0.0.2' } } }],
    },
    want: {
      containerConcurrency: 1,
      timeoutSeconds: 99,
      containers: [
        { name: 'foo', resources: {}, readinessProbe: { tcpSocket: { host: '127.0.0.2' }, successThreshold: 1 } },
      ],
    },
  },
  {
    name: 'no overwrite exec',
    in: { containers: [{ readinessProbe: { exec: { command: ['echo', 'hi'] } } }] },
    want: {
      ...DEFAULTED,
      containers: [
        {
          name: 'user-container',
          resources: {},
          readinessProbe: { exec: { command: ['echo', 'hi'] }, successThreshold: 1 },
        },
      ],
    },
  },
  {
    name: 'apply k8s defaults when period seconds has a non zero value',
    in: { containers: [{ readinessProbe: { periodSeconds: 10 } }] },
    want: {
      ...DEFAULTED,
      containers: [
        {
          name: 'user-container',
          readinessProbe: {
            failureThreshold: 3,
            tcpSocket: { port: 0 },
            periodSeconds: 10,
            successThreshold: 1,
            timeoutSeconds: 1,
          },
          resources: {},
        },
      ],
    },
  },
  {
    name: 'partially initialized',
    in: { containers: [{}] },
    want: { ...DEFAULTED, containers: [{ name: 'user-container', resources: {}, readinessProbe: PROBE }] },
  },
  {
    name: 'multiple containers',
    in: { containers: [{ name: 'busybox', ports: [{ containerPort: 8888 }] }, { name: 'helloworld' }] },
    want: {
      ...DEFAULTED,
      containers: [
        { name: 'busybox', resources: {}, readinessProbe: PROBE, ports: [{ containerPort: 8888 }] },
        { name: 'helloworld', resources: {} },
      ],
    },
  },
  {
    name: 'multiple containers with some names empty',
    in: {
      containers: [
        { name: '' },
        { name: 'user-container-0', ports: [{ containerPort: 8888 }] },
        { name: 'user-container-3' },
        { name: '' },
        { name: 'user-container-5' },
        { name: '' },
        { name: '' },
        { name: 'user-container-4' },
      ],
    },
    want: {
      ...DEFAULTED,
      containers: [
        { name: 'user-container-1', resources: {} },
        { name: 'user-container-0', resources: {}, readinessProbe: PROBE, ports: [{ containerPort: 8888 }] },
        { name: 'user-container-3', resources: {} },
        { name: 'user-container-2', resources: {} },
        { name: 'user-container-5', resources: {} },
        { name: 'user-container-6', resources: {} },
        { name: 'user-container-7', resources: {} },
        { name: 'user-container-4', resources: {} },
      ],
    },
  },
  {
    name: 'multiple init containers',
    in: {
      containers: [{ name: 'busybox', ports: [{ containerPort: 8888 }] }, { name: 'helloworld' }],
      initContainers: [{ name: 'init1' }, { name: 'init2' }],
    },
    want: {
      ...DEFAULTED,
      containers: [
        { name: 'busybox', resources: {}, readinessProbe: PROBE, ports: [{ containerPort: 8888 }] },
        { name: 'helloworld', resources: {} },
      ],
      initContainers: [{ name: 'init1' }, { name: 'init2' }],
    },
  },
  {
    name: 'multiple init containers with some names empty',
    in: {
      containers: [{ name: 'busybox', ports: [{ containerPort: 8888 }] }, { name: 'helloworld' }],
      initContainers: [{ name: 'init1' }, { name: 'init2' }, { name: '' }, { name: '' }],
    },
    want: {
      ...DEFAULTED,
      containers: [
        { name: 'busybox', resources: {}, readinessProbe: PROBE, ports: [{ containerPort: 8888 }] },
        { name: 'helloworld', resources: {} },
      ],
      initContainers: [
        { name: 'init1' },
        { name: 'init2' },
        { name: 'init-container-0' },
        { name: 'init-container-1' },
      ],
    },
  },
  {
    name: 'multiple init and user containers with some names empty',
    in: {
      containers: [{ name: '', ports: [{ containerPort: 8888 }] }, { name: '' }],
      initContainers: [{ name: 'init1' }, { name: 'init2' }, { name: '' }, { name: '' }],
    },
    want: {
      ...DEFAULTED,
      containers: [
        { name: 'user-container-0', resources: {}, readinessProbe: PROBE, ports: [{ containerPort: 8888 }] },
        { name: 'user-container-1', resources: {} },
      ],
      initContainers: [
        { name: 'init1' },
        { name: 'init2' },
        { name: 'init-container-0' },
        { name: 'init-container-1' },
      ],
    },
  },
  {
    name: 'multiple init and user containers with some conflicting default names',
    in: {
      containers: [{ name: 'init-container-0', ports: [{ containerPort: 8888 }] }, { name: 'init-container-1' }],
      initContainers: [{ name: 'init1' }, { name: 'init2' }, { name: '' }, { name: '' }],
    },
    want: {
      ...DEFAULTED,
      containers: [
        { name: 'init-container-0', resources: {}, readinessProbe: PROBE, ports: [{ containerPort: 8888 }] },
        { name: 'init-container-1', resources: {} },
      ],
      initContainers: [
        { name: 'init1' },
        { name: 'init2' },
        { name: 'init-container-2' },
        { name: 'init-container-3' },
      ],
    },
  },
  {
    name: 'multiple containers with default probes',
    in: {
      containerConcurrency: 1,
      timeoutSeconds: 99,
      containers: [{ name: 'foo', readinessProbe: { tcpSocket: { host: '127.0.0.2' } } }, { name: 'second' }],
    },
    want: {
      containerConcurrency: 1,
      timeoutSeconds: 99,
      containers: [
        { name: 'foo', resources: {}, readinessProbe: { tcpSocket: { host: '127.0.0.2' }, successThreshold: 1 } },
        { name: 'second', resources: {} },
      ],
    },
  },
  {
    name: 'multiple containers with probes no override',
    in: {
      containerConcurrency: 1,
      timeoutSeconds: 99,
      containers: [
        { name: 'foo', readinessProbe: { tcpSocket: { host: '127.0.0.2' } } },
        { name: 'second', readinessProbe: { tcpSocket: { host: '127.0.0.2' } } },
      ],
    },
    want: {
      containerConcurrency: 1,
      timeoutSeconds: 99,
      containers: [
        { name: 'foo', resources: {}, readinessProbe: { tcpSocket: { host: '127.0.0.2' }, successThreshold: 1 } },
        { name: 'second', resources: {}, readinessProbe: { tcpSocket: { host: '127.0.0.2' }, successThreshold: 1 } },
      ],
    },
  },
  {
    name: 'multiple containers with exec probes no override',
    in: {
      containers: [
        { readinessProbe: { exec: { command: ['echo', 'hi'] } } },
        { readinessProbe: { exec: { command: ['echo', 'hi'] } } },
      ],
    },
    want: {
      ...DEFAULTED,
      containers: [
        {
          name: 'user-container-0',
          resources: {},
          readinessProbe: { exec: { command: ['echo', 'hi'] }, successThreshold: 1 },
        },
        {
          name: 'user-container-1',
          resources: {},
          readinessProbe: { exec: { command: ['echo', 'hi'] }, successThreshold: 1 },
        },
      ],
    },
  },
  {
    name: 'multiple containers apply k8s defaults when period seconds has a non zero value',
    in: {
      containers: [
        { ports: [{ containerPort: 8080 }], readinessProbe: { periodSeconds: 10 } },
        { readinessProbe: { periodSeconds: 10 } },
      ],
    },
    want: {
      ...DEFAULTED,
      containers: [
        {
          name: 'user-container-0',
          ports: [{ containerPort: 8080 }],
          readinessProbe: {
            failureThreshold: 3,
            tcpSocket: { port: 0 },
            periodSeconds: 10,
            successThreshold: 1,
            timeoutSeconds: 1,
          },
          resources: {},
        },
        {
          name: 'user-container-1',
          readinessProbe: { failureThreshold: 3, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 },
          resources: {},
        },
      ],
    },
  },
  {
    name: 'multiple containers partially initialized',
    in: { containers: [{ ports: [{ containerPort: 8080 }] }, {}] },
    want: {
      ...DEFAULTED,
      containers: [
        { name: 'user-container-0', ports: [{ containerPort: 8080 }], resources: {}, readinessProbe: PROBE },
        { name: 'user-container-1', resources: {} },
      ],
    },
  },
];

describe('revision_defaults_test.go TestRevisionDefaulting', () => {
  for (const c of REVISION_CASES) {
    it(c.name, () => {
      const cfg = parseDefaultsConfig(c.config ?? {});
      const got = defaultRevisionSpec(structuredClone(c.in), cfg);
      if (!c.create) delete got.enableServiceLinks;
      expect(got).toEqual(c.want);
    });
  }

  it('TestRevisionDefaultingContainerName: unnamed containers and init containers get names', () => {
    const got = defaultRevisionSpec({ containers: [{}, {}], initContainers: [{}, {}] });
    expect(got.containers?.map((c) => c.name)).toEqual(['user-container-0', 'user-container-1']);
    expect((got.initContainers as Container[]).map((c) => c.name)).toEqual(['init-container-0', 'init-container-1']);
  });
});

// ---- service_defaults_test.go, configuration_defaults_test.go ----

function service(spec: Partial<Service['spec']>): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'svc', namespace: 'default' },
    spec: { template: { spec: {} }, ...spec },
  };
}

const BUSYBOX = { containers: [{ image: 'busybox' }] };
const BUSYBOX_DEFAULTED = [{ name: 'user-container', image: 'busybox', resources: {}, readinessProbe: PROBE }];

describe('service_defaults_test.go TestServiceDefaulting (a Service is defaulted as it is created)', () => {
  it('empty', () => {
    const got = defaultService(service({}));
    expect(got.spec.template.spec).toMatchObject(DEFAULTED);
    expect(got.spec.traffic).toEqual([{ percent: 100, latestRevision: true }]);
  });

  it('run latest', () => {
    const got = defaultService(service({ template: { spec: BUSYBOX } }));
    expect(got.spec.template.spec).toEqual({ ...DEFAULTED, enableServiceLinks: false, containers: BUSYBOX_DEFAULTED });
    expect(got.spec.traffic).toEqual([{ percent: 100, latestRevision: true }]);
  });

  it('run latest with some default overrides', () => {
    const got = defaultService(
      service({
        template: { spec: { ...BUSYBOX, enableServiceLinks: true, timeoutSeconds: 60, containerConcurrency: 0 } },
      }),
    );
    expect(got.spec.template.spec).toEqual({
      timeoutSeconds: 60,
      containerConcurrency: 0,
      enableServiceLinks: true,
      containers: BUSYBOX_DEFAULTED,
    });
  });

  it('byo traffic block', () => {
    const got = defaultService(
      service({
        template: { spec: BUSYBOX },
        traffic: [
          { tag: 'current', revisionName: 'foo', percent: 90 },
          { tag: 'candidate', revisionName: 'bar', percent: 10 },
          { tag: 'latest' },
        ],
      }),
    );
    // Knative leaves the untagged percent nil; knsim fills 0 (the same number on the wire, where
    // an absent percent reads as 0), so the third target is compared without it.
    const traffic = got.spec.traffic!;
    expect(traffic.slice(0, 2)).toEqual([
      { tag: 'current', revisionName: 'foo', percent: 90, latestRevision: false },
      { tag: 'candidate', revisionName: 'bar', percent: 10, latestRevision: false },
    ]);
    expect(traffic[2]).toMatchObject({ tag: 'latest', latestRevision: true });
  });
});

describe('configuration_defaults_test.go (the revision template as a Service has it)', () => {
  it('run latest: the template spec is defaulted, no traffic', () => {
    const got = defaultConfiguration({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Configuration',
      metadata: { name: 'cfg', namespace: 'default' },
      spec: { template: { spec: BUSYBOX } },
    });
    expect(got.spec.template.spec).toEqual({ ...DEFAULTED, enableServiceLinks: false, containers: BUSYBOX_DEFAULTED });
    expect(got.spec).not.toHaveProperty('traffic');
  });
});

// ---- route_defaults_test.go ----

function route(traffic?: Route['spec']['traffic']): Route {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: { name: 'rt', namespace: 'default' },
    spec: traffic ? { traffic } : {},
  } as Route;
}

describe('route_defaults_test.go TestRouteDefaulting', () => {
  it('empty: a Route of its own gets no traffic', () => {
    expect(defaultRoute(route()).spec.traffic ?? []).toEqual([]);
  });

  it('empty w/ default configuration: a Service with no traffic sends all to its latest revision', () => {
    expect(defaultService(service({ template: { spec: BUSYBOX } })).spec.traffic).toEqual([
      { percent: 100, latestRevision: true },
    ]);
  });

  it('implied zero percent', () => {
    const got = defaultRoute(route([{ percent: 100, latestRevision: true }, { revisionName: 'bar' }]));
    expect(got.spec.traffic).toEqual([
      { percent: 100, latestRevision: true },
      { revisionName: 'bar', latestRevision: false, percent: 0 },
    ]);
  });

  it('explicit zero percent', () => {
    const got = defaultRoute(
      route([
        { percent: 100, latestRevision: true },
        { revisionName: 'bar', percent: 0 },
      ]),
    );
    expect(got.spec.traffic).toEqual([
      { percent: 100, latestRevision: true },
      { revisionName: 'bar', percent: 0, latestRevision: false },
    ]);
  });

  it('latest revision defaulting', () => {
    const got = defaultRoute(
      route([
        { revisionName: 'foo', percent: 12 },
        { revisionName: 'bar', percent: 34 },
        { configurationName: 'baz', percent: 54 },
      ]),
    );
    expect(got.spec.traffic).toEqual([
      { revisionName: 'foo', percent: 12, latestRevision: false },
      { revisionName: 'bar', percent: 34, latestRevision: false },
      { configurationName: 'baz', percent: 54, latestRevision: true },
    ]);
  });
});

// ---- TestAnnotateUserInfo (service_defaults_test.go), TestRouteUserInfo (route_defaults_test.go) ----

const U1 = 'oveja@knative.dev';
const U2 = 'cabra@knative.dev';
const U3 = 'vaca@knative.dev';
const CREATOR = 'serving.knative.dev/creator';
const UPDATER = 'serving.knative.dev/lastModifier';

interface UserInfoCase {
  readonly name: string;
  readonly user: string;
  /** The object's own annotations and its containerConcurrency (what the spec differs in). */
  readonly this: { anns?: [string, string]; cc?: number };
  /** The stored object (absent: a create), as the upstream case builds and defaults it. */
  readonly prev?: { anns?: [string, string]; cc?: number };
  readonly want: Record<string, string>;
}

const USER_INFO_CASES: readonly UserInfoCase[] = [
  { name: 'create-new', user: U1, this: {}, want: { [CREATOR]: U1, [UPDATER]: U1 } },
  { name: 'update-no-diff-old-object', user: U1, this: {}, prev: {}, want: {} },
  {
    name: 'update-no-diff-new-object',
    user: U2,
    this: { anns: [U1, U1] },
    prev: { anns: [U1, U1] },
    want: { [CREATOR]: U1, [UPDATER]: U1 },
  },
  { name: 'update-diff-old-object', user: U2, this: { cc: 1 }, prev: { cc: 2 }, want: { [UPDATER]: U2 } },
  {
    name: 'update-diff-new-object',
    user: U3,
    this: { anns: [U1, U2], cc: 1 },
    prev: { anns: [U1, U2], cc: 2 },
    want: { [CREATOR]: U1, [UPDATER]: U3 },
  },
];

function userService(o: { anns?: [string, string]; cc?: number }): Service {
  const s = service({ template: { spec: o.cc !== undefined ? { containerConcurrency: o.cc } : {} } });
  if (o.anns) s.metadata.annotations = { [CREATOR]: o.anns[0], [UPDATER]: o.anns[1] };
  return s;
}

describe('service_defaults_test.go TestAnnotateUserInfo', () => {
  for (const c of USER_INFO_CASES) {
    it(c.name, () => {
      const prev = c.prev ? defaultService(userService(c.prev)) : undefined;
      const got = defaultService(userService(c.this), { user: c.user, ...(prev ? { previous: prev } : {}) });
      expect(got.metadata.annotations ?? {}).toEqual(c.want);
    });
  }
});

describe('route_defaults_test.go TestRouteUserInfo', () => {
  const userRoute = (o: { anns?: [string, string]; traffic?: string }) => {
    const r = route(o.traffic ? [{ configurationName: o.traffic }] : undefined);
    if (o.anns) r.metadata.annotations = { [CREATOR]: o.anns[0], [UPDATER]: o.anns[1] };
    return r;
  };
  const cases: readonly {
    name: string;
    user: string;
    this: { anns?: [string, string]; traffic?: string };
    prev?: { anns?: [string, string]; traffic?: string };
    want: Record<string, string>;
  }[] = [
    { name: 'create-new', user: U1, this: {}, want: { [CREATOR]: U1, [UPDATER]: U1 } },
    { name: 'update-no-diff-old-object', user: U1, this: {}, prev: {}, want: {} },
    {
      name: 'update-no-diff-new-object',
      user: U2,
      this: { anns: [U1, U1] },
      prev: { anns: [U1, U1] },
      want: { [CREATOR]: U1, [UPDATER]: U1 },
    },
    {
      name: 'update-diff-old-object',
      user: U2,
      this: { traffic: 'new' },
      prev: { traffic: 'old' },
      want: { [UPDATER]: U2 },
    },
    {
      name: 'update-diff-new-object',
      user: U3,
      this: { anns: [U1, U2], traffic: 'new' },
      prev: { anns: [U1, U2], traffic: 'old' },
      want: { [CREATOR]: U1, [UPDATER]: U3 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const prev = c.prev ? defaultRoute(userRoute(c.prev)) : undefined;
      const got = defaultRoute(userRoute(c.this), { user: c.user, ...(prev ? { previous: prev } : {}) });
      expect(got.metadata.annotations ?? {}).toEqual(c.want);
    });
  }
});

describe('metadata_validation_test.go TestAnnotationCreate and TestAnnotationUpdate', () => {
  it('create annotation should override user provided annotations', () => {
    const s = userService({ anns: [U2, U2] });
    expect(defaultService(s, { user: U1 }).metadata.annotations).toEqual({ [CREATOR]: U1, [UPDATER]: U1 });
  });

  it('update annotation without spec changes', () => {
    const prev = defaultService(service({ template: { spec: { containers: [{ image: 'foo' }] } } }));
    const next = service({ template: { spec: { containers: [{ image: 'foo' }] } } });
    next.metadata.annotations = { [CREATOR]: U1, [UPDATER]: U1 };
    expect(defaultService(next, { user: U2, previous: prev }).metadata.annotations).toEqual({
      [CREATOR]: U1,
      [UPDATER]: U1,
    });
  });

  it('update annotation with spec changes', () => {
    const prev = defaultService(service({ template: { spec: { containers: [{ image: 'foo' }] } } }));
    const next = service({ template: { spec: { containers: [{ image: 'bar' }] } } });
    next.metadata.annotations = { [CREATOR]: U1, [UPDATER]: U1 };
    expect(defaultService(next, { user: U2, previous: prev }).metadata.annotations).toEqual({
      [CREATOR]: U1,
      [UPDATER]: U2,
    });
  });
});
