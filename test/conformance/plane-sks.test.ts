/**
 * Cases from Knative Serving's pkg/reconciler/serverlessservice/serverlessservice_test.go
 * (TestReconcile, the newest version), transcribed as data: what the SKS asked for (mode), whether
 * the private service has ready endpoints and whether activator endpoints exist, and the expected
 * mode of the public endpoints and the SKS conditions (`markHappy`, `markNoEndpoints`). Run
 * against knsim's `sksEndpointsMode`, `sksReadyCondition` and `SKS_CONDITION_SET`. Cases about
 * creating Services and Endpoints, injected API failures and ownership are outside the model
 * (docs/conformance.md lists them).
 */
import { describe, expect, it } from 'vitest';
import type { SKSMode } from '../../src/model/kpa/scaler.js';
import { applyConditions } from '../../src/model/rules/conditions.js';
import {
  activatorEndpointsCondition,
  SKS_CONDITION_SET,
  sksEndpointsMode,
  sksReadyCondition,
} from '../../src/model/rules/sks.js';

const NOW = '2026-01-01T00:00:00Z';

/** networking's MarkEndpointsNotReady("NoHealthyBackends"), mirrored on Ready. */
const noEndpoints = [
  { type: 'EndpointsPopulated', status: 'Unknown', reason: 'NoHealthyBackends', message: 'K8s Service is not ready' },
  { type: 'Ready', status: 'Unknown', reason: 'NoHealthyBackends', message: 'K8s Service is not ready' },
];
const happy = [
  { type: 'EndpointsPopulated', status: 'True' },
  { type: 'Ready', status: 'True' },
];

const cases: {
  name: string;
  requested: SKSMode;
  privateReady: number;
  activators: number;
  mode: SKSMode;
  conditions: typeof happy;
}[] = [
  { name: 'steady state', requested: 'Serve', privateReady: 1, activators: 1, mode: 'Serve', conditions: happy },
  {
    name: 'steady switch to proxy mode, with retry',
    requested: 'Proxy',
    privateReady: 0,
    activators: 1,
    mode: 'Proxy',
    conditions: noEndpoints,
  },
  {
    name: 'steady switch to proxy mode, subset',
    requested: 'Proxy',
    privateReady: 0,
    activators: 8,
    mode: 'Proxy',
    conditions: noEndpoints,
  },
  {
    name: 'steady switch to proxy mode with endpoints',
    requested: 'Proxy',
    privateReady: 1,
    activators: 1,
    mode: 'Proxy',
    conditions: happy,
  },
  {
    name: 'OnCreate-deployment-exists',
    requested: 'Serve',
    privateReady: 1,
    activators: 1,
    mode: 'Serve',
    conditions: happy,
  },
  {
    name: 'OnCreate-no-eps',
    requested: 'Serve',
    privateReady: 0,
    activators: 1,
    mode: 'Proxy',
    conditions: noEndpoints,
  },
  {
    name: 'OnCreate-no-activator-eps-service',
    requested: 'Serve',
    privateReady: 1,
    activators: 0,
    mode: 'Serve',
    conditions: happy,
  },
  {
    name: 'OnCreate-no-activator-eps-proxy',
    requested: 'Proxy',
    privateReady: 0,
    activators: 0,
    mode: 'Proxy',
    conditions: noEndpoints,
  },
];

describe('serverlessservice_test.go TestReconcile: endpoints mode and conditions', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(sksEndpointsMode(c.requested, c.privateReady, c.activators)).toBe(c.mode);
      const conditions = applyConditions(SKS_CONDITION_SET, undefined, [sksReadyCondition(c.privateReady)], NOW);
      expect(
        conditions
          .map(({ lastTransitionTime: _t, severity: _s, ...rest }) => rest)
          .sort((a, b) => a.type.localeCompare(b.type)),
      ).toEqual(c.conditions);
    });
  }

  it('pods coming back mark the SKS Ready again (markNoEndpoints → markHappy)', () => {
    const before = applyConditions(SKS_CONDITION_SET, undefined, [sksReadyCondition(0)], NOW);
    const after = applyConditions(SKS_CONDITION_SET, before, [sksReadyCondition(2)], NOW);
    expect(after.find((c) => c.type === 'Ready')?.status).toBe('True');
  });
});

/**
 * The same file's cases for ActivatorEndpointsPopulated: `withProxyMode` and `markNoEndpoints`
 * mark it populated (True), the `SKS()` default and `markHappy` leave it removed (False). The
 * mode is the SKS's spec, the one the KPA asked for.
 */
const activatorCases: { name: string; requested: SKSMode; privateReady: number; want: 'True' | 'False' }[] = [
  { name: 'steady state', requested: 'Serve', privateReady: 1, want: 'False' },
  { name: 'steady switch to proxy mode, with retry', requested: 'Proxy', privateReady: 0, want: 'True' },
  { name: 'steady switch to proxy mode, subset', requested: 'Proxy', privateReady: 0, want: 'True' },
  { name: 'steady switch to proxy mode with endpoints', requested: 'Proxy', privateReady: 1, want: 'True' },
  { name: 'OnCreate-deployment-exists', requested: 'Serve', privateReady: 1, want: 'False' },
  { name: 'OnCreate-no-eps', requested: 'Serve', privateReady: 0, want: 'True' },
  { name: 'OnCreate-no-activator-eps-service', requested: 'Serve', privateReady: 1, want: 'False' },
  { name: 'OnCreate-no-activator-eps-proxy', requested: 'Proxy', privateReady: 0, want: 'True' },
  { name: 'serving mode; serving pod comes online', requested: 'Serve', privateReady: 1, want: 'False' },
  { name: 'serving mode; no backend endpoints', requested: 'Serve', privateReady: 0, want: 'True' },
];

describe('serverlessservice_test.go TestReconcile: ActivatorEndpointsPopulated', () => {
  for (const c of activatorCases) {
    it(c.name, () => {
      const conditions = applyConditions(
        SKS_CONDITION_SET,
        undefined,
        [sksReadyCondition(c.privateReady), activatorEndpointsCondition(c.requested, c.privateReady)],
        NOW,
      );
      const activator = conditions.find((x) => x.type === 'ActivatorEndpointsPopulated');
      expect(activator).toMatchObject({
        status: c.want,
        severity: 'Info',
        reason: 'ActivatorEndpointsPopulated',
        message: 'Revision is backed by Activator',
      });
      // Informational: Ready follows EndpointsPopulated alone (TestSSTypicalFlow).
      expect(conditions.find((x) => x.type === 'Ready')?.status).toBe(c.privateReady > 0 ? 'True' : 'Unknown');
    });
  }
});
