import { describe, expect, it } from 'vitest';
import { activatorBalancing, queueProxyCapacity } from '../../src/model/dataplane.js';

describe('activator and queue-proxy rules (reference §5)', () => {
  it.each([
    [0, 'best-of-two'],
    [1, 'first-available'],
    [3, 'first-available'],
    [4, 'round-robin'],
    [100, 'round-robin'],
  ] as const)('containerConcurrency %d balances %s', (cc, policy) => {
    expect(activatorBalancing(cc)).toBe(policy);
  });

  it('lets a queue-proxy hold containerConcurrency in the container plus 10 times that queued', () => {
    expect(queueProxyCapacity(2)).toBe(22);
    expect(queueProxyCapacity(10)).toBe(110);
  });
});
