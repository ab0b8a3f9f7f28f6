/**
 * kn's rules for what create and update write (knative/client configuration_edit_flags.go,
 * podspec_helper.go): env set in place or appended in the order given, `NAME-` removed;
 * `--annotation` on both the Service and its template, but autoscaling ones on the template only;
 * the update timestamp and user image only when something makes a revision.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Service } from '../../src/model/api/types.js';
import {
  KN_UPDATE_TIMESTAMP,
  KN_USER_IMAGE,
  type KnServiceEdits,
  knEditService,
  knNewService,
} from '../../src/model/rules/knClient.js';
import { knConditionsValue, knNonReadyReason, knReadyCondition } from '../../src/model/rules/knTables.js';

const none: KnServiceEdits = { env: [], annotations: [], labels: [], requests: [], limits: [], lockToDigest: true };

describe('kn service update', () => {
  it('sets env in place, appends new names in order and removes NAME- ones (a property)', () => {
    const name = fc.constantFrom('A', 'B', 'C', 'D');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(name, fc.string({ maxLength: 3 })), { selector: ([n]) => n }),
        fc.array(fc.tuple(name, fc.option(fc.string({ maxLength: 3 }), { nil: undefined })), { maxLength: 6 }),
        (before, settings) => {
          const service = knNewService('s', 'default', { ...none, image: 'img' }, 0);
          service.spec.template.spec.containers![0]!.env = before.map(([n, value]) => ({ name: n, value }));
          const after = knEditService(service, { ...none, env: settings }, 1000, undefined);
          const env = after.spec.template.spec.containers![0]!.env ?? [];
          // The plain rule: the last value given for a name wins, a removal anywhere removes it.
          const removed = new Set<string>(settings.filter(([, v]) => v === undefined).map(([n]) => n));
          const expected = new Map<string, string | undefined>(before.map(([n, v]) => [n, v]));
          for (const [n, v] of settings) if (v !== undefined) expected.set(n, v);
          expect(env.map((e) => e.name)).toEqual([...expected.keys()].filter((n) => !removed.has(n)));
          for (const e of env) expect(e.value).toBe(expected.get(e.name));
        },
      ),
    );
  });

  it('puts autoscaling annotations on the template only, others on both', () => {
    const s = knNewService(
      's',
      'default',
      {
        ...none,
        image: 'img',
        annotations: [
          ['autoscaling.knative.dev/target', '10'],
          ['team', 'a'],
        ],
      },
      0,
    );
    expect(s.metadata.annotations).toEqual({ team: 'a' });
    expect(s.spec.template.metadata?.annotations).toEqual({
      [KN_USER_IMAGE]: 'img',
      [KN_UPDATE_TIMESTAMP]: '2026-01-01T00:00:00Z',
      'autoscaling.knative.dev/target': '10',
      team: 'a',
    });
  });

  it('stamps and pins only when a flag makes a revision', () => {
    const created: Service = knNewService('s', 'default', { ...none, image: 'img:v1' }, 0);
    const local = knEditService(created, { ...none, clusterLocal: true }, 5000, 'img@sha256:1');
    expect(local.spec.template).toEqual(created.spec.template);
    expect(local.metadata.labels).toEqual({ 'networking.knative.dev/visibility': 'cluster-local' });
    const bumped = knEditService(created, { ...none, scaleMax: 3 }, 5000, 'img@sha256:1');
    expect(bumped.spec.template.spec.containers![0]!.image).toBe('img@sha256:1');
    expect(bumped.spec.template.metadata?.annotations?.[KN_USER_IMAGE]).toBe('img:v1');
    expect(bumped.spec.template.metadata?.annotations?.[KN_UPDATE_TIMESTAMP]).toBe('2026-01-01T00:00:05Z');
  });
});

describe("kn's condition columns", () => {
  it('count the True ones, read Ready, and give reason : message when not ready', () => {
    const conditions = [
      { type: 'ConfigurationsReady', status: 'True' as const },
      { type: 'Ready', status: 'Unknown' as const, reason: 'RevisionMissing', message: 'waiting' },
    ];
    expect(knConditionsValue(conditions)).toBe('1 OK / 2');
    expect(knReadyCondition(conditions)).toBe('Unknown');
    expect(knNonReadyReason(conditions)).toBe('RevisionMissing : waiting');
    expect(knReadyCondition(undefined)).toBe('<unknown>');
  });
});
