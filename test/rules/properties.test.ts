/** Properties of the rules that hold for any input, not just the examples. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition, Route, Service, TrafficTarget } from '../../src/model/api/types.js';
import { computeReady } from '../../src/model/rules/conditions.js';
import { defaultService } from '../../src/model/rules/defaults.js';
import { hostMatches, hostOf, parseDomainConfig, routeAddressUrl, routeHost } from '../../src/model/rules/domain.js';
import { type FieldError, formatFieldErrors } from '../../src/model/rules/fielderror.js';
import { humanDuration } from '../../src/model/rules/time.js';
import { validateService } from '../../src/model/rules/validation.js';

const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,14}[a-z0-9])?$/);

/** Percents that add up to 100, split over 1..5 targets. */
const splitOf100 = fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 0, maxLength: 4 }).map((cuts) => {
  const points = [0, ...cuts.sort((a, b) => a - b), 100];
  return points.slice(1).map((p, i) => p - points[i]!);
});

function serviceWithTraffic(traffic: TrafficTarget[]): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'hello', namespace: 'default' },
    spec: { template: { spec: { containers: [{ image: 'docker.io/example/demo' }] } }, traffic },
  };
}

describe('traffic validation', () => {
  it('any split of 100 over pinned revisions is accepted', () => {
    fc.assert(
      fc.property(splitOf100, (percents) => {
        const traffic = percents.map((percent, i) => ({ revisionName: `hello-0000${i + 1}`, percent }));
        expect(validateService(defaultService(serviceWithTraffic(traffic)))).toEqual([]);
      }),
    );
  });

  it('any split that does not add up to 100 is rejected with the sum', () => {
    const percents = fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(percents, (ps) => {
        const sum = ps.reduce((a, b) => a + b, 0);
        fc.pre(sum !== 100);
        const traffic = ps.map((percent, i) => ({ revisionName: `hello-0000${i + 1}`, percent }));
        expect(formatFieldErrors(validateService(defaultService(serviceWithTraffic(traffic))))).toContain(
          `Traffic targets sum to ${sum}, want 100: spec.traffic`,
        );
      }),
    );
  });
});

describe('FieldError text', () => {
  const fieldError: fc.Arbitrary<FieldError> = fc.record(
    {
      path: fc.constantFrom('spec', 'spec.traffic', 'metadata.name', 'spec.traffic[0].percent'),
      message: fc.constantFrom('missing field(s)', 'invalid value: 3', 'expected 0 <= 120 <= 100'),
      details: fc.constantFrom('x', 'y'),
    },
    { requiredKeys: ['path', 'message'] },
  );

  it('does not depend on the order errors were found in', () => {
    fc.assert(
      fc.property(
        fc
          .array(fieldError, { maxLength: 8 })
          .chain((errs) => fc.tuple(fc.constant(errs), fc.shuffledSubarray(errs, { minLength: errs.length }))),
        ([errs, shuffled]) => {
          expect(formatFieldErrors(shuffled)).toBe(formatFieldErrors(errs));
        },
      ),
    );
  });

  it('prints each path of a message once', () => {
    fc.assert(
      fc.property(fc.array(fieldError, { maxLength: 8 }), (errs) => {
        expect(formatFieldErrors([...errs, ...errs])).toBe(formatFieldErrors(errs));
      }),
    );
  });
});

describe('Ready from dependents', () => {
  const status = fc.constantFrom<Condition['status']>('True', 'False', 'Unknown');
  const deps = ['A', 'B', 'C'];
  const conditions = fc
    .tuple(status, status, status, fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 3, maxLength: 3 }))
    .map(([a, b, c, times]) =>
      [a, b, c].map((s, i) => ({
        type: deps[i]!,
        status: s,
        reason: `R${i}`,
        lastTransitionTime: new Date(Date.UTC(2026, 0, 1) + times[i]! * 1000).toISOString(),
      })),
    );

  it('is True exactly when every dependent is True, False when any is False, otherwise Unknown', () => {
    fc.assert(
      fc.property(conditions, (cs) => {
        const ready = computeReady(cs, deps);
        const expected = cs.every((c) => c.status === 'True')
          ? 'True'
          : cs.some((c) => c.status === 'False')
            ? 'False'
            : 'Unknown';
        expect(ready.status).toBe(expected);
        if (expected !== 'True') {
          // The reason is one of the unhappy dependents with that status, and none of them changed later.
          const candidates = cs.filter((c) => c.status === expected);
          const chosen = candidates.find((c) => c.reason === ready.reason)!;
          expect(chosen).toBeDefined();
          for (const c of candidates)
            expect(Date.parse(c.lastTransitionTime)).toBeLessThanOrEqual(Date.parse(chosen.lastTransitionTime));
        }
      }),
    );
  });
});

describe('hosts', () => {
  const domainConfig = parseDomainConfig({ 'example.com': '' });

  it('every host a Route or tag is reachable at leads back to it', () => {
    fc.assert(
      fc.property(label, label, fc.option(label, { nil: undefined }), (name, namespace, tag) => {
        const route: Route = {
          apiVersion: 'serving.knative.dev/v1',
          kind: 'Route',
          metadata: { name, namespace },
          spec: { traffic: tag ? [{ tag, latestRevision: true, percent: 100 }] : [] },
        };
        const ref = { name, namespace, ...(tag ? { tag } : {}) };
        const external = routeHost(ref, domainConfig);
        const internal = hostOf(routeAddressUrl(ref));
        expect(internal).toBeDefined();
        for (const host of [external, internal ?? '']) {
          const match = hostMatches(host, [route], domainConfig);
          expect(match?.route).toBe(route);
          expect(match?.tag).toBe(tag);
        }
      }),
    );
  });
});

describe('AGE', () => {
  it('never claims more time than has passed, and rounds down by less than an eighth', () => {
    const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, y: 365 * 86_400 };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 * 365 * 86_400 }), (seconds) => {
        const text = humanDuration(seconds * 1000);
        const shown = [...text.matchAll(/(\d+)([smhdy])/g)].reduce((sum, m) => sum + Number(m[1]) * unit[m[2]!]!, 0);
        expect(shown).toBeLessThanOrEqual(seconds);
        expect(seconds - shown).toBeLessThanOrEqual(seconds / 8);
      }),
    );
  });
});
