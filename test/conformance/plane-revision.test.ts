/**
 * Cases from Knative Serving's pkg/apis/serving/v1/revision_helpers_test.go
 * (TestGetContainerConcurrency), run against knsim's `containerConcurrencyOf`, which the revision
 * reconciler (the PA's spec), the autoscaler (the decider's spec) and the data plane (breakers,
 * load balancing) all read. The other helpers there (IsReady, IsActivationRequired, …) are
 * conditions: the API section of docs/conformance.md.
 */
import { describe, expect, it } from 'vitest';
import { containerConcurrencyOf } from '../../src/model/dataplane.js';

describe('revision_helpers_test.go TestGetContainerConcurrency', () => {
  it('nil concurrency: the default, 0 (no limit)', () => expect(containerConcurrencyOf({})).toBe(0));
  it('concurrency 42', () => expect(containerConcurrencyOf({ containerConcurrency: 42 })).toBe(42));
  it('no revision spec at all reads as the default too', () => expect(containerConcurrencyOf(undefined)).toBe(0));
});
