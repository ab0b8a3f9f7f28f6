/**
 * `kn` steps run in the simulator: what kn writes (a Service as its flags build it), the progress
 * its wait prints (each line at the instant the Service's status was written, timed from the
 * wait's start, `...` for a repeated message), and its lists and delete, as kn prints them.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import type { ObjectEvent } from '../../src/model/events.js';
import { knProgressLine, knWaitStep } from '../../src/model/rules/knClient.js';
import { ScenarioRunner } from '../../src/runner/runner.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { settingsFromScenario } from '../../src/sim/settings.js';

async function run(steps: string, seed = 5) {
  const scenario = parseScenario(
    `
config:
  config-domain: { example.com: "" }
settings: { podStartup: 3s, missingImages: [docker.io/knsim/nope] }
steps:
${steps}
`,
    'test.yaml',
  );
  const backend = new SimBackend({
    seed,
    namespace: scenario.namespace,
    settings: settingsFromScenario(scenario.settings),
  });
  await backend.start({ scenario: scenario.name, seed, namespace: scenario.namespace });
  const outcome = await new ScenarioRunner(scenario, backend).run();
  return { outcome, backend, lines: backend.log.lines };
}

/** The progress kn's wait prints for the Service's events after `from`, worked out from the log. */
function expectedProgress(lines: readonly unknown[], name: string, from: number): string {
  const out: string[] = [];
  let previous = '';
  for (const l of lines as ObjectEvent[]) {
    if (l.type !== 'object' || l.kind !== 'Service' || l.name !== name || l.t < from) continue;
    const step = knWaitStep(l.object as KubeObject);
    if (step.kind === 'ready') {
      out.push(knProgressLine(l.t - from, 'Ready to serve.'));
      break;
    }
    if (step.kind !== 'message' || step.message === '') continue;
    out.push(knProgressLine(l.t - from, step.message === previous ? '...' : step.message));
    previous = step.message;
  }
  return out.join('\n');
}

describe('kn service create', () => {
  it('creates the Service kn builds, prints its progress from the watch, then its URL', async () => {
    const { outcome, backend, lines } = await run(`
  - kn: service create hello --image docker.io/knsim/demo:v1 --env TARGET=World --scale-max 3 --concurrency-limit 5
`);
    const t = outcome.transcript;
    expect(t).toContain('[00:00.000] $ kn service create hello --image docker.io/knsim/demo:v1');
    expect(t).toContain("Creating service 'hello' in namespace 'default':\n\n");
    const progress = expectedProgress(lines, 'hello', 0);
    expect(progress).toContain('Ready to serve.');
    // At least one line before ready, and the lines are the log's instants, not the wait's polls.
    expect(progress.split('\n').length).toBeGreaterThan(2);
    expect(t).toContain(
      `\n\n${progress}\n\nService 'hello' created to latest revision 'hello-00001' is available at URL:\nhttp://hello.default.example.com\n`,
    );
    const [svc] = backend.snapshot('services.serving.knative.dev', 'default');
    const template = (
      svc as unknown as {
        spec: { template: { metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> } };
      }
    ).spec.template;
    expect(template.metadata.annotations['client.knative.dev/user-image']).toBe('docker.io/knsim/demo:v1');
    expect(template.metadata.annotations['client.knative.dev/updateTimestamp']).toBe('2026-01-01T00:00:00Z');
    expect(template.metadata.annotations['autoscaling.knative.dev/max-scale']).toBe('3');
    expect(template.spec.containerConcurrency).toBe(5);
    // kn does not write kubectl's last-applied annotation.
    expect(svc!.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();
  });

  it('refuses to create over an existing Service without --force, and says the Service is created with --no-wait', async () => {
    const { outcome } = await run(`
  - kn: service create hello --image docker.io/knsim/demo --no-wait
  - kn: service create hello --image docker.io/knsim/demo
`);
    expect(outcome.transcript).toContain(
      "$ kn service create hello --image docker.io/knsim/demo --no-wait\nService 'hello' created in namespace 'default'.\n",
    );
    expect(outcome.transcript).toContain(
      "Error: cannot create service 'hello' in namespace 'default' because the service already exists and no --force option was given\n",
    );
  });

  it('gives up when Ready stays False past the error window, with the reason and message', async () => {
    const { outcome } = await run(`
  - kn: service create broken --image docker.io/knsim/nope --wait-timeout 120
`);
    // The registry does not know the image: the revision fails when its digest cannot be resolved.
    const t = outcome.transcript;
    expect(t).toMatch(/\n {2}\d+\.\d{3}s Revision "broken-00001" failed with message: Unable to fetch image/);
    expect(t).toMatch(
      /\nError: RevisionFailed: Revision "broken-00001" failed with message: Unable to fetch image[^\n]*\n\nSummary/,
    );
    expect(t).not.toContain('Ready to serve.');
  });
});

describe('kn service update', () => {
  it('pins the image to the base revision digest, makes a new revision, and lists it with its traffic', async () => {
    const { outcome, backend } = await run(`
  - kn: service create hello --image docker.io/knsim/demo:v1
  - kn: service update hello --env TARGET=Knative
  - kn: revision list
  - kn: service list
  - kn: route list
`);
    const t = outcome.transcript;
    expect(t).toContain("Updating Service 'hello' in namespace 'default':\n\n");
    expect(t).toContain(
      "Service 'hello' updated to latest revision 'hello-00002' is available at URL:\nhttp://hello.default.example.com\n",
    );
    const [svc] = backend.snapshot('services.serving.knative.dev', 'default');
    const container = (
      svc as unknown as { spec: { template: { spec: { containers: { image: string; env: unknown }[] } } } }
    ).spec.template.spec.containers[0]!;
    expect(container.image).toMatch(/^docker\.io\/knsim\/demo@sha256:[0-9a-f]{64}$/);
    expect(container.env).toEqual([{ name: 'TARGET', value: 'Knative' }]);
    const cells = (header: string) => {
      const block = t.slice(t.indexOf(`\n${header}`) + 1).split('\n\n')[0]!;
      return block.split('\n').map((line) => line.trim().split(/ {3,}/));
    };
    expect(cells('NAME          SERVICE')).toEqual([
      ['NAME', 'SERVICE', 'TRAFFIC', 'TAGS', 'GENERATION', 'AGE', 'CONDITIONS', 'READY', 'REASON'],
      ['hello-00002', 'hello', '100%', '2', expect.stringMatching(/^\d+s$/), '4 OK / 4', 'True'],
      ['hello-00001', 'hello', '1', expect.stringMatching(/^\d+s$/), '4 OK / 4', 'True'],
    ]);
    expect(cells('NAME    URL                                LATEST')).toEqual([
      ['NAME', 'URL', 'LATEST', 'AGE', 'CONDITIONS', 'READY', 'REASON'],
      ['hello', 'http://hello.default.example.com', 'hello-00002', expect.stringMatching(/^\d+s$/), '3 OK / 3', 'True'],
    ]);
    expect(t).toContain(
      'NAME    URL                                READY\nhello   http://hello.default.example.com   True\n',
    );
  });

  it('says nothing changed when the flags change nothing, and refuses a Service that is not there', async () => {
    const { outcome } = await run(`
  - kn: service create hello --image docker.io/knsim/demo --cluster-local
  - kn: service update hello --cluster-local
  - kn: service update nobody --env A=B
`);
    expect(outcome.transcript).toContain(
      "Service 'hello' updated in namespace 'default'.\nNo new revision has been created.\n",
    );
    expect(outcome.transcript).toContain('Error: services.serving.knative.dev "nobody" not found\n');
  });
});

describe('kn service delete', () => {
  it("deletes and waits for the Service to go; a missing one is kn's error", async () => {
    const { outcome, backend } = await run(`
  - kn: service create hello --image docker.io/knsim/demo --no-wait
  - kn: service delete hello ghost
  - kn: service list
`);
    expect(outcome.transcript).toContain(
      "Service 'hello' successfully deleted in namespace 'default'.\nError: services.serving.knative.dev \"ghost\" not found\n",
    );
    expect(outcome.transcript).toContain('$ kn service list\nNo services found.\n');
    expect(backend.snapshot('services.serving.knative.dev', 'default')).toEqual([]);
  });
});

describe('kn service update --traffic', () => {
  it('splits the traffic, and says the latest revision is unchanged when only the traffic moved', async () => {
    const { outcome, backend } = await run(`
  - kn: service create hello --image docker.io/knsim/demo
  - kn: service update hello --env TARGET=v2
  - kn: service update hello --traffic hello-00001=20,@latest=80 --tag hello-00001=old
  - kn: revision list
`);
    const t = outcome.transcript;
    expect(t).toContain("Service 'hello' with latest revision 'hello-00002' (unchanged) is available at URL:\n");
    const [svc] = backend.snapshot('services.serving.knative.dev', 'default') as unknown as {
      spec: { traffic: unknown[] };
      status: { traffic: unknown[] };
    }[];
    expect(svc!.spec.traffic).toEqual([
      { latestRevision: true, percent: 80 },
      { tag: 'old', revisionName: 'hello-00001', latestRevision: false, percent: 20 },
    ]);
    expect(t).toMatch(/\nhello-00002 +hello +80% +2 /);
    expect(t).toMatch(/\nhello-00001 +hello +20% +old +1 /);
  });
});

describe('kn service wait', () => {
  it('waits for a Service created without waiting, and ends at once for one that is Ready', async () => {
    const { outcome, lines } = await run(`
  - kn: service create hello --image docker.io/knsim/demo --no-wait
  - kn: service wait hello
  - kn: service wait hello
  - kn: service wait ghost
`);
    const t = outcome.transcript;
    const first = t.slice(t.indexOf('$ kn service wait hello'));
    expect(first).toContain(
      `Waiting for Service 'hello' in namespace 'default':\n\n${expectedProgress(lines, 'hello', 0)}\n\nService 'hello' in namespace 'default' is ready.\n`,
    );
    const second = first.slice(first.indexOf('$ kn service wait hello', 5));
    expect(second).toMatch(
      /^\$ kn service wait hello\nWaiting for Service 'hello' in namespace 'default':\n\n {2}0\.000s Ready to serve\.\n\nService 'hello' in namespace 'default' is ready\.\n/,
    );
    expect(t).toContain('$ kn service wait ghost\nError: services.serving.knative.dev "ghost" not found\n');
  });
});
