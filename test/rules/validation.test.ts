import { describe, expect, it } from 'vitest';
import { admit } from '../../src/model/admission.js';
import type { Configuration, KubeObject, Route, Service, TrafficTarget } from '../../src/model/api/types.js';
import { defaultAutoscalerConfig } from '../../src/model/kpa/config.js';
import { defaultService } from '../../src/model/rules/defaults.js';
import { type FieldError, formatFieldErrors, webhookDeniedMessage } from '../../src/model/rules/fielderror.js';
import {
  imageReferenceError,
  validateConfiguration,
  validateRoute,
  validateService,
} from '../../src/model/rules/validation.js';

/** The seed's article.yaml, with overrides. */
function article(
  spec: { image?: string; traffic?: TrafficTarget[]; template?: Partial<Service['spec']['template']> } = {},
  name = 'knservice',
): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: {
      template: {
        spec: { containers: [spec.image === undefined ? { image: 'docker.io/example/demo' } : { image: spec.image }] },
        ...spec.template,
      },
      ...(spec.traffic ? { traffic: spec.traffic } : {}),
    },
  };
}

/** The API server's admission of a Service (defaulting, then validation), as a cluster would admit it. */
function admitArticle(svc: Service): { object?: Service; errors: FieldError[] } {
  const result = admit(svc as unknown as KubeObject, { autoscaler: defaultAutoscalerConfig() });
  return { errors: result.errors, ...(result.object ? { object: result.object as unknown as Service } : {}) };
}

/** The webhook's text for a Service after defaulting. */
function denial(svc: Service): string {
  return formatFieldErrors(validateService(defaultService(svc)));
}

describe('the seed article.yaml', () => {
  it('is admitted, with the traffic default filled in', () => {
    const result = admitArticle(article());
    expect(result.errors).toEqual([]);
    expect(result.object?.spec.traffic).toEqual([{ latestRevision: true, percent: 100 }]);
    expect(result.object?.spec.template.spec.containers?.[0]?.name).toBe('user-container');
  });
});

describe('containers', () => {
  it('an image is required', () => {
    const svc = article();
    svc.spec.template.spec.containers = [{}];
    expect(denial(svc)).toBe('missing field(s): spec.template.spec.containers[0].image');
  });

  it('at least one container', () => {
    const svc = article();
    svc.spec.template.spec.containers = [];
    expect(denial(svc)).toBe('missing field(s): spec.template.spec.containers');
  });

  it('several containers: exactly one of them declares the port', () => {
    const svc = article();
    svc.spec.template.spec.containers = [{ image: 'a/b' }, { image: 'c/d' }];
    expect(denial(svc)).toBe('missing field(s): spec.template.spec.containers[*].ports');
    svc.spec.template.spec.containers = [
      { image: 'a/b', ports: [{ containerPort: 8080 }] },
      { image: 'c/d', ports: [{ containerPort: 8081 }] },
    ];
    expect(denial(svc)).toBe(
      'more than one container port is set: spec.template.spec.containers[*].ports\nOnly a single port is allowed across all containers',
    );
  });

  it('container names must be unique', () => {
    const svc = article();
    svc.spec.template.spec.containers = [
      { name: 'app', image: 'a/b', ports: [{ containerPort: 8080 }] },
      { name: 'app', image: 'c/d' },
    ];
    expect(denial(svc)).toBe('duplicate container name "app": spec.template.spec.containers[1].name');
  });

  it('queue-proxy is reserved', () => {
    const svc = article();
    svc.spec.template.spec.containers = [{ name: 'queue-proxy', image: 'a/b' }];
    expect(denial(svc)).toBe('"queue-proxy" is a reserved container name: spec.template.spec.containers[0].name');
  });

  it('queue-proxy ports are reserved', () => {
    const svc = article();
    svc.spec.template.spec.containers = [{ image: 'a/b', ports: [{ containerPort: 8012 }] }];
    expect(denial(svc)).toBe(
      'invalid value: 8012 is a reserved port: spec.template.spec.containers[0].ports.containerPort\n' +
        '8012 is a reserved port, please use a different value',
    );
  });

  it('port names are empty, h2c or http1', () => {
    const svc = article();
    svc.spec.template.spec.containers = [{ image: 'a/b', ports: [{ name: 'grpc', containerPort: 8080 }] }];
    expect(denial(svc)).toBe(
      "Port name grpc is not allowed: spec.template.spec.containers[0].ports\nName must be empty, or one of: 'h2c', 'http1'",
    );
  });

  it('PORT is a reserved environment variable', () => {
    const svc = article();
    svc.spec.template.spec.containers = [{ image: 'a/b', env: [{ name: 'PORT', value: '80' }] }];
    expect(denial(svc)).toBe('"PORT" is a reserved environment variable: spec.template.spec.containers[0].env[0].name');
  });

  it('an image reference must parse', () => {
    expect(denial(article({ image: 'Docker.io/Example/Demo' }))).toBe(
      'Failed to parse image reference: spec.template.spec.containers[0].image\n' +
        'image: "Docker.io/Example/Demo", error: could not parse reference: Docker.io/Example/Demo',
    );
  });

  it.each([
    'nginx',
    'docker.io/library/nginx:1.25',
    'localhost:5000/demo',
    `gcr.io/knative-samples/helloworld-go@sha256:${'a'.repeat(64)}`,
    'ko.local/app:v1.2-rc_1',
  ])('%s is a valid image reference', (image) => {
    expect(imageReferenceError(image)).toBeUndefined();
  });
});

describe('revision spec numbers', () => {
  it('containerConcurrency is 0..1000', () => {
    expect(
      denial(article({ template: { spec: { containers: [{ image: 'a/b' }], containerConcurrency: 1001 } } })),
    ).toBe('expected 0 <= 1001 <= 1000: spec.template.spec.containerConcurrency');
    expect(denial(article({ template: { spec: { containers: [{ image: 'a/b' }], containerConcurrency: -1 } } }))).toBe(
      'expected 0 <= -1 <= 1000: spec.template.spec.containerConcurrency',
    );
    expect(
      denial(article({ template: { spec: { containers: [{ image: 'a/b' }], containerConcurrency: 1000 } } })),
    ).toBe('');
  });

  it('timeoutSeconds is at most max-revision-timeout-seconds (600)', () => {
    expect(denial(article({ template: { spec: { containers: [{ image: 'a/b' }], timeoutSeconds: 601 } } }))).toBe(
      'expected 0 <= 601 <= 600: spec.template.spec.timeoutSeconds',
    );
    expect(denial(article({ template: { spec: { containers: [{ image: 'a/b' }], timeoutSeconds: 600 } } }))).toBe('');
  });

  it('responseStartTimeoutSeconds and idleTimeoutSeconds are at most the timeout', () => {
    const spec = (extra: Record<string, number>) => ({
      template: { spec: { containers: [{ image: 'a/b' }], ...extra } },
    });
    expect(denial(article(spec({ timeoutSeconds: 10, responseStartTimeoutSeconds: 11 })))).toBe(
      'expected 0 <= 11 <= 10: spec.template.spec.responseStartTimeoutSeconds',
    );
    expect(denial(article(spec({ idleTimeoutSeconds: 301 })))).toBe(
      'expected 0 <= 301 <= 300: spec.template.spec.idleTimeoutSeconds',
    );
    expect(denial(article(spec({ timeoutSeconds: 10, responseStartTimeoutSeconds: 10, idleTimeoutSeconds: 0 })))).toBe(
      '',
    );
  });
});

describe('names', () => {
  it('metadata.name must be a DNS-1035 label of at most 63 characters', () => {
    expect(denial(article({}, 'a'.repeat(64)))).toBe(
      'not a DNS 1035 label: [must be no more than 63 characters]: metadata.name',
    );
    expect(denial(article({}, '1service'))).toBe(
      "not a DNS 1035 label: [a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an " +
        "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for " +
        "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')]: metadata.name",
    );
  });

  it('a name is required', () => {
    expect(denial(article({}, ''))).toBe('name or generateName is required: metadata.name');
  });

  it('a BYO revision name must start with "<service>-"', () => {
    expect(
      denial(article({ template: { metadata: { name: 'other-v2' }, spec: { containers: [{ image: 'a/b' }] } } })),
    ).toBe('invalid value: "other-v2" must have prefix "knservice-": spec.template.metadata.name');
    expect(
      denial(article({ template: { metadata: { name: 'knservice-v2' }, spec: { containers: [{ image: 'a/b' }] } } })),
    ).toBe('');
  });

  it('autoscaling annotations belong on the template', () => {
    const svc = article();
    svc.metadata.annotations = { 'autoscaling.knative.dev/min-scale': '1' };
    expect(denial(svc)).toBe(
      'invalid key name "autoscaling.knative.dev/min-scale": metadata.annotations\n' +
        'autoscaling annotations must be put under "spec.template.metadata.annotations" to work',
    );
  });

  it('the visibility label only takes cluster-local', () => {
    const svc = article();
    svc.metadata.labels = { 'networking.knative.dev/visibility': 'public' };
    expect(denial(svc)).toBe('invalid value: public: metadata.labels.networking.knative.dev/visibility');
  });
});

describe('traffic', () => {
  it('each percent is 0..100', () => {
    expect(denial(article({ traffic: [{ latestRevision: true, percent: 120 }] }))).toBe(
      'Traffic targets sum to 120, want 100: spec.traffic\nexpected 0 <= 120 <= 100: spec.traffic[0].percent',
    );
  });

  it('percents sum to 100', () => {
    expect(
      denial(
        article({
          traffic: [
            { revisionName: 'knservice-00001', percent: 50 },
            { latestRevision: true, percent: 40 },
          ],
        }),
      ),
    ).toBe('Traffic targets sum to 90, want 100: spec.traffic');
  });

  it('a missing percent counts as 0', () => {
    expect(denial(article({ traffic: [{ latestRevision: true }] }))).toBe(
      'Traffic targets sum to 0, want 100: spec.traffic',
    );
  });

  it('latestRevision: true with a revisionName is an error', () => {
    expect(
      denial(article({ traffic: [{ revisionName: 'knservice-00001', latestRevision: true, percent: 100 }] })),
    ).toBe('may not set revisionName "knservice-00001" when latestRevision is true: spec.traffic[0].latestRevision');
  });

  it('latestRevision: false needs a revisionName', () => {
    expect(denial(article({ traffic: [{ latestRevision: false, percent: 100 }] }))).toBe(
      'may not set revisionName "" when latestRevision is false: spec.traffic[0].latestRevision',
    );
  });

  it("a Service's traffic must not name a configuration", () => {
    expect(denial(article({ traffic: [{ configurationName: 'knservice', percent: 100 }] }))).toBe(
      'must not set the field(s): spec.traffic[0].configurationName',
    );
  });

  it('tags are DNS-1035 labels', () => {
    expect(denial(article({ traffic: [{ tag: 'Candidate', latestRevision: true, percent: 100 }] }))).toMatch(
      /^invalid value: not a DNS 1035 label: \[a DNS-1035 label .*\]: spec\.traffic\.tag\[0\]$/,
    );
  });

  it('tags are unique', () => {
    expect(
      denial(
        article({
          traffic: [
            { tag: 'a', revisionName: 'knservice-00001', percent: 50 },
            { tag: 'a', latestRevision: true, percent: 50 },
          ],
        }),
      ),
    ).toBe('Multiple definitions for "a": spec.traffic[0].tag, spec.traffic[1].tag');
  });

  it('several problems: one line per message, sorted, with merged paths', () => {
    const svc = article({
      traffic: [
        { latestRevision: true, percent: 101 },
        { latestRevision: true, percent: -1 },
      ],
    });
    svc.spec.template.spec.containers = [{}, {}];
    expect(denial(svc)).toBe(
      [
        'expected 0 <= -1 <= 100: spec.traffic[1].percent',
        'expected 0 <= 101 <= 100: spec.traffic[0].percent',
        'missing field(s): spec.template.spec.containers[*].ports, spec.template.spec.containers[0].image, spec.template.spec.containers[1].image',
      ].join('\n'),
    );
  });
});

describe('Configurations and Routes share the rules', () => {
  it('a Configuration', () => {
    const config: Configuration = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Configuration',
      metadata: { name: 'hello' },
      spec: { template: { metadata: { name: 'bye-1' }, spec: { containers: [{ image: 'a/b' }] } } },
    };
    expect(formatFieldErrors(validateConfiguration(config))).toBe(
      'invalid value: "bye-1" must have prefix "hello-": spec.template.metadata.name',
    );
  });

  it('a standalone Route must name a revision or a configuration', () => {
    const route: Route = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Route',
      metadata: { name: 'hello' },
      spec: { traffic: [{ percent: 100 }, { revisionName: 'a', configurationName: 'b', percent: 0 }] },
    };
    expect(formatFieldErrors(validateRoute(route))).toBe(
      [
        'expected exactly one, got both: spec.traffic[1].configurationName, spec.traffic[1].revisionName',
        'expected exactly one, got neither: spec.traffic[0].configurationName, spec.traffic[0].revisionName',
      ].join('\n'),
    );
  });

  it("a Route owned by a Service has no default configuration (only a Service's own traffic does)", () => {
    const owner = { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello', uid: 'u' };
    const route: Route = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Route',
      metadata: { name: 'hello', ownerReferences: [owner] },
      spec: { traffic: [{ latestRevision: true, percent: 100 }] },
    };
    expect(formatFieldErrors(validateRoute(route))).toBe(
      'expected exactly one, got neither: spec.traffic[0].configurationName, spec.traffic[0].revisionName',
    );
    route.spec.traffic = [{ configurationName: 'hello', latestRevision: true, percent: 100 }];
    expect(validateRoute(route)).toEqual([]);
  });
});

describe("kubectl's text for a rejected object", () => {
  it('names the file, the webhook and the errors', () => {
    const svc = article();
    svc.spec.template.spec.containers = [{}];
    const { errors } = admitArticle(svc);
    expect(webhookDeniedMessage('creating', 'article.yaml', errors)).toBe(
      'Error from server (BadRequest): error when creating "article.yaml": admission webhook ' +
        '"validation.webhook.serving.knative.dev" denied the request: validation failed: ' +
        'missing field(s): spec.template.spec.containers[0].image',
    );
  });
});
