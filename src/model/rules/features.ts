/**
 * The `config-features` ConfigMap (knative/serving pkg/apis/config/features.go): flags that let
 * the webhook accept PodSpec fields it refuses by default, and switch optional behaviours.
 *
 * A flag is `Enabled`, `Disabled` or `Allowed` (secure-pod-defaults: `Disabled`,
 * `AllowRootBounded` or `Enabled`), matched without regard to case. Knative's parse (asFlag,
 * asSecurePodDefaultsFlag) ignores any other value and keeps the flag's default, and ignores keys
 * it does not know: {@link parseFeaturesConfig} does the same, so the cluster behaves as Knative's would;
 * {@link featuresConfigProblems} names such values, for the places knsim checks a file before a
 * run (a value Knative silently ignores is almost always a typo).
 *
 * What a flag means for the PodSpec masks: a field gated by a flag is let through unless the
 * flag is `Disabled` (so `Allowed` lets it through like `Enabled`); the checks after the mask
 * (init containers, emptyDir and persistentVolumeClaim volumes, multi-container,
 * multi-container-probing) want `Enabled` exactly.
 */

/** AllowRootBounded is secure-pod-defaults' alone (secure defaults, root still allowed). */
export type FeatureFlag = 'Enabled' | 'Disabled' | 'Allowed' | 'AllowRootBounded';

/**
 * Every key the current features.go reads, with its default there (kubernetes.podspec-dryrun is
 * gone from it: a dry-run pod is no longer made, the key is ignored like any unknown one).
 */
const FEATURE_DEFAULTS = {
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
} as const satisfies Record<string, FeatureFlag>;

export type FeatureKey = keyof typeof FEATURE_DEFAULTS;
export type FeaturesConfig = Readonly<Record<FeatureKey, FeatureFlag>>;

export const FEATURE_KEYS = Object.keys(FEATURE_DEFAULTS) as readonly FeatureKey[];
export const DEFAULT_FEATURES_CONFIG: FeaturesConfig = Object.freeze({ ...FEATURE_DEFAULTS });

const FLAGS: readonly FeatureFlag[] = ['Enabled', 'Allowed', 'Disabled'];
const SECURE_POD_DEFAULTS_FLAGS: readonly FeatureFlag[] = ['Disabled', 'AllowRootBounded', 'Enabled'];

function flagsOf(key: FeatureKey): readonly FeatureFlag[] {
  return key === 'secure-pod-defaults' ? SECURE_POD_DEFAULTS_FLAGS : FLAGS;
}

function asFlag(key: FeatureKey, raw: string): FeatureFlag | undefined {
  const lower = raw.toLowerCase();
  return flagsOf(key).find((f) => f.toLowerCase() === lower);
}

/** config-features as Knative's NewFeaturesConfigFromMap reads it (it never fails). */
export function parseFeaturesConfig(data: Readonly<Record<string, string>>): FeaturesConfig {
  const out: Record<FeatureKey, FeatureFlag> = { ...FEATURE_DEFAULTS };
  for (const key of FEATURE_KEYS) {
    const raw = data[key];
    const flag = raw === undefined ? undefined : asFlag(key, raw);
    if (flag) out[key] = flag;
  }
  return Object.freeze(out);
}

export interface FeatureProblem {
  readonly key: string;
  readonly message: string;
}

/**
 * The values of known keys that Knative would ignore (keeping the default), one per key; the
 * message leaves the key to the caller's path.
 */
export function featuresConfigProblems(data: Readonly<Record<string, string>>): FeatureProblem[] {
  return FEATURE_KEYS.flatMap((key) => {
    const raw = data[key];
    if (raw === undefined || asFlag(key, raw)) return [];
    return [
      {
        key,
        message:
          `${JSON.stringify(raw)} is not a value of this flag (${flagsOf(key).join(', ')}, any case); ` +
          `Knative would ignore it and keep the default, ${FEATURE_DEFAULTS[key]}`,
      },
    ];
  });
}

/** A PodSpec mask lets a gated field through unless its flag is Disabled. */
export function maskAllows(features: FeaturesConfig, key: FeatureKey): boolean {
  return features[key] !== 'Disabled';
}

/** The checks after the masks want the flag Enabled exactly. */
export function isEnabled(features: FeaturesConfig, key: FeatureKey): boolean {
  return features[key] === 'Enabled';
}

/** PodSpec fields PodSpecMask lets through only when a flag allows them (fieldmask.go). */
export const GATED_POD_FIELDS: readonly (readonly [field: string, key: FeatureKey])[] = [
  ['affinity', 'kubernetes.podspec-affinity'],
  ['topologySpreadConstraints', 'kubernetes.podspec-topologyspreadconstraints'],
  ['hostAliases', 'kubernetes.podspec-hostaliases'],
  ['nodeSelector', 'kubernetes.podspec-nodeselector'],
  ['runtimeClassName', 'kubernetes.podspec-runtimeclassname'],
  ['tolerations', 'kubernetes.podspec-tolerations'],
  ['securityContext', 'kubernetes.podspec-securitycontext'],
  ['shareProcessNamespace', 'kubernetes.podspec-shareprocessnamespace'],
  ['hostIPC', 'kubernetes.podspec-hostipc'],
  ['hostPID', 'kubernetes.podspec-hostpid'],
  ['hostNetwork', 'kubernetes.podspec-hostnetwork'],
  ['priorityClassName', 'kubernetes.podspec-priorityclassname'],
  ['schedulerName', 'kubernetes.podspec-schedulername'],
  ['initContainers', 'kubernetes.podspec-init-containers'],
  ['dnsPolicy', 'kubernetes.podspec-dnspolicy'],
  ['dnsConfig', 'kubernetes.podspec-dnsconfig'],
];

/** Volume sources VolumeSourceMask lets through only when a flag allows them. */
export const GATED_VOLUME_SOURCES: readonly (readonly [field: string, key: FeatureKey])[] = [
  ['emptyDir', 'kubernetes.podspec-volumes-emptydir'],
  ['persistentVolumeClaim', 'kubernetes.podspec-persistent-volume-claim'],
  ['hostPath', 'kubernetes.podspec-volumes-hostpath'],
  ['csi', 'kubernetes.podspec-volumes-csi'],
  ['image', 'kubernetes.podspec-volumes-image'],
];
