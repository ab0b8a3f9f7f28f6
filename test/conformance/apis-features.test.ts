/**
 * config-features, as Knative reads it (pkg/apis/config/features.go, features_test.go) and as
 * its webhook lets gated PodSpec fields through (pkg/apis/serving/fieldmask.go and the cases of
 * k8s_validation_test.go that set a feature: TestPodSpecFeatureValidation,
 * TestPodSpecFieldRefValidation, TestPodSpecMultiContainerValidation, TestSidecarContainerValidation,
 * TestInitContainerValidation, TestVolumeValidation, and the probe-port cases of
 * TestUserContainerValidation). Each case gives Knative's object, the flags its cfgOpts set, and
 * the text Knative's FieldError prints ('' when valid). Like Knative's tests these call the
 * validation directly, without defaulting. Cases outside what knsim models (volume mounts) are
 * listed in docs/conformance.md.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admit } from '../../src/model/admission.js';
import type { Configuration, Container, RevisionSpec, Service } from '../../src/model/api/types.js';
import { parseAutoscalerConfig } from '../../src/model/kpa/config.js';
import {
  DEFAULT_FEATURES_CONFIG,
  type FeatureFlag,
  type FeatureKey,
  type FeaturesConfig,
  GATED_POD_FIELDS,
  parseFeaturesConfig,
} from '../../src/model/rules/features.js';
import { formatFieldErrors } from '../../src/model/rules/fielderror.js';
import { validateConfiguration } from '../../src/model/rules/validation.js';
import { parseScenario, ScenarioError } from '../../src/scenario/parse.js';
import { SimCluster } from '../../src/sim/cluster.js';

type Flags = Partial<Record<FeatureKey, FeatureFlag>>;

function features(flags: Flags = {}): FeaturesConfig {
  return { ...DEFAULT_FEATURES_CONFIG, ...flags };
}

/** A pod spec's errors under a Configuration, paths relative to the pod spec (no defaulting). */
function podErrors(spec: Record<string, unknown>, flags: Flags = {}): string {
  const prefix = 'spec.template.spec.';
  const config: Configuration = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name: 'parent', namespace: 'default' },
    spec: { template: { spec: spec as RevisionSpec } },
  };
  const errors = validateConfiguration(config, undefined, features(flags));
  return formatFieldErrors(
    errors.map((e) => ({
      ...e,
      path: e.path
        .split(', ')
        .map((p) => (p.startsWith(prefix) ? p.slice(prefix.length) : p))
        .join(', '),
    })),
  );
}

/** A sidecar's errors, as validateSidecarContainer reports them (next to a serving container). */
function sidecarErrors(c: Record<string, unknown>, flags: Flags = {}): string {
  const serving = { name: 'serving', image: 'busybox', ports: [{ containerPort: 8888 }] };
  return podErrors({ containers: [serving, { name: 'sidecar', ...c }] }, flags).replaceAll('containers[1].', '');
}

/** An init container's errors, as validateInitContainer reports them (init containers Enabled). */
function initErrors(c: Record<string, unknown>): string {
  return podErrors(
    { containers: [{ name: 'user', image: 'busybox' }], initContainers: [c] },
    { 'kubernetes.podspec-init-containers': 'Enabled' },
  ).replaceAll('containers[0].', '');
}

/** A volume's errors, as validateVolume reports them. */
function volumeErrors(v: Record<string, unknown>, flags: Flags = {}): string {
  return podErrors({ containers: [{ image: 'busybox' }], volumes: [v] }, flags).replaceAll('volumes[0].', '');
}

const MUST_NOT = 'must not set the field(s)';

// ---- features_test.go and features.go ----

describe('features_test.go', () => {
  it('TestFeaturesConfiguration default configuration: the defaults of defaultFeaturesConfig()', () => {
    expect(parseFeaturesConfig({})).toEqual({
      'autodetect-http2': 'Disabled',
      'kubernetes.containerspec-addcapabilities': 'Disabled',
      'kubernetes.podspec-affinity': 'Disabled',
      'kubernetes.podspec-dnsconfig': 'Disabled',
      'kubernetes.podspec-dnspolicy': 'Disabled',
      'kubernetes.podspec-fieldref': 'Disabled',
      'kubernetes.podspec-hostaliases': 'Disabled',
      'kubernetes.podspec-hostipc': 'Disabled',
      'kubernetes.podspec-hostnetwork': 'Disabled',
      'kubernetes.podspec-hostpid': 'Disabled',
      'kubernetes.podspec-init-containers': 'Disabled',
      'kubernetes.podspec-nodeselector': 'Disabled',
      'kubernetes.podspec-persistent-volume-claim': 'Disabled',
      'kubernetes.podspec-persistent-volume-write': 'Disabled',
      'kubernetes.podspec-priorityclassname': 'Disabled',
      'kubernetes.podspec-runtimeclassname': 'Disabled',
      'kubernetes.podspec-schedulername': 'Disabled',
      'kubernetes.podspec-securitycontext': 'Disabled',
      'kubernetes.podspec-shareprocessnamespace': 'Disabled',
      'kubernetes.podspec-tolerations': 'Disabled',
      'kubernetes.podspec-topologyspreadconstraints': 'Disabled',
      'kubernetes.podspec-volumes-csi': 'Disabled',
      'kubernetes.podspec-volumes-emptydir': 'Enabled',
      'kubernetes.podspec-volumes-hostpath': 'Disabled',
      'kubernetes.podspec-volumes-image': 'Disabled',
      'kubernetes.podspec-volumes-mount-propagation': 'Disabled',
      'multi-container': 'Enabled',
      'multi-container-probing': 'Disabled',
      'queueproxy.mount-podinfo': 'Disabled',
      'queueproxy.resource-defaults': 'Disabled',
      'secure-pod-defaults': 'Disabled',
      'tag-header-based-routing': 'Disabled',
    });
  });
  for (const flag of ['Allowed', 'Enabled', 'Disabled'] as const) {
    it(`TestFeaturesConfiguration multi-container ${flag}`, () =>
      expect(parseFeaturesConfig({ 'multi-container': flag })).toEqual(features({ 'multi-container': flag })));
  }
  it('asFlag: the value is matched without regard to case (strings.EqualFold)', () =>
    expect(parseFeaturesConfig({ 'kubernetes.podspec-affinity': 'enabled' })['kubernetes.podspec-affinity']).toBe(
      'Enabled',
    ));
  it('asFlag: any other value is ignored and the default kept; so are unknown keys (podspec-dryrun now one)', () =>
    expect(
      parseFeaturesConfig({
        'multi-container': 'yes',
        'no-such-flag': 'Enabled',
        'kubernetes.podspec-dryrun': 'Enabled',
      }),
    ).toEqual(features()));
  it('asSecurePodDefaultsFlag: secure-pod-defaults takes Disabled, AllowRootBounded, Enabled (not Allowed)', () => {
    expect(parseFeaturesConfig({ 'secure-pod-defaults': 'allowrootbounded' })['secure-pod-defaults']).toBe(
      'AllowRootBounded',
    );
    expect(parseFeaturesConfig({ 'secure-pod-defaults': 'Allowed' })['secure-pod-defaults']).toBe('Disabled');
    expect(parseFeaturesConfig({ 'multi-container': 'AllowRootBounded' })['multi-container']).toBe('Enabled');
  });
});

// ---- TestPodSpecFeatureValidation ----

/** featureData: a PodSpec field, the flag that allows it, and the path Knative refuses. */
const FEATURE_DATA: readonly { name: string; spec: Record<string, unknown>; key: FeatureKey; path: string }[] = [
  {
    name: 'Affinity',
    spec: {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'failure-domain.beta.kubernetes.io/zone', operator: 'In', values: ['us-east1-b'] },
                ],
              },
            ],
          },
        },
      },
    },
    key: 'kubernetes.podspec-affinity',
    path: 'affinity',
  },
  {
    name: 'TopologySpreadConstraints',
    spec: {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchExpressions: [{ key: 'key', operator: 'In', values: ['value'] }] },
        },
      ],
    },
    key: 'kubernetes.podspec-topologyspreadconstraints',
    path: 'topologySpreadConstraints',
  },
  { name: 'DNSPolicy', spec: { dnsPolicy: 'Default' }, key: 'kubernetes.podspec-dnspolicy', path: 'dnsPolicy' },
  {
    name: 'DNSConfig',
    spec: { dnsConfig: { nameservers: ['1.2.3.4'] } },
    key: 'kubernetes.podspec-dnsconfig',
    path: 'dnsConfig',
  },
  {
    name: 'HostAliases',
    spec: { hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.remote', 'bar.remote'] }] },
    key: 'kubernetes.podspec-hostaliases',
    path: 'hostAliases',
  },
  {
    name: 'NodeSelector',
    spec: { nodeSelector: { 'kubernetes.io/arch': 'amd64' } },
    key: 'kubernetes.podspec-nodeselector',
    path: 'nodeSelector',
  },
  {
    name: 'Tolerations',
    spec: { tolerations: [{ key: 'key', operator: 'Equal', value: 'value', effect: 'NoSchedule' }] },
    key: 'kubernetes.podspec-tolerations',
    path: 'tolerations',
  },
  {
    name: 'RuntimeClassName',
    spec: { runtimeClassName: 'test' },
    key: 'kubernetes.podspec-runtimeclassname',
    path: 'runtimeClassName',
  },
  {
    name: 'PodSpecSecurityContext',
    spec: { securityContext: {} },
    key: 'kubernetes.podspec-securitycontext',
    path: 'securityContext',
  },
  {
    name: 'PriorityClassName',
    spec: { priorityClassName: 'foo' },
    key: 'kubernetes.podspec-priorityclassname',
    path: 'priorityClassName',
  },
  {
    name: 'SchedulerName',
    spec: { schedulerName: 'foo' },
    key: 'kubernetes.podspec-schedulername',
    path: 'schedulerName',
  },
  {
    name: 'ShareProcessNamespace',
    spec: { shareProcessNamespace: true },
    key: 'kubernetes.podspec-shareprocessnamespace',
    path: 'shareProcessNamespace',
  },
];

describe('k8s_validation_test.go TestPodSpecFeatureValidation', () => {
  for (const data of FEATURE_DATA) {
    for (const enabled of [false, true]) {
      for (const present of [false, true]) {
        const name = `flag ${enabled ? 'enabled' : 'disabled'}: ${data.name} ${present ? 'present' : 'not present'}`;
        it(name, () => {
          const spec = { ...(present ? data.spec : {}), containers: [{ image: 'busybox' }] };
          const want = present && !enabled ? `${MUST_NOT}: ${data.path}` : '';
          expect(podErrors(spec, enabled ? { [data.key]: 'Enabled' } : {})).toBe(want);
        });
      }
    }
  }
  it('Allowed lets a masked field through as Enabled does (the masks test for != Disabled)', () => {
    for (const data of FEATURE_DATA) {
      expect(podErrors({ ...data.spec, containers: [{ image: 'busybox' }] }, { [data.key]: 'Allowed' })).toBe('');
    }
  });
});

// ---- TestPodSpecFieldRefValidation ----

const NODE_IP_FIELD = { name: 'NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } };
const NODE_IP_RESOURCE = {
  name: 'NODE_IP',
  valueFrom: { resourceFieldRef: { containerName: 'Server', resource: 'request.cpu' } },
};

const FIELD_REF_CASES: readonly { name: string; env?: unknown[]; flags?: Flags; want: string }[] = [
  { name: 'flag disabled: fieldRef not present', want: '' },
  {
    name: 'flag disabled: fieldRef present',
    env: [NODE_IP_FIELD],
    want: `${MUST_NOT}: containers[0].env[0].valueFrom.fieldRef`,
  },
  {
    name: 'flag disabled: resourceFieldRef present',
    env: [NODE_IP_RESOURCE],
    want: `${MUST_NOT}: containers[0].env[0].valueFrom.resourceFieldRef`,
  },
  { name: 'flag enabled: fieldRef not present', flags: { 'kubernetes.podspec-fieldref': 'Enabled' }, want: '' },
  {
    name: 'flag enabled: fieldRef present',
    env: [NODE_IP_FIELD],
    flags: { 'kubernetes.podspec-fieldref': 'Enabled' },
    want: '',
  },
  {
    name: 'flag enabled: resourceFieldRef present',
    env: [NODE_IP_RESOURCE],
    flags: { 'kubernetes.podspec-fieldref': 'Enabled' },
    want: '',
  },
];

describe('k8s_validation_test.go TestPodSpecFieldRefValidation', () => {
  for (const c of FIELD_REF_CASES) {
    it(c.name, () =>
      expect(podErrors({ containers: [{ image: 'busybox', ...(c.env ? { env: c.env } : {}) }] }, c.flags)).toBe(c.want),
    );
  }
});

// ---- TestPodSpecMultiContainerValidation and TestPodSpecValidation, the cases with cfgOpts ----

const MULTI_POD_CASES: readonly { name: string; ps: Record<string, unknown>; flags?: Flags; want: string }[] = [
  {
    name: 'TestPodSpecMultiContainerValidation flag disabled: more than one container',
    ps: { containers: [{ image: 'busybox', ports: [{ containerPort: 8888 }] }, { image: 'helloworld' }] },
    flags: { 'multi-container': 'Disabled' },
    want: 'multi-container is off, but found 2 containers: ',
  },
  {
    name: 'TestPodSpecValidation too many containers',
    ps: { containers: [{ image: 'busybox', ports: [{}] }, { image: 'helloworld' }] },
    flags: { 'multi-container': 'Disabled' },
    want: 'multi-container is off, but found 2 containers: ',
  },
  {
    name: 'TestPodSpecMultiContainerValidation flag enabled: probes are not allowed for non serving containers',
    ps: {
      containers: [
        { name: 'container-a', image: 'busybox', ports: [{ containerPort: 8888 }] },
        {
          name: 'container-b',
          image: 'helloworld',
          livenessProbe: { timeoutSeconds: 1 },
          readinessProbe: { timeoutSeconds: 1 },
        },
      ],
    },
    want: `${MUST_NOT}: containers[1].livenessProbe.timeoutSeconds, containers[1].readinessProbe.timeoutSeconds`,
  },
  {
    name: "TestPodSpecMultiContainerValidation flag enabled: multiple containers with readinessProbe targeting different container's port",
    ps: {
      containers: [
        { name: 'container-a', image: 'work', ports: [{ containerPort: 9999 }] },
        { name: 'container-b', image: 'health', livenessProbe: { httpGet: { port: 9999 } } },
      ],
    },
    want: `${MUST_NOT}: containers[1].livenessProbe`,
  },
  {
    name: 'TestPodSpecValidation init-container name collision',
    ps: {
      initContainers: [{ name: 'the-name', image: 'busybox' }],
      containers: [{ name: 'the-name', image: 'busybox' }],
    },
    flags: { 'kubernetes.podspec-init-containers': 'Enabled' },
    want: 'duplicate container name "the-name": containers[0].name',
  },
  {
    name: 'TestPodSpecValidation PVC not read-only, mount read-only, write disabled by default',
    ps: {
      containers: [{ image: 'busybox', volumeMounts: [{ name: 'foo', mountPath: '/data', readOnly: true }] }],
      volumes: [{ name: 'foo', persistentVolumeClaim: { claimName: 'myclaim', readOnly: false } }],
    },
    flags: { 'kubernetes.podspec-persistent-volume-claim': 'Enabled' },
    want: 'Persistent volume write support is disabled, but found persistent volume claim myclaim that is not read-only: ',
  },
  {
    name: 'TestPodSpecValidation PVC read-only, write disabled by default',
    ps: {
      containers: [{ image: 'busybox', volumeMounts: [{ name: 'foo', mountPath: '/data', readOnly: true }] }],
      volumes: [{ name: 'foo', persistentVolumeClaim: { claimName: 'myclaim', readOnly: true } }],
    },
    flags: { 'kubernetes.podspec-persistent-volume-claim': 'Enabled' },
    want: '',
  },
  {
    name: 'TestPodSpecValidation PVC not read-only, write enabled',
    ps: {
      containers: [{ image: 'busybox', volumeMounts: [{ name: 'foo', mountPath: '/data', readOnly: true }] }],
      volumes: [{ name: 'foo', persistentVolumeClaim: { claimName: 'myclaim', readOnly: false } }],
    },
    flags: {
      'kubernetes.podspec-persistent-volume-claim': 'Enabled',
      'kubernetes.podspec-persistent-volume-write': 'Enabled',
    },
    want: '',
  },
  {
    name: 'init containers refused while kubernetes.podspec-init-containers is Disabled (mask and message)',
    ps: { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ image: 'busybox' }] },
    want: `${MUST_NOT}: initContainers\npod spec support for init-containers is off, but found 1 init containers: `,
  },
  {
    name: 'init containers refused while kubernetes.podspec-init-containers is Allowed (the message only)',
    ps: { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ image: 'busybox' }] },
    flags: { 'kubernetes.podspec-init-containers': 'Allowed' },
    want: 'pod spec support for init-containers is off, but found 1 init containers: ',
  },
];

describe('k8s_validation_test.go, pod specs with features', () => {
  for (const c of MULTI_POD_CASES) {
    it(c.name, () => expect(podErrors(c.ps, c.flags)).toBe(c.want));
  }
});

// ---- TestSidecarContainerValidation ----

const PROBING: Flags = { 'multi-container-probing': 'Enabled' };
const READY_HTTP = { periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };

const SIDECAR_CASES: readonly { name: string; c: Record<string, unknown>; flags?: Flags; want: string }[] = [
  {
    name: 'probes not allowed',
    c: {
      image: 'foo',
      readinessProbe: { ...READY_HTTP, httpGet: { path: '/' } },
      livenessProbe: { tcpSocket: {} },
    },
    want:
      `${MUST_NOT}: livenessProbe, readinessProbe, readinessProbe.failureThreshold, readinessProbe.periodSeconds, ` +
      'readinessProbe.successThreshold, readinessProbe.timeoutSeconds',
  },
  {
    name: 'invalid probes (no port defined)',
    c: {
      image: 'foo',
      readinessProbe: { ...READY_HTTP, httpGet: { path: '/' } },
      livenessProbe: { tcpSocket: {} },
    },
    flags: PROBING,
    want: 'invalid value: 0: livenessProbe.tcpSocket.port, readinessProbe.httpGet.port\nProbe port must be specified',
  },
  {
    name: 'valid with exec probes',
    c: {
      image: 'foo',
      readinessProbe: { initialDelaySeconds: 0, ...READY_HTTP, httpGet: { path: '/', port: 5000 } },
      livenessProbe: { exec: {} },
    },
    flags: PROBING,
    want: '',
  },
  {
    name: 'invalid with no handler',
    c: { image: 'foo', readinessProbe: { ...READY_HTTP, httpGet: { path: '/', port: 5000 } }, livenessProbe: {} },
    flags: PROBING,
    want: 'expected exactly one, got neither: livenessProbe.exec, livenessProbe.grpc, livenessProbe.httpGet, livenessProbe.tcpSocket',
  },
  {
    name: 'valid liveness http probe',
    c: { image: 'foo', livenessProbe: { ...READY_HTTP, httpGet: { path: '/', port: 5000 } } },
    flags: PROBING,
    want: '',
  },
  {
    name: 'valid liveness tcp probe',
    c: { image: 'foo', livenessProbe: { ...READY_HTTP, tcpSocket: { port: 5000 } } },
    flags: PROBING,
    want: '',
  },
  {
    name: 'valid readiness http probe',
    c: { image: 'foo', readinessProbe: { ...READY_HTTP, httpGet: { path: '/', port: 5000 } } },
    flags: PROBING,
    want: '',
  },
  {
    name: 'valid readiness tcp probe',
    c: { image: 'foo', readinessProbe: { ...READY_HTTP, tcpSocket: { port: 5000 } } },
    flags: PROBING,
    want: '',
  },
  {
    name: 'valid readiness http probe with named port',
    c: { image: 'foo', readinessProbe: { successThreshold: 1, httpGet: { port: 'http' } } },
    flags: PROBING,
    want: '',
  },
  {
    name: 'invalid readiness probe (has failureThreshold while using special probe)',
    c: {
      image: 'foo',
      readinessProbe: {
        periodSeconds: 0,
        failureThreshold: 2,
        successThreshold: 1,
        httpGet: { path: '/', port: 5000 },
      },
    },
    flags: PROBING,
    want: 'failureThreshold is disallowed when periodSeconds is zero: readinessProbe.failureThreshold',
  },
  {
    name: 'invalid readiness probe (has timeoutSeconds while using special probe)',
    c: {
      image: 'foo',
      readinessProbe: { periodSeconds: 0, timeoutSeconds: 2, successThreshold: 1, httpGet: { path: '/', port: 5000 } },
    },
    flags: PROBING,
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
        httpGet: { port: 5000 },
      },
    },
    flags: PROBING,
    want:
      'expected 0 <= -1 <= 2147483647: readinessProbe.initialDelaySeconds, readinessProbe.periodSeconds\n' +
      'expected 1 <= 0 <= 2147483647: readinessProbe.failureThreshold, readinessProbe.successThreshold, readinessProbe.timeoutSeconds',
  },
  {
    name: 'valid grpc probe',
    c: { image: 'foo', readinessProbe: { ...READY_HTTP, grpc: { port: 46 } } },
    flags: PROBING,
    want: '',
  },
  {
    name: 'valid grpc probe with service',
    c: { image: 'foo', readinessProbe: { ...READY_HTTP, grpc: { port: 46, service: 'foo' } } },
    flags: PROBING,
    want: '',
  },
];

describe('k8s_validation_test.go TestSidecarContainerValidation', () => {
  for (const c of SIDECAR_CASES) {
    it(c.name, () => expect(sidecarErrors(c.c, c.flags)).toBe(c.want));
  }
  it('a startupProbe passes unchecked in a sidecar and in the serving container (knative/serving#16256)', () => {
    expect(sidecarErrors({ image: 'foo', startupProbe: { tcpSocket: {} } })).toBe('');
    expect(podErrors({ containers: [{ image: 'foo', startupProbe: { httpGet: { port: 'imap' } } }] })).toBe('');
  });
});

// ---- TestUserContainerValidation, the probe-port cases ----

const USER_PROBE_CASES: readonly { name: string; c: Record<string, unknown>; want: string }[] = [
  {
    name: 'valid liveness http probe with a different container port',
    c: { image: 'foo', livenessProbe: { ...READY_HTTP, httpGet: { path: '/', port: 5000 } } },
    want: '',
  },
  {
    name: 'valid liveness tcp probe with a different container port',
    c: { image: 'foo', livenessProbe: { ...READY_HTTP, tcpSocket: { port: 5000 } } },
    want: '',
  },
  {
    name: 'valid readiness http probe with a different container port',
    c: { image: 'foo', readinessProbe: { ...READY_HTTP, httpGet: { path: '/', port: 5000 } } },
    want: '',
  },
  {
    name: 'valid readiness http probe with port',
    c: { image: 'foo', readinessProbe: { successThreshold: 1, httpGet: { port: 'http' } } },
    want: '',
  },
  {
    name: 'invalid liveness tcp probe (has port)',
    c: { image: 'foo', livenessProbe: { tcpSocket: { port: 'imap' } } },
    want: 'invalid value: imap: livenessProbe.tcpSocket.port\nProbe port must match container port',
  },
  {
    name: 'valid liveness tcp probe with correct port',
    c: { image: 'foo', ports: [{ containerPort: 8888 }], livenessProbe: { tcpSocket: { port: 8888 } } },
    want: '',
  },
  {
    name: 'a probe may name the serving port by its own name (h2c)',
    c: { image: 'foo', ports: [{ name: 'h2c', containerPort: 8888 }], livenessProbe: { httpGet: { port: 'h2c' } } },
    want: '',
  },
];

describe('k8s_validation_test.go TestUserContainerValidation, probe ports', () => {
  for (const c of USER_PROBE_CASES) {
    it(c.name, () => expect(podErrors({ containers: [c.c] }).replaceAll('containers[0].', '')).toBe(c.want));
  }
});

// ---- TestInitContainerValidation ----

const NOT_IN_INIT = 'field not allowed in an init container';

const INIT_CASES: readonly { name: string; c: Record<string, unknown>; want: string }[] = [
  {
    name: 'has a lifecycle',
    c: { name: 'foo', image: 'foo', lifecycle: {} },
    want: `${NOT_IN_INIT}: lifecycle\n${MUST_NOT}: lifecycle`,
  },
  {
    name: 'invalid liveness tcp probe (has port)',
    c: { name: 'foo', image: 'foo', livenessProbe: { tcpSocket: { port: 'http' } } },
    want: `${NOT_IN_INIT}: livenessProbe`,
  },
  {
    name: 'disallowed container fields',
    c: {
      image: 'foo',
      name: 'fail',
      stdin: true,
      stdinOnce: true,
      tty: true,
      lifecycle: {},
      volumeDevices: [{ name: 'disallowed', devicePath: '/' }],
    },
    want: `${NOT_IN_INIT}: lifecycle\n${MUST_NOT}: lifecycle, stdin, stdinOnce, tty, volumeDevices`,
  },
  {
    name: 'has numerous problems',
    c: { name: 'foo', lifecycle: {} },
    want: `${NOT_IN_INIT}: lifecycle\nmissing field(s): image\n${MUST_NOT}: lifecycle`,
  },
];

describe('k8s_validation_test.go TestInitContainerValidation', () => {
  for (const c of INIT_CASES) {
    it(c.name, () => expect(initErrors(c.c)).toBe(c.want));
  }
  it('a startupProbe is not allowed in an init container', () =>
    expect(initErrors({ name: 'foo', image: 'foo', startupProbe: { exec: {} } })).toBe(`${NOT_IN_INIT}: startupProbe`));
});

// ---- TestVolumeValidation, the cases with a feature ----

describe('k8s_validation_test.go TestVolumeValidation', () => {
  it('emptyDir volume', () =>
    expect(
      volumeErrors(
        { name: 'foo', emptyDir: { medium: 'Memory', sizeLimit: '400G' } },
        { 'kubernetes.podspec-volumes-emptydir': 'Enabled' },
      ),
    ).toBe(''));
  it('valid PVC with PVC feature enabled', () =>
    expect(
      volumeErrors(
        { name: 'foo', persistentVolumeClaim: { claimName: 'myclaim', readOnly: true } },
        { 'kubernetes.podspec-persistent-volume-claim': 'Enabled' },
      ),
    ).toBe(''));
  it('valid PVC with PVC feature disabled', () =>
    expect(volumeErrors({ name: 'foo', persistentVolumeClaim: { claimName: 'myclaim', readOnly: false } })).toBe(
      'Persistent volume claim support is disabled, but found persistent volume claim myclaim: \n' +
        'Persistent volume write support is disabled, but found persistent volume claim myclaim that is not read-only: \n' +
        `${MUST_NOT}: persistentVolumeClaim`,
    ));
  it('hostPath, csi and image volume sources pass the mask only when their flag is not Disabled', () => {
    const sources = { hostPath: { path: '/tmp' }, csi: { driver: 'd' }, image: { reference: 'docker.io/x/y' } };
    for (const [field, value] of Object.entries(sources)) {
      expect(volumeErrors({ name: 'foo', [field]: value })).toBe(`${MUST_NOT}: ${field}`);
    }
    const allowed: Flags = {
      'kubernetes.podspec-volumes-hostpath': 'Allowed',
      'kubernetes.podspec-volumes-csi': 'Enabled',
      'kubernetes.podspec-volumes-image': 'Enabled',
    };
    for (const [field, value] of Object.entries(sources)) {
      expect(volumeErrors({ name: 'foo', [field]: value }, allowed)).toBe('');
    }
  });
  it('an emptyDir volume with kubernetes.podspec-volumes-emptydir Disabled (validateVolume and VolumeMask)', () =>
    expect(volumeErrors({ name: 'foo', emptyDir: {} }, { 'kubernetes.podspec-volumes-emptydir': 'Disabled' })).toBe(
      `EmptyDir volume support is disabled, but found EmptyDir volume foo: \n${MUST_NOT}: emptyDir`,
    ));
});

// ---- the masks, whatever the flags ----

const SAMPLE: Readonly<Record<string, unknown>> = {
  affinity: { nodeAffinity: {} },
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
  hostAliases: [{ ip: '127.0.0.1', hostnames: ['a'] }],
  nodeSelector: { 'kubernetes.io/arch': 'amd64' },
  runtimeClassName: 'test',
  tolerations: [{ key: 'k', operator: 'Exists' }],
  securityContext: {},
  shareProcessNamespace: true,
  hostIPC: true,
  hostPID: true,
  hostNetwork: true,
  priorityClassName: 'foo',
  schedulerName: 'foo',
  initContainers: [{ name: 'init', image: 'busybox' }],
  dnsPolicy: 'Default',
  dnsConfig: { nameservers: ['1.2.3.4'] },
};

describe('PodSpecMask under any config-features', () => {
  it('refuses exactly the gated fields that are set and whose flag is Disabled (fast-check)', () => {
    const flag = fc.constantFrom<FeatureFlag>('Enabled', 'Allowed', 'Disabled');
    const gate = fc.tuple(fc.boolean(), flag);
    fc.assert(
      fc.property(
        fc.array(gate, { minLength: GATED_POD_FIELDS.length, maxLength: GATED_POD_FIELDS.length }),
        (gates) => {
          const spec: Record<string, unknown> = { containers: [{ image: 'busybox' }] };
          const flags: Flags = {};
          GATED_POD_FIELDS.forEach(([field, key], i) => {
            const [present, value] = gates[i]!;
            if (present) spec[field] = SAMPLE[field];
            flags[key] = value;
          });
          const refused = GATED_POD_FIELDS.filter(([field, key]) => field in spec && flags[key] === 'Disabled').map(
            ([field]) => field,
          );
          const line = podErrors(spec, flags)
            .split('\n')
            .find((l) => l.startsWith(`${MUST_NOT}: `));
          const got = line ? line.slice(MUST_NOT.length + 2).split(', ') : [];
          expect(got).toEqual([...refused].sort());
        },
      ),
      { seed: 14, numRuns: 300 },
    );
  });
});

// ---- through the webhook and the cluster ----

const NODE_SELECTOR_SERVICE: Service = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'hello', namespace: 'default' },
  spec: {
    template: {
      spec: {
        nodeSelector: { 'kubernetes.io/arch': 'amd64' },
        containers: [{ image: 'ghcr.io/knative/helloworld-go' }],
      },
    },
  } as Service['spec'],
};

describe('config-features in the cluster', () => {
  it('admission refuses a gated field by default and lets it in once config-features enables it', () => {
    const autoscaler = parseAutoscalerConfig({});
    expect(formatFieldErrors(admit(NODE_SELECTOR_SERVICE, { autoscaler }).errors)).toBe(
      `${MUST_NOT}: spec.template.spec.nodeSelector`,
    );
    const enabled = parseFeaturesConfig({ 'kubernetes.podspec-nodeselector': 'enabled' });
    expect(admit(NODE_SELECTOR_SERVICE, { autoscaler, features: enabled }).errors).toEqual([]);
  });

  it('the simulated cluster takes config-features from its ConfigMap', () => {
    const cluster = new SimCluster({ seed: 1 });
    expect(cluster.config.features).toEqual(DEFAULT_FEATURES_CONFIG);
    cluster.setConfigMap('config-features', { 'multi-container-probing': 'Enabled' });
    expect(cluster.config.features['multi-container-probing']).toBe('Enabled');
  });

  it("a scenario's config-features with a value Knative would ignore is an error naming the key", () => {
    const text = [
      'name: features',
      'config:',
      '  config-features:',
      '    kubernetes.podspec-nodeselector: "yes"',
      'steps: []',
      '',
    ].join('\n');
    let error: unknown;
    try {
      parseScenario(text, 'scn.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toBe(
      'scn.yaml:4:38: config.config-features["kubernetes.podspec-nodeselector"]: "yes" is not a value of this flag ' +
        '(Enabled, Allowed, Disabled, any case); Knative would ignore it and keep the default, Disabled',
    );
  });

  it('the init-container rules see the containers as the webhook does', () => {
    const init: Container[] = [{ name: 'user', image: 'busybox' }];
    expect(
      podErrors(
        { initContainers: init, containers: [{ name: 'user', image: 'busybox' }] },
        { 'kubernetes.podspec-init-containers': 'Enabled' },
      ),
    ).toBe('duplicate container name "user": containers[0].name');
  });
});
