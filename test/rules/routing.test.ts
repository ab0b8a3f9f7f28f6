import { describe, expect, it } from 'vitest';
import type { Revision } from '../../src/model/api/types.js';
import { nextRoutingState, reachabilityOf } from '../../src/model/rules/routing.js';

const rev = (state?: string): Revision => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Revision',
  metadata: { name: 'hello-00001', labels: state ? { 'serving.knative.dev/routingState': state } : {} },
  spec: {},
});

describe('routing state', () => {
  it.each([
    ['active', 'Reachable'],
    ['reserve', 'Unreachable'],
    ['pending', ''],
    [undefined, ''],
  ])('a %s revision makes its PA %j', (state, reachability) => {
    expect(reachabilityOf(rev(state))).toBe(reachability);
  });

  it.each([
    ['pending', true, 'active'],
    ['pending', false, 'pending'],
    ['active', false, 'reserve'],
    ['reserve', false, 'reserve'],
    ['reserve', true, 'active'],
  ] as const)('%s, routed %s: %s', (current, routed, next) => {
    expect(nextRoutingState(current, routed)).toBe(next);
  });
});
