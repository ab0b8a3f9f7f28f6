import { describe, expect, it } from 'vitest';
import type { Revision } from '../../src/model/api/types.js';
import { reachabilityOf, routesAnnotation, routingStateOf } from '../../src/model/rules/routing.js';

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
    [undefined, 'a', true, 'a'],
    ['a', 'a', true, 'a'],
    ['b', 'a', true, 'a,b'],
    ['c,a', 'b', true, 'a,b,c'],
    ['a', 'a', false, undefined],
    ['a,b', 'a', false, 'b'],
    ['b', 'a', false, 'b'],
    [undefined, 'a', false, undefined],
  ] as const)('routes %j, %s referenced %s: %j', (current, route, referenced, next) => {
    expect(routesAnnotation(current, route, referenced)).toBe(next);
  });

  it('a revision is active while any Route lists it, reserve once none does', () => {
    expect(routingStateOf('a,b')).toBe('active');
    expect(routingStateOf(undefined)).toBe('reserve');
  });
});
