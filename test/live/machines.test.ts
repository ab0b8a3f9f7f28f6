/**
 * Live mode runs the model's lifecycle machines on the cluster's watch events: their milestones
 * are the live log's narration, and a move the (fake) cluster makes that the model forbids is a
 * `divergence` in the log and in the transcript.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEventLog } from '../../src/io/logReader.js';
import { RULE_INITIALIZED_NEVER_GOES_BACK } from '../../src/model/machines/revision.js';
import { runLive } from '../../src/runner/live.js';
import { FakeApiServer } from './fakeApi.js';
import { FakeKnative } from './fakeKnative.js';

const SCENARIO = `name: fake-live-lifecycles
namespace: default
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata:
      name: knservice
      namespace: default
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/demo
config:
  config-domain: { example.com: "" }
steps:
  - apply: svc.yaml
  - wait: ksvc knservice Ready
  - wait: { until: "revision knservice-00001 Ready", timeout: 2m }
  - sleep: 3s
  - kubectl: get ksvc
`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function until(what: string, done: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('live mode runs the lifecycle machines', () => {
  it('narrates from the watch and logs a divergence when the cluster moves a Ready revision back to Deploying', async () => {
    const api = new FakeApiServer();
    await api.start();
    const knative = new FakeKnative(api, { startMs: 300 });
    await knative.start();
    cleanups.push(async () => {
      await knative.stop();
      await api.stop();
    });
    const dir = mkdtempSync(join(tmpdir(), 'knsim-live-machines-'));
    writeFileSync(join(dir, 'kubeconfig'), api.kubeconfigYaml());
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, SCENARIO);
    const logFile = join(dir, 'live.jsonl');
    let transcript = '';
    const running = runLive({
      file,
      kubeconfig: join(dir, 'kubeconfig'),
      target: `http://127.0.0.1:${knative.ingressPort}`,
      log: logFile,
      write: (s) => {
        transcript += s;
      },
      note: () => {},
      signals: new EventEmitter(),
      watchBackoffMs: 20,
    });

    // Once the Service is Ready, the fake cluster does what Knative never does.
    const ready = (kind: string, name: string) => {
      const obj = api.get('serving.knative.dev/v1', kind, 'default', name);
      const conditions = (obj?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
      return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    };
    await until('the Service to be Ready', () => ready('Service', 'knservice'));
    await until('the run to pass its waits', () => transcript.includes('waited until revision knservice-00001 Ready'));
    const revision = api.get('serving.knative.dev/v1', 'Revision', 'default', 'knservice-00001')!;
    api.put({
      ...revision,
      status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Deploying' }] },
    });

    const outcome = await running;
    expect(outcome.exitCode, transcript).toBe(0);
    const { events } = parseEventLog(readFileSync(logFile, 'utf8'), logFile);
    const divergences = events.filter((e) => e.type === 'divergence');
    expect(divergences).toEqual([
      expect.objectContaining({
        kind: 'Revision',
        namespace: 'default',
        name: 'knservice-00001',
        from: 'Ready',
        to: 'Deploying',
        rule: RULE_INITIALIZED_NEVER_GOES_BACK,
      }),
    ]);
    expect(transcript).toContain(
      `# divergence: Revision knservice-00001 went from Ready to Deploying, which the model does not allow (${RULE_INITIALIZED_NEVER_GOES_BACK})`,
    );
    // The machines' milestones are the live log's narration, in the simulator's words.
    const said = events.flatMap((e) => (e.type === 'narration' ? [e.text] : []));
    expect(said).toContain('revision knservice-00001 is Ready: its first pod passed readiness');
    expect(said).toContain(
      'service knservice is Ready at http://knservice.default.example.com, serving knservice-00001',
    );
  }, 90_000);
});
