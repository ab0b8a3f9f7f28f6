/**
 * The simulator runs the cluster model's rules (the scheduler's, the cluster-autoscaler's, the
 * kubelet's pulls, CPU sharing, the HPA's): each, swapped for one that throws, fails a run that
 * needs it with its error (module-level swaps, so only calls from other modules count).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const probe = vi.hoisted(() => ({ throwing: undefined as string | undefined }));

function swapped(mod: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(mod)) {
    out[name] =
      typeof value === 'function' && !/^[A-Z]/.test(name)
        ? (...args: unknown[]) => {
            if (probe.throwing === name) throw new Error(`rule probe: ${name}`);
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value;
  }
  return out;
}

vi.mock('../../src/model/cluster/scheduler.js', async (original) =>
  swapped((await original()) as Record<string, unknown>),
);
vi.mock('../../src/model/cluster/autoscaler.js', async (original) =>
  swapped((await original()) as Record<string, unknown>),
);
vi.mock('../../src/model/cluster/cpu.js', async (original) => swapped((await original()) as Record<string, unknown>));
vi.mock('../../src/model/cluster/images.js', async (original) =>
  swapped((await original()) as Record<string, unknown>),
);
vi.mock('../../src/model/cluster/containers.js', async (original) =>
  swapped((await original()) as Record<string, unknown>),
);
vi.mock('../../src/model/hpa/reconcile.js', async (original) => swapped((await original()) as Record<string, unknown>));
vi.mock('../../src/model/hpa/spec.js', async (original) => swapped((await original()) as Record<string, unknown>));

const RULES = [
  'placePod',
  'podDemand',
  'filterNode',
  'planScaleUp',
  'nodeUnneeded',
  'triggeredScaleUpMessage',
  'shareCpu',
  'cpuDemandMillis',
  'cpuWeight',
  'needsPull',
  'pullDurationMs',
  'pulledMessage',
  'containerRequests',
  'cpuLimitMillis',
  'syncHpa',
  'hpaTargets',
  'hpaSpec',
  'hpaInputsFor',
];

const dir = mkdtempSync(join(tmpdir(), 'knsim-cluster-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// An HPA revision that computes: its second pod needs a node the cluster-autoscaler adds; the
// node's image pulls are sized; the autoscaler then looks for an unneeded node.
const SCENARIO = `
settings:
  cluster:
    nodes: [ { name: pool, cpu: 2, memory: 8Gi, pullBandwidth: 50MB/s } ]
    autoscaler: { min: 1, max: 2, provisioning: 20s, scaleDownDelayAfterAdd: 0s, scaleDownUnneeded: 1m }
  images:
    docker.io/knsim/app: { size: 100MB }
  app: { serviceTime: 200ms, cpu: 1 }
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: app }
    spec:
      template:
        metadata:
          annotations:
            autoscaling.knative.dev/class: hpa.autoscaling.knative.dev
            autoscaling.knative.dev/target: "50"
            autoscaling.knative.dev/max-scale: "2"
        spec:
          containers:
            - image: docker.io/knsim/app
              resources: { requests: { cpu: 1200m }, limits: { cpu: "1" } }
load:
  - { at: 30s, for: 2m, constant: { rps: 10 }, service: 200ms }
steps:
  - apply: svc.yaml
  - wait: { until: "ready pods == 2", timeout: 3m }
  - kubectl: get hpa
  - sleep: 2m
`;

async function run(file: string): Promise<{ code: number; stderr: string; stdout: string }> {
  const { main } = await import('../../src/cli/main.js');
  let stderr = '';
  let stdout = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(['run', file, '--log', join(dir, 'run.jsonl'), '--log-requests', 'none']);
    return { code, stderr, stdout };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('the cluster model’s rules are on the simulator’s path', () => {
  it('a run fails with the error of each rule swapped for one that throws', async () => {
    const file = join(dir, 'cluster.yaml');
    writeFileSync(file, SCENARIO);
    const clean = await run(file);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    const missed: string[] = [];
    for (const rule of RULES) {
      probe.throwing = rule;
      const { code, stderr } = await run(file);
      probe.throwing = undefined;
      if (code === 0 || !stderr.includes(`rule probe: ${rule}`)) missed.push(rule);
    }
    expect(missed).toEqual([]);
  }, 240_000);
});
