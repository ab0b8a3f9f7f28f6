/**
 * Knative Serving's VerifyNameChange cases (pkg/apis/serving/v1 service_validation_test.go and
 * configuration_validation_test.go, TestImmutableServiceFields / TestImmutableConfigurationFields),
 * their data transcribed and run through knsim's admission (src/model/admission.ts, the rule in
 * src/model/rules/validation.ts): on update, a template that keeps its BYO revision name must
 * not change. The error text is the FieldError Knative prints, its details kmp.ShortDiff's
 * (src/model/rules/shortdiff.ts). The last cases are knsim's own rendering of diffs the upstream
 * tests do not show (docs/conformance.md, faith14).
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import { admit } from '../../src/model/admission.js';
import type { Configuration, KubeObject, RevisionTemplateSpec, Service } from '../../src/model/api/types.js';
import { parseAutoscalerConfig } from '../../src/model/kpa/config.js';
import { formatFieldErrors } from '../../src/model/rules/fielderror.js';
import { revisionTemplateShortDiff } from '../../src/model/rules/shortdiff.js';

const AUTOSCALER = parseAutoscalerConfig({});
const MESSAGE = 'Saw the following changes without a name change (-old +new)';

function template(byo: string | undefined, image: string): RevisionTemplateSpec {
  return { ...(byo ? { metadata: { name: byo } } : {}), spec: { containers: [{ image }] } } as RevisionTemplateSpec;
}
function service(name: string, t: RevisionTemplateSpec): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { template: t, traffic: [{ latestRevision: true, percent: 100 }] },
  } as Service;
}
function configuration(name: string, t: RevisionTemplateSpec): Configuration {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name, namespace: 'default' },
    spec: { template: t },
  } as Configuration;
}

/** The webhook on an update: the old object as stored (defaulted by its own admission), then the new one. */
function update(old: KubeObject, next: KubeObject): string {
  const stored = admit(old, { autoscaler: AUTOSCALER }).object;
  expect(stored).toBeDefined();
  const result = admit(next, { autoscaler: AUTOSCALER, previous: stored as Service });
  return formatFieldErrors(result.errors);
}

const IMAGE_DIFF =
  '{*v1.RevisionTemplateSpec}.Spec.PodSpec.Containers[0].Image:\n\t-: "helloworld:bar"\n\t+: "helloworld:foo"\n';

interface Case {
  readonly name: string;
  readonly old: RevisionTemplateSpec;
  readonly new: RevisionTemplateSpec;
  /** '' when the update is admitted. */
  readonly want: string;
}

const CASES: readonly Case[] = [
  {
    name: 'without byo-name',
    old: template(undefined, 'helloworld:bar'),
    new: template(undefined, 'helloworld:foo'),
    want: '',
  },
  {
    name: 'good byo-name (name change)',
    old: template('byo-name-bar', 'helloworld:bar'),
    new: template('byo-name-foo', 'helloworld:foo'),
    want: '',
  },
  {
    name: 'good byo-name (same template)',
    old: template('byo-name-foo', 'helloworld:foo'),
    new: template('byo-name-foo', 'helloworld:foo'),
    want: '',
  },
  {
    name: 'bad byo name change',
    old: template('byo-name-foo', 'helloworld:bar'),
    new: template('byo-name-foo', 'helloworld:foo'),
    want: `${MESSAGE}: spec.template.metadata.name\n${IMAGE_DIFF}`,
  },
];

describe('service_validation_test.go TestImmutableServiceFields', () => {
  for (const c of CASES) {
    it(c.name, () => {
      expect(update(service('byo-name', c.old), service('byo-name', c.new))).toBe(c.want);
    });
  }
});

describe('configuration_validation_test.go TestImmutableConfigurationFields', () => {
  for (const c of CASES) {
    it(c.name, () => {
      expect(update(configuration('byo-name', c.old), configuration('byo-name', c.new))).toBe(c.want);
    });
  }
});

describe("kmp.ShortDiff of templates (knsim's rendering beyond the upstream cases)", () => {
  it('a changed pointer field is reported through the pointer', () => {
    const old = { spec: { containers: [{ image: 'a' }], timeoutSeconds: 300 } };
    const now = { spec: { containers: [{ image: 'a' }], timeoutSeconds: 60 } };
    expect(revisionTemplateShortDiff(old, now)).toBe(
      '*{*v1.RevisionTemplateSpec}.Spec.TimeoutSeconds:\n\t-: "300"\n\t+: "60"\n',
    );
  });
  it('map entries by key, a side left out where there is no value; fields in Go order', () => {
    const old = {
      metadata: { name: 'x-1', annotations: { a: '1', b: '2' } },
      spec: { containers: [{ image: 'i', env: [{ name: 'A', value: '1' }] }] },
    };
    const now = {
      metadata: { name: 'x-1', annotations: { a: '3', c: '4' } },
      spec: {
        containers: [
          {
            image: 'i',
            env: [
              { name: 'A', value: '2' },
              { name: 'B', value: 'x' },
            ],
          },
        ],
      },
    };
    expect(revisionTemplateShortDiff(old, now)).toBe(
      [
        '{*v1.RevisionTemplateSpec}.ObjectMeta.Annotations["a"]:\n\t-: "1"\n\t+: "3"\n',
        '{*v1.RevisionTemplateSpec}.ObjectMeta.Annotations["b"]:\n\t-: "2"\n',
        '{*v1.RevisionTemplateSpec}.ObjectMeta.Annotations["c"]:\n\t+: "4"\n',
        '{*v1.RevisionTemplateSpec}.Spec.PodSpec.Containers[0].Env[0].Value:\n\t-: "1"\n\t+: "2"\n',
        '{*v1.RevisionTemplateSpec}.Spec.PodSpec.Containers[0].Env[?->1]:\n\t+: "{Name:B Value:x}"\n',
      ].join(''),
    );
  });
  it('the same template, or only empty lists and maps added, diffs to nothing', () => {
    const t = { metadata: { name: 'x-1' }, spec: { containers: [{ image: 'i' }] } };
    expect(revisionTemplateShortDiff(t, structuredClone(t))).toBe('');
    expect(
      revisionTemplateShortDiff(t, {
        metadata: { name: 'x-1', labels: {} },
        spec: { containers: [{ image: 'i', env: [] }] },
      }),
    ).toBe('');
  });
});

describe('the webhook in the simulator: kubectl apply of a changed template under the same BYO name', () => {
  it('is refused with the diff; changing the name too is admitted', async () => {
    const b = new SimBackend({ seed: 1, namespace: 'default' });
    await b.start({ scenario: 'test', seed: 1, namespace: 'default' });
    await b.apply([service('byo-name', template('byo-name-foo', 'helloworld:bar')) as KubeObject], 's.yaml');
    await expect(
      b.apply([service('byo-name', template('byo-name-foo', 'helloworld:foo')) as KubeObject], 's.yaml'),
    ).rejects.toThrow(`${MESSAGE}: spec.template.metadata.name\n${IMAGE_DIFF}`);
    await expect(
      b.apply([service('byo-name', template('byo-name-baz', 'helloworld:foo')) as KubeObject], 's.yaml'),
    ).resolves.toBeDefined();
  });
});
