/**
 * A pod's container ids (src/sim/controllers/deployment.ts `containerId`), kept with the pod as
 * a list of names and ids, against the plain rule: whatever the order and repeats of the asks,
 * each container's id is `containerd://` and the hash of `pod/container`, the same every time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/model/digest.js';
import { containerId } from '../../src/sim/controllers/deployment.js';

describe("a pod's container ids", () => {
  it('each the hash of pod and container, whatever the order of the asks (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.array(fc.constantFrom('user-container', 'queue-proxy', 'sidecar', 'istio-proxy'), { maxLength: 20 }),
        (pod, asks) => {
          const rt: { containerIds?: readonly string[] } = {};
          for (const container of asks) {
            expect(containerId(rt, pod, container)).toBe(`containerd://${sha256Hex(`${pod}/${container}`)}`);
          }
          // One pair a container asked about, no more.
          expect(rt.containerIds?.length ?? 0).toBe(2 * new Set(asks).size);
        },
      ),
    );
  });
});
