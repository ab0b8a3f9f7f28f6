import type { SimCluster } from '../../src/sim/cluster.js';

/** Sends `count` requests of `serviceMs` each to `host` at each burst's time (simulated ms). */
export function sendBursts(
  cluster: SimCluster,
  host: string,
  bursts: readonly (readonly [atMs: number, count: number, serviceMs: number])[],
): void {
  for (const [atMs, count, serviceMs] of bursts) {
    cluster.engine.at(atMs, () => {
      for (let i = 0; i < count; i++) cluster.send(host, serviceMs, () => {});
    });
  }
}
