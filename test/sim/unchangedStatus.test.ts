import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenarioFile } from '../../src/runner/simulate.js';
import { UnchangedStatus } from '../../src/sim/controllers/statusMemo.js';
import { dataEqual } from '../../src/sim/store.js';

// Status writes the controllers leave out (SKS, PodAutoscaler, ReplicaSet, Deployment) because they would
// change nothing, and Endpoints and EndpointSlice writes likewise: each one left out is made
// anyway here and compared with what is stored. A skip that drops a write that changes
// something fails here.
const SCENARIOS = [
  'scenarios/idle-to-zero.yaml',
  'scenarios/scale-down-delay.yaml',
  'scenarios/new-revision-idle.yaml',
  'scenarios/panic-exit-undo.yaml',
  'scenarios/two-namespaces.yaml',
  'scenarios/burst-from-zero-503.yaml',
];

describe('status writes left out as changing nothing', () => {
  const skipped = new Map<string, number>();
  const dropped: { kind: string; stored: unknown; made: unknown }[] = [];
  beforeAll(() => {
    UnchangedStatus.verify = (kind, stored, made) => {
      skipped.set(kind, (skipped.get(kind) ?? 0) + 1);
      const status = made();
      if (!dataEqual(stored, status)) dropped.push({ kind, stored, made: status });
    };
  });
  afterAll(() => {
    UnchangedStatus.verify = undefined;
  });

  for (const file of SCENARIOS) {
    it(`${file}: every write left out would have changed nothing`, async () => {
      const run = await runScenarioFile(file);
      expect(run.ok).toBe(true);
      expect(dropped.slice(0, 3)).toEqual([]);
    });
  }

  it('leaves out writes of each kind', () => {
    expect(skipped.get('ServerlessService') ?? 0).toBeGreaterThan(0);
    expect(skipped.get('PodAutoscaler') ?? 0).toBeGreaterThan(0);
    expect(skipped.get('ReplicaSet') ?? 0).toBeGreaterThan(0);
    expect(skipped.get('Deployment') ?? 0).toBeGreaterThan(0);
    expect(skipped.get('endpoints') ?? 0).toBeGreaterThan(0);
    expect(skipped.get('endpointslices.discovery.k8s.io') ?? 0).toBeGreaterThan(0);
  });
});
