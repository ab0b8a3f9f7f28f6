/**
 * `podSpecFromTemplate` (src/model/rules/podspec.ts) builds a pod's spec with Object.assign, not a
 * spread followed by fields: the same fields, values and order as the spread (checked against it
 * here, written out as it was), and the specs of one template's keys share one hidden class
 * (a spread followed by fields gave each pod's spec a map of its own, ≈ 430 bytes a pod).
 */
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Container } from '../../src/model/api/types.js';
import { podSpecFromTemplate } from '../../src/model/rules/podspec.js';

setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

/** The spec as the spread made it: the template's fields, then the defaults it lacks, in this order. */
function spreadSpec(template: Record<string, unknown>, tokenVolume: string): Record<string, unknown> {
  const made = podSpecFromTemplate(template, tokenVolume);
  return {
    ...template,
    containers: made.containers,
    dnsPolicy: template.dnsPolicy ?? 'ClusterFirst',
    enableServiceLinks: template.enableServiceLinks ?? false,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: made.securityContext,
    serviceAccount: 'default',
    serviceAccountName: 'default',
    terminationGracePeriodSeconds: template.terminationGracePeriodSeconds ?? 300,
    tolerations: made.tolerations,
    volumes: made.volumes,
  };
}

const FIELDS = [
  'containers',
  'dnsPolicy',
  'enableServiceLinks',
  'priority',
  'restartPolicy',
  'terminationGracePeriodSeconds',
  'nodeSelector',
  'serviceAccountName',
  'affinity',
  'tolerations',
  'volumes',
] as const;

const value = (k: string) =>
  k === 'containers'
    ? fc.constant([{ name: 'user-container', image: 'x' }] as Container[])
    : k === 'tolerations'
      ? fc.constant([{ key: 'a', operator: 'Exists' }])
      : fc.oneof(fc.string({ maxLength: 4 }), fc.nat(600), fc.boolean(), fc.constant({ a: 1 }));

describe('a pod spec from its template', () => {
  it('shares one hidden class across the pods of templates with the same keys', () => {
    const template = (i: number) => ({
      containers: [{ name: 'user-container', image: `x${i}` }] as Container[],
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 300 + i,
    });
    // Run first in this file: the spread's own maps showed before its call site had seen many shapes.
    const specs = Array.from({ length: 30 }, (_, i) => podSpecFromTemplate(template(i), `kube-api-access-${i}`));
    for (const s of specs) expect(haveSameMap(s, specs[0]!)).toBe(true);
  });

  it('has the spread’s fields, values and order (fast-check)', () => {
    fc.assert(
      fc.property(
        fc
          .shuffledSubarray([...FIELDS])
          .chain((keys) => fc.tuple(...keys.map((k) => value(k).map((v) => [k, v] as const))))
          .map((entries) => Object.fromEntries(entries)),
        (template) => {
          const spec = podSpecFromTemplate(template, 'kube-api-access-abcde');
          const plain = spreadSpec(template, 'kube-api-access-abcde');
          expect(spec).toStrictEqual(plain);
          expect(Object.keys(spec)).toEqual(Object.keys(plain));
          expect(JSON.stringify(spec)).toBe(JSON.stringify(plain));
        },
      ),
      { numRuns: 300 },
    );
  });
});
