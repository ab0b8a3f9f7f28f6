/**
 * `knsim sweep --cluster`: the Job and ConfigMap it makes (client-node's types; the files the
 * scenario names, at their paths), `--dry-run`, and runs against a fake API server whose
 * kubelet runs the Job's own command for each completion index: the merged table is the one the
 * sweep prints on one machine; Ctrl-C, a failed shard and an unreachable cluster delete what was
 * created (and nothing else) and exit 130, 3, 3.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumpYaml, loadAllYaml } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { loadScenario } from '../../src/runner/simulate.js';
import { parseAxes } from '../../src/runner/sweep/grid.js';
import { JobManifestError, jobName, shellWord, sweepJobObjects } from '../../src/runner/sweep/job.js';
import { gridIdentity } from '../../src/runner/sweep/shard.js';
import { BIN, knsim, knsimInProcess, REPO, scratch } from '../cli/helpers.js';
import { FakeJobApi, type KubeletMode } from './fakeJobApi.js';

const COLD = 'test/results/fixtures/cold-burst.yaml';
const SETS = ['--set', 'containerConcurrency=0,10', '--set', 'target-burst-capacity=0,200'];

function objects(file: string, sets: string[]) {
  const scenario = loadScenario(file);
  const axes = parseAxes(sets);
  return sweepJobObjects({
    scenario,
    file,
    axes,
    identity: gridIdentity(scenario, file, axes, 1, '0.1.0'),
    limitArgs: [],
    shards: 3,
    parallelism: 2,
    image: 'knsim:0.1.0',
    cpu: '2',
    memory: '1Gi',
    threads: 2,
  });
}

describe('the Job and ConfigMap of a sweep', () => {
  it("hold only fields client-node's V1Job and V1ConfigMap know, and agree with each other", () => {
    const { job, configMap } = objects(COLD, ['containerConcurrency=0,10']);
    for (const o of [configMap, job]) {
      const [typed] = loadAllYaml(JSON.stringify(o));
      expect(parseYaml(dumpYaml(typed))).toEqual(JSON.parse(JSON.stringify(o)));
    }
    expect(job.spec?.completionMode).toBe('Indexed');
    expect(job.spec?.completions).toBe(3);
    expect(job.spec?.parallelism).toBe(2);
    const container = job.spec?.template.spec?.containers[0];
    expect(container?.command?.[2]).toBe(
      'exec knsim sweep cold-burst.yaml --set containerConcurrency=0,10 --jobs 2 --shard "$((JOB_COMPLETION_INDEX + 1))/3"',
    );
    expect(container?.resources?.limits).toEqual({ cpu: '2', memory: '1Gi' });
    expect(job.spec?.template.spec?.volumes?.[0]?.configMap?.name).toBe(configMap.metadata?.name);
    expect(configMap.metadata?.name).toMatch(/^knsim-sweep-[0-9a-f]{12}$/);
  });

  it('mount the scenario with the trace files its load names, at their paths', () => {
    const { job, configMap } = objects('scenarios/diurnal-24h.yaml', ['containerConcurrency=0,10']);
    const items = job.spec?.template.spec?.volumes?.[0]?.configMap?.items ?? [];
    expect(items.map((i) => i.path)).toEqual([
      'diurnal-24h.yaml',
      'traces/azure2019-sample-invocations.csv',
      'traces/azure2019-sample-durations.csv',
    ]);
    for (const i of items) expect(i.key).toMatch(/^[-._a-zA-Z0-9]+$/);
    expect(configMap.data?.[items[1]!.key]).toContain(',http,');
  });

  it('mount the manifests its steps apply by path, at their paths', () => {
    const svc = readFileSync(COLD, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('    '))
      .map((l) => l.slice(4))
      .join('\n');
    const dir = scratch({
      's.yaml': 'name: by-path\nsteps:\n  - apply: manifests/svc.yaml\n  - sleep: 1m\n',
    });
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(join(dir, 'manifests/svc.yaml'), `${svc}\n`);
    const { job, configMap } = objects(join(dir, 's.yaml'), ['containerConcurrency=0']);
    const items = job.spec?.template.spec?.volumes?.[0]?.configMap?.items ?? [];
    expect(items.map((i) => i.path)).toEqual(['s.yaml', 'manifests/svc.yaml']);
    expect(configMap.data?.[items[1]!.key]).toContain('kind: Service');
  });

  it('refuse a file outside the scenario’s directory, and quote what the shell must not read', () => {
    const dir = scratch({
      'outside.csv': 'x\n',
    });
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    const text = readFileSync('scenarios/diurnal-24h.yaml', 'utf8').replace(
      'traces/azure2019-sample-invocations.csv',
      '../outside.csv',
    );
    writeFileSync(join(sub, 's.yaml'), text);
    expect(() => objects(join(sub, 's.yaml'), ['containerConcurrency=0'])).toThrow(JobManifestError);
    expect(shellWord('stable-window=30s,60s')).toBe('stable-window=30s,60s');
    expect(shellWord("it's $(x)")).toBe(`'it'\\''s $(x)'`);
  });

  it('are named by the grid: the same grid, the same name', () => {
    const scenario = loadScenario(COLD);
    const axes = parseAxes(['containerConcurrency=0,10']);
    expect(jobName(gridIdentity(scenario, COLD, axes, 1, '0.1.0'))).toBe(
      jobName(gridIdentity(scenario, COLD, axes, 1, '0.1.0')),
    );
    expect(jobName(gridIdentity(scenario, COLD, axes, 2, '0.1.0'))).not.toBe(
      jobName(gridIdentity(scenario, COLD, axes, 1, '0.1.0')),
    );
  });
});

describe('knsim sweep --cluster --dry-run', () => {
  it('prints the ConfigMap and the Job as YAML, the same twice, without anchors', async () => {
    const args = [
      'sweep',
      COLD,
      ...SETS,
      '--cluster',
      '--dry-run',
      '--shards',
      '3',
      '--image',
      'registry.example/knsim:1',
      '-n',
      'sweeps',
    ];
    const a = await knsimInProcess(args);
    expect(a.status, a.stderr).toBe(0);
    expect((await knsimInProcess(args)).stdout).toBe(a.stdout);
    const docs = parseAllDocuments(a.stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'Job']);
    expect(docs[1].metadata.namespace).toBe('sweeps');
    expect(docs[1].spec.template.spec.containers[0].image).toBe('registry.example/knsim:1');
    expect(a.stdout).not.toMatch(/[&*]a\d/);
  });

  it.each([
    [['--dry-run'], '--dry-run goes with --cluster'],
    [['--shards', '3'], '--shards goes with --cluster'],
    [['--cluster', '--shard', '1/2'], '--shard runs one shard here; --cluster runs them all'],
    [['--cluster', '--dry-run', '--cpu', 'lots'], '--cpu lots: expected a CPU quantity'],
    [['--cluster', '--dry-run', '--shards', '2', '--parallelism', '3'], '--parallelism 3 is more than the 2 shards'],
    [['--cluster', '--shards', '0'], `option '--shards <n>' argument '0' is invalid`],
  ])('refuses %j', async (extra, message) => {
    const r = await knsimInProcess(['sweep', COLD, ...SETS, ...extra]);
    expect(r.stderr).toContain(message);
    expect(r.status).toBe(2);
  });
});

/** Runs knsim (the real binary) while the fake server answers in this process. */
function start(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, KNSIM_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 300_000);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, done };
}

describe('knsim sweep --cluster against a fake API server', () => {
  let api: FakeJobApi | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });
  const fake = async (mode: KubeletMode) => {
    api = new FakeJobApi(mode);
    await api.start();
    return { api, kubeconfig: api.kubeconfig(scratch()) };
  };
  const calls = (a: FakeJobApi) => a.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

  it('runs the shards as pods and prints the table one machine prints; deletes the Job and ConfigMap', async () => {
    const { api, kubeconfig } = await fake('run');
    const run = start([
      'sweep',
      COLD,
      ...SETS,
      '--cluster',
      '--kubeconfig',
      kubeconfig,
      '--shards',
      '3',
      '--parallelism',
      '2',
    ]);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    const local = knsim(['sweep', COLD, ...SETS]);
    expect(r.stdout).toBe(local.stdout);
    const name = /job sweeps\/(knsim-sweep-[0-9a-f]+)/.exec(r.stderr)?.[1];
    expect(calls(api)).toEqual([
      `POST /apis/batch/v1/namespaces/sweeps/jobs`,
      `POST /api/v1/namespaces/sweeps/configmaps`,
      `DELETE /api/v1/namespaces/sweeps/configmaps/${name}`,
      `DELETE /apis/batch/v1/namespaces/sweeps/jobs/${name}`,
    ]);
    // The ConfigMap belongs to the Job; each delete names the uid it created.
    const [jobPost, cmPost, cmDelete, jobDelete] = api.requests.filter((q) => q.method !== 'GET');
    expect(
      (cmPost!.body as { metadata: { ownerReferences: { kind: string }[] } }).metadata.ownerReferences[0]?.kind,
    ).toBe('Job');
    expect(jobDelete!.body).toMatchObject({
      propagationPolicy: 'Background',
      preconditions: { uid: expect.any(String) },
    });
    expect(cmDelete!.body).toMatchObject({ preconditions: { uid: expect.any(String) } });
    expect(jobPost!.body).toMatchObject({ spec: { completions: 3, parallelism: 2 } });
    expect(api.jobs.size).toBe(0);
    expect(api.configMaps.size).toBe(0);
  }, 300_000);

  it('Ctrl-C deletes the Job and its ConfigMap and exits 130', async () => {
    const { api, kubeconfig } = await fake('hang');
    const run = start(['sweep', COLD, ...SETS, '--cluster', '--kubeconfig', kubeconfig]);
    const deadline = Date.now() + 120_000;
    while (api.configMaps.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(api.jobs.size).toBe(1);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGINT: deleting the Job');
    expect(api.jobs.size).toBe(0);
    expect(api.configMaps.size).toBe(0);
    expect(r.stdout).toBe('');
  }, 300_000);

  it('a failed shard: exit 3 with the pod’s last line, and nothing left behind', async () => {
    const { api, kubeconfig } = await fake('fail');
    const r = await start(['sweep', COLD, ...SETS, '--cluster', '--kubeconfig', kubeconfig]).done;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /knsim: job sweeps\/knsim-sweep-\w+ failed: FailedIndexes: Job has failed indexes \(failed completion indexes [0-9,]+\); shard 1 \(pod \S+\) said: knsim: scenario\.yaml: something the test made fail/,
    );
    expect(api.jobs.size).toBe(0);
    expect(api.configMaps.size).toBe(0);
  }, 300_000);

  it('a Job of the same grid already there is left alone: exit 3, nothing deleted', async () => {
    const { api, kubeconfig } = await fake('hang');
    const dry = await knsimInProcess(['sweep', COLD, ...SETS, '--cluster', '--dry-run']);
    const job = parseAllDocuments(dry.stdout)[1]!.toJS();
    const pre = await fetch(`${api.url}/apis/batch/v1/namespaces/sweeps/jobs`, {
      method: 'POST',
      body: JSON.stringify(job),
    });
    expect(pre.status).toBe(201);
    const r = await start(['sweep', COLD, ...SETS, '--cluster', '--kubeconfig', kubeconfig]).done;
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('already exists: a sweep of this grid runs there');
    expect(api.jobs.size).toBe(1);
    expect(calls(api).filter((c) => c.startsWith('DELETE'))).toEqual([]);
  }, 300_000);

  it('an unreachable cluster: exit 3, one line', async () => {
    const { api, kubeconfig } = await fake('hang');
    await api.stop();
    const r = await start(['sweep', COLD, ...SETS, '--cluster', '--kubeconfig', kubeconfig]).done;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^knsim: cannot reach the cluster at http:\/\/127\.0\.0\.1:\d+: connection refused\n$/);
  }, 120_000);
});
