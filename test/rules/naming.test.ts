import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Random } from '../../src/model/random.js';
import {
  childName,
  deploymentName,
  generateName,
  isValidByoRevisionName,
  podName,
  privateServiceName,
  replicaSetHash,
  revisionName,
} from '../../src/model/rules/naming.js';

/** A deterministic Random cycling through the given values. */
function cycle(...values: number[]): Random {
  let i = 0;
  return () => values[i++ % values.length]!;
}

describe('revision names', () => {
  it('are the configuration name and the generation as five digits', () => {
    expect(revisionName('hello', 1)).toBe('hello-00001');
    expect(revisionName('knservice', 12)).toBe('knservice-00012');
    expect(revisionName('hello', 99_999)).toBe('hello-99999');
  });

  it('simply grow wider past 99999', () => {
    expect(revisionName('hello', 100_000)).toBe('hello-100000');
  });

  it('round-trip the generation', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]([-a-z0-9]{0,80}[a-z0-9])?$/),
        fc.integer({ min: 1, max: 10_000_000 }),
        (config, generation) => {
          const name = revisionName(config, generation);
          expect(Number(/-(\d{5,})$/.exec(name)?.[1])).toBe(generation);
          expect(name.length).toBeLessThanOrEqual(63);
        },
      ),
    );
  });

  it('a BYO name must start with "<config>-"', () => {
    expect(isValidByoRevisionName('hello', 'hello-v2')).toBe(true);
    expect(isValidByoRevisionName('hello', 'hellov2')).toBe(false);
    expect(isValidByoRevisionName('hello', 'other-v2')).toBe(false);
  });
});

describe('child names (kmeta.ChildName)', () => {
  it('appends the suffix when the result fits in 63 characters', () => {
    expect(childName('asdf', '-deployment')).toBe('asdf-deployment');
    expect(deploymentName('hello-00001')).toBe('hello-00001-deployment');
    expect(privateServiceName('hello-00001')).toBe('hello-00001-private');
  });

  it('replaces the tail of a long parent by its md5, keeping the suffix (knative/pkg test cases)', () => {
    const parent = 'f'.repeat(63);
    expect(childName(parent, '-deployment')).toBe('ffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-deployment');
    expect(childName(parent, '-deploy')).toBe('ffffffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-deploy');
  });

  it('hashes parent and suffix together when the suffix leaves no room', () => {
    const got = childName('a'.repeat(40), `-${'s'.repeat(40)}`);
    expect(got).toHaveLength(63);
    expect(got.startsWith('a'.repeat(31))).toBe(true);
  });

  it('is the plain concatenation up to 63 characters, and exactly 63 beyond', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), fc.string({ maxLength: 80 }), (parent, suffix) => {
        const got = childName(parent, suffix);
        if (parent.length + suffix.length <= 63) expect(got).toBe(parent + suffix);
        else expect(got).toHaveLength(63);
      }),
    );
  });
});

describe('pod names', () => {
  it('look like <rev>-deployment-<10-char hash>-<5 chars>', () => {
    const hash = replicaSetHash(cycle(0.1, 0.5, 0.9));
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    const name = podName('knservice-00001', '57f695cdc6', cycle(0.3, 0.7));
    expect(name).toMatch(/^knservice-00001-deployment-57f695cdc6-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('are reproducible from the same random stream', () => {
    expect(podName('a-00001', '57f695cdc6', cycle(0.42))).toBe(podName('a-00001', '57f695cdc6', cycle(0.42)));
  });

  it('cut a long generateName base to 58 characters before the random part', () => {
    const name = generateName(`${'x'.repeat(70)}-`, cycle(0));
    expect(name).toBe(`${'x'.repeat(58)}bbbbb`);
  });
});
