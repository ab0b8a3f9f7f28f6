/**
 * Builds a simulated run without a scenario file: one Knative Service, optional ConfigMaps and
 * annotations, a load spec, then time passes to the end. Used by the benchmarks.
 */
import { SimBackend } from '../src/backends/sim.js';
import { defaultNodeGroup } from '../src/model/cluster/nodes.js';
import type { RunResults } from '../src/results/results.js';
import { EventLog } from '../src/sim/log.js';
import { defaultSimSettings } from '../src/sim/settings.js';

export interface SimRunOptions {
  seed?: number;
  load: unknown[];
  durationMs: number;
  config?: Record<string, Record<string, string>>;
  annotations?: Record<string, string>;
  containerConcurrency?: number;
  baseDir?: string;
  /**
   * More than one Service (named s00000, s00001, …), each with the load `loadFor(i, host)` gives
   * it; `load` is then ignored.
   */
  services?: number;
  loadFor?: (i: number, host: string) => unknown[];
  /** Nodes of 110 pods and 64 CPUs each, instead of the default minikube-like node (for runs of many pods). */
  nodes?: number;
  /** Advance time in steps of this many ms, calling onStep after each (e.g. to sample RSS). */
  stepMs?: number;
  onStep?: () => void;
  /** Called at the end of the run, while the cluster is still alive (e.g. to measure its heap). */
  onEnd?: () => void;
}

export interface SimRunOutcome {
  results: RunResults;
  wallMs: number;
  /** CPU time of this thread's process over the run (user + system): steadier than wall time on a busy machine. */
  cpuMs: number;
  events: number;
}

export async function simRun(o: SimRunOptions): Promise<SimRunOutcome> {
  const log = new EventLog({ keep: false, requestSampling: 0 });
  const count = o.services ?? 1;
  // Room for every Service's pods: a node (the kubelet's 110 pods, 64 CPUs) per 100 Services.
  const settings = defaultSimSettings();
  if (count > 1 || o.nodes) {
    const nodes = o.nodes ?? Math.ceil(count / 100) + 1;
    const group = { ...defaultNodeGroup(), count: nodes, cpuMillis: 64_000, memoryBytes: 2 ** 38 };
    settings.cluster = { ...settings.cluster, groups: [group] };
  }
  // No step reads pod logs here: no access lines, as a scenario run without a `kubectl logs` step.
  const backend = new SimBackend({ seed: o.seed ?? 1, namespace: 'default', log, settings, accessLines: 'off' });
  await backend.start({ scenario: 'bench', seed: o.seed ?? 1, namespace: 'default' } as never);
  if (o.config) await backend.configure(o.config);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const names = count === 1 ? ['bench'] : Array.from({ length: count }, (_, i) => `s${String(i).padStart(5, '0')}`);
  await backend.apply(
    names.map(
      (name) =>
        ({
          apiVersion: 'serving.knative.dev/v1',
          kind: 'Service',
          metadata: { name, namespace: 'default' },
          spec: {
            template: {
              metadata: { annotations: o.annotations ?? {} },
              spec: {
                ...(o.containerConcurrency !== undefined ? { containerConcurrency: o.containerConcurrency } : {}),
                containers: [{ image: 'docker.io/knsim/demo' }],
              },
            },
          },
        }) as never,
    ),
    'bench.yaml',
  );
  const load = o.loadFor ? names.flatMap((name, i) => o.loadFor!(i, `${name}.default.svc.cluster.local`)) : o.load;
  await backend.startLoad(load, o.baseDir ?? process.cwd(), `http://${names[0]}.default.svc.cluster.local`);
  if (o.stepMs) {
    for (let t = o.stepMs; t < o.durationMs; t += o.stepMs) {
      await backend.sleepUntil(t);
      o.onStep?.();
    }
  }
  await backend.sleepUntil(o.durationMs);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  o.onEnd?.();
  return {
    results: backend.results.results(),
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    events: backend.cluster.engine.delivered,
  };
}
