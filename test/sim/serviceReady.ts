import type { SimBackend } from '../../src/backends/sim.js';

/**
 * Runs the simulated clock until the namespace's first Knative Service reports Ready=True, or
 * until `deadline` (simulated ms); the tests that drive a SimBackend by hand start from there.
 */
export function untilServiceReady(b: SimBackend, deadline: number, namespace = 'default'): Promise<boolean> {
  return b.waitUntil(() => {
    const ksvc = b.snapshot('services.serving.knative.dev', namespace)[0];
    const ready = (ksvc?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.find(
      (c) => c.type === 'Ready',
    );
    return ready?.status === 'True';
  }, deadline);
}
