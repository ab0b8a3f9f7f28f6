/** A fake cluster for live-mode tests: the fake API server, optionally a fake Knative, a kubeconfig on disk. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer } from './fakeApi.js';
import { FakeKnative, type FakeKnativeOptions } from './fakeKnative.js';

export const KSVC = `apiVersion: serving.knative.dev/v1
    kind: Service
    metadata:
      name: knservice
      namespace: default
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/demo`;

/** A scenario file's text with the Knative Service above as svc.yaml. */
export function liveScenario(steps: string, more = ''): string {
  return `name: fake-live
namespace: default
${more}
files:
  svc.yaml: |
    ${KSVC}
steps:
${steps}
`;
}

export interface FakeCluster {
  api: FakeApiServer;
  knative: FakeKnative | undefined;
  dir: string;
  kubeconfig: string;
  /** The fake ingress (with a Knative), else undefined. */
  target: string | undefined;
  stop(): Promise<void>;
}

/** Starts the fake API server, and a fake Knative controller and ingress unless `knative` is false. */
export async function fakeCluster(knative: FakeKnativeOptions | false = { startMs: 300 }): Promise<FakeCluster> {
  const api = new FakeApiServer();
  await api.start();
  const kn = knative === false ? undefined : new FakeKnative(api, knative);
  await kn?.start();
  const dir = mkdtempSync(join(tmpdir(), 'knsim-live-'));
  writeFileSync(join(dir, 'kubeconfig'), api.kubeconfigYaml());
  return {
    api,
    knative: kn,
    dir,
    kubeconfig: join(dir, 'kubeconfig'),
    target: kn ? `http://127.0.0.1:${kn.ingressPort}` : undefined,
    async stop() {
      await kn?.stop();
      await api.stop();
    },
  };
}

/** Waits (polling) until `done()`, or fails naming `what` after `ms`. */
export async function until(done: () => boolean, what: string, ms = 30_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
