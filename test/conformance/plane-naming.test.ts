/**
 * Cases from knative.dev/pkg's kmeta/names_test.go (TestChildName) and Knative Serving's
 * pkg/reconciler/revision/resources/names/names_test.go (TestNamer), transcribed as data and run
 * against knsim's own naming rules (src/model/rules/naming.ts). Each case carries the upstream
 * test and case name. (Route child names: plane-domains.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  childName,
  configurationRevisionName,
  deploymentName,
  podAutoscalerName,
  privateServiceName,
  publicServiceName,
  revisionName,
} from '../../src/model/rules/naming.js';

describe('kmeta names_test.go TestChildName', () => {
  const cases: [parent: string, suffix: string, want: string][] = [
    ['asdf', '-deployment', 'asdf-deployment'],
    ['f'.repeat(63), '-deployment', 'ffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-deployment'],
    ['f'.repeat(63), '-deploy', 'ffffffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-deploy'],
  ];
  for (const [parent, suffix, want] of cases) {
    it(`${parent.slice(0, 8)}…${suffix}`, () => {
      const got = childName(parent, suffix);
      expect(got).toBe(want);
      expect(got.length).toBeLessThanOrEqual(63);
    });
  }
});

describe('revision names_test.go TestNamer', () => {
  const cases: { name: string; got: () => string; want: string }[] = [
    {
      name: 'Deployment too long',
      got: () => deploymentName('f'.repeat(63)),
      want: 'ffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-deployment',
    },
    { name: 'Deployment long enough', got: () => deploymentName('f'.repeat(52)), want: `${'f'.repeat(52)}-deployment` },
    { name: 'Deployment', got: () => deploymentName('foo'), want: 'foo-deployment' },
    // knsim makes no image cache; the name is the same kmeta rule with the suffix `-cache`.
    {
      name: 'ImageCache, barely fits',
      got: () => childName('u'.repeat(57), '-cache'),
      want: `${'u'.repeat(57)}-cache`,
    },
    {
      name: 'ImageCache, already too long',
      got: () => childName('u'.repeat(63), '-cache'),
      want: 'uuuuuuuuuuuuuuuuuuuuuuuuuca47ad1ce8479df271ec0d23653ce256-cache',
    },
    { name: 'ImageCache', got: () => childName('foo', '-cache'), want: 'foo-cache' },
    { name: 'KPA', got: () => podAutoscalerName('baz'), want: 'baz' },
  ];
  for (const c of cases) it(c.name, () => expect(c.got()).toBe(c.want));
});

describe('serverlessservice and configuration names (reference §4, §6)', () => {
  it('the SKS public service is the revision name; the private one `-private`', () => {
    expect(publicServiceName('hello-00001')).toBe('hello-00001');
    expect(privateServiceName('hello-00001')).toBe('hello-00001-private');
  });
  it('a Configuration names its revisions <config>-<generation, five digits>', () => {
    expect(revisionName('hello', 1)).toBe('hello-00001');
    expect(revisionName('hello', 123456)).toBe('hello-123456');
    // the kmeta rule keeps a long configuration's revision within 63 characters
    expect(revisionName('c'.repeat(63), 1)).toHaveLength(63);
    expect(revisionName('c'.repeat(63), 1).endsWith('-00001')).toBe(true);
  });
});

describe('configuration_test.go TestReconcile: the revision a Configuration creates', () => {
  const cases: { name: string; config: string; generation: number; template?: string; want: string }[] = [
    {
      name: 'create revision matching generation, with retry',
      config: 'no-revisions-yet',
      generation: 1234,
      want: 'no-revisions-yet-01234',
    },
    {
      name: 'create revision byo name',
      config: 'byo-name-create',
      generation: 1234,
      template: 'byo-name-create-foo',
      want: 'byo-name-create-foo',
    },
    {
      name: 'failure creating revision',
      config: 'create-revision-failure',
      generation: 99998,
      want: 'create-revision-failure-99998',
    },
    {
      name: 'failure updating configuration status',
      config: 'update-config-failure',
      generation: 1234,
      want: 'update-config-failure-01234',
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(configurationRevisionName(c.config, c.generation, c.template)).toBe(c.want));
  }
});
