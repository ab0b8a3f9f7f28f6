/**
 * The seed walk-through with the real kubectl against the real `knsim serve` command (spawned),
 * at 30x: apply, the four Knative tables, pods, scale to zero, a cold request through the
 * ingress, the fresh pod.
 *
 * At 30x the default 60 s stable window is 2 s of real time, less than a busy machine may take
 * to run a few kubectl commands; so the pods are held by a one-hour stable window (set in
 * config-autoscaler, as a user would) while the tables are read, and a short one lets the
 * revision scale to zero. Nothing waits on a wall-clock guess.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTICLE_YAML, eventually, HAS_KUBECTL, ingress, type KubectlResult, kubectl } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');

const autoscalerYaml = (stableWindow: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-autoscaler
  namespace: knative-serving
data:
  stable-window: ${stableWindow}
`;

let child: ChildProcess;
let dir: string;
let kubeconfig: string;
let ingressPort = 0;
let output = '';

const k = (...args: string[]): Promise<KubectlResult> => kubectl(kubeconfig, join(dir, 'cache'), args);

/** A table's lines split into cells (kubectl pads with spaces; cells here have none). */
const rows = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'knsim-seed-'));
  kubeconfig = join(dir, 'kubeconfig');
  // The manifests docs/serve.md applies, as shipped.
  writeFileSync(join(dir, 'article.yaml'), readFileSync(join(ROOT, 'scenarios/manifests/article.yaml')));
  writeFileSync(join(dir, 'config-domain.yaml'), readFileSync(join(ROOT, 'scenarios/manifests/config-domain.yaml')));
  writeFileSync(join(dir, 'config-autoscaler.yaml'), autoscalerYaml('1h'));
  child = spawn(
    process.execPath,
    ['bin/knsim.js', 'serve', '--port', '0', '--ingress-port', '0', '--speed', '30', '--kubeconfig-out', kubeconfig],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  await eventually(async () => (/Press Ctrl-C/.test(output) ? true : undefined), 30_000, 50);
  ingressPort = Number(/ingress on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAS_KUBECTL)('knsim serve with the real kubectl: the seed walk-through', () => {
  it('prints where it listens and writes a kubeconfig', () => {
    expect(output).toMatch(/Kubernetes API on https?:\/\/127\.0\.0\.1:\d+, ingress on http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toContain(`export KUBECONFIG=${kubeconfig}`);
    const config = readFileSync(kubeconfig, 'utf8');
    expect(config).toContain('current-context: knsim');
    expect(config).toMatch(/token: [0-9a-f]{48}/);
    expect(ingressPort).toBeGreaterThan(0);
  });

  it('replays the article', async () => {
    const domain = await k('apply', '-f', join(dir, 'config-domain.yaml'));
    // As after Knative's own `kubectl apply` install: no missing-annotation warning.
    expect(domain).toMatchObject({ code: 0, stdout: 'configmap/config-domain configured\n', stderr: '' });
    const holding = await k('apply', '-f', join(dir, 'config-autoscaler.yaml'));
    expect(holding).toMatchObject({ code: 0, stdout: 'configmap/config-autoscaler configured\n' });
    const applied = await k('apply', '-f', join(dir, 'article.yaml'));
    expect(applied).toMatchObject({ code: 0, stdout: 'service.serving.knative.dev/knservice created\n' });

    const ready = await k('wait', '--for=condition=Ready', 'ksvc/knservice', '--timeout=20s');
    expect(ready.stdout).toBe('service.serving.knative.dev/knservice condition met\n');

    // The snapshots at once (the one-hour stable window keeps the pod).
    const [ksvc, cfg, rt, rev, po, wide, deploy] = await Promise.all([
      k('get', 'ksvc'),
      k('get', 'configurations'),
      k('get', 'routes'),
      k('get', 'revision'),
      k('get', 'pods'),
      k('get', 'pods', '-o', 'wide'),
      k('get', 'deploy', '-o', 'wide'),
    ]);
    expect(rows(wide.stdout)[0]).toEqual([
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    expect(rows(deploy.stdout)[0]).toEqual([
      'NAME',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'AGE',
      'CONTAINERS',
      'IMAGES',
      'SELECTOR',
    ]);
    expect(rows(deploy.stdout)[1]?.[0]).toBe('knservice-00001-deployment');
    expect(ksvc.stdout).toBe(
      'NAME        URL                                    LATESTCREATED     LATESTREADY       READY   REASON\n' +
        'knservice   http://knservice.default.example.com   knservice-00001   knservice-00001   True    \n',
    );
    expect(cfg.stdout).toBe(
      'NAME        LATESTCREATED     LATESTREADY       READY   REASON\n' +
        'knservice   knservice-00001   knservice-00001   True    \n',
    );
    expect(rt.stdout).toBe(
      'NAME        URL                                    READY   REASON\n' +
        'knservice   http://knservice.default.example.com   True    \n',
    );
    const revision = rows(rev.stdout);
    expect(revision[0]).toEqual([
      'NAME',
      'CONFIG NAME',
      'GENERATION',
      'READY',
      'REASON',
      'ACTUAL REPLICAS',
      'DESIRED REPLICAS',
    ]);
    expect(revision[1]?.slice(0, 4)).toEqual(['knservice-00001', 'knservice', '1', 'True']);

    const pods = rows(po.stdout);
    expect(pods[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(pods).toHaveLength(2);
    expect(pods[1]?.[0]).toMatch(/^knservice-00001-deployment-[a-z0-9]+-[a-z0-9]{5}$/);
    expect(pods[1]?.slice(1, 4)).toEqual(['2/2', 'Running', '0']);
    // AGE in kubectl's words (45s, 2m8s, 12m): how much, at 30x, depends on the machine.
    expect(pods[1]?.[4]).toMatch(/^(\d+[smhd])+$/);

    // Scale to zero: a 6 s stable window + 30 s grace/drain of simulated time, ~1.5 s at 30x.
    writeFileSync(join(dir, 'config-autoscaler.yaml'), autoscalerYaml('6s'));
    expect((await k('apply', '-f', join(dir, 'config-autoscaler.yaml'))).code).toBe(0);
    const gone = await eventually(async () => {
      const r = await k('get', 'pods');
      return r.stdout === '' && r.stderr === 'No resources found in default namespace.\n' ? r : undefined;
    }, 90_000);
    expect(gone.code).toBe(0);

    // Scale from zero: the request is held while a pod starts, then answered; the pod then
    // stays for the stable window, again an hour.
    writeFileSync(join(dir, 'config-autoscaler.yaml'), autoscalerYaml('1h'));
    expect((await k('apply', '-f', join(dir, 'config-autoscaler.yaml'))).code).toBe(0);
    const reply = await ingress(ingressPort, 'knservice.default.example.com');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('Hello Knative!\n');
    expect(reply.headers['x-knsim-cold']).toBe('true');

    const fresh = rows((await k('get', 'pods')).stdout);
    expect(fresh).toHaveLength(2);
    expect(fresh[1]?.slice(1, 4)).toEqual(['2/2', 'Running', '0']);
    expect(fresh[1]?.[0]).not.toBe(pods[1]?.[0]);

    const unknown = await ingress(ingressPort, 'nothing.default.example.com');
    expect(unknown.status).toBe(404);
  });

  it('answers kubectl errors as a real cluster does', async () => {
    const missing = await k('get', 'ksvc', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error from server (NotFound): services.serving.knative.dev "nope" not found\n');
    const bad = ARTICLE_YAML.replace('name: knservice', 'name: bad').replace(
      '- image: docker.io/knsim/demo',
      '- image: docker.io/knsim/demo\n          ports:\n            - containerPort: 8012',
    );
    writeFileSync(join(dir, 'bad.yaml'), bad);
    const denied = await k('apply', '-f', join(dir, 'bad.yaml'));
    expect(denied.code).toBe(1);
    expect(denied.stderr).toBe(
      `Error from server (BadRequest): error when creating "${join(dir, 'bad.yaml')}": admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: invalid value: 8012 is a reserved port: spec.template.spec.containers[0].ports.containerPort\n8012 is a reserved port, please use a different value\n`,
    );
    const unknownType = await k('get', 'widgets');
    expect(unknownType.stderr).toContain('error: the server doesn\'t have a resource type "widgets"');
  });

  it('supports the other everyday commands: create, label, -o json, -w, delete -f, wait --for=delete', async () => {
    // Its own Service in its own namespace: the test holds whatever order the others run in.
    writeFileSync(
      join(dir, 'everyday.yaml'),
      ARTICLE_YAML.replace('name: knservice', 'name: everyday').replace('namespace: default', 'namespace: demo'),
    );
    expect((await k('create', 'namespace', 'demo')).stdout).toBe('namespace/demo created\n');
    expect((await k('create', 'configmap', 'lit', '-n', 'demo', '--from-literal=a=b')).stdout).toBe(
      'configmap/lit created\n',
    );
    expect((await k('get', 'cm', 'lit', '-n', 'demo', '-o', 'jsonpath={.data.a}')).stdout).toBe('b');
    expect((await k('apply', '-f', join(dir, 'everyday.yaml'))).stdout).toBe(
      'service.serving.knative.dev/everyday created\n',
    );
    expect((await k('label', 'ksvc', 'everyday', '-n', 'demo', 'team=a')).stdout).toBe(
      'service.serving.knative.dev/everyday labeled\n',
    );
    expect((await k('get', 'ksvc', '-n', 'demo', '-l', 'team=a', '-o', 'name')).stdout).toBe(
      'service.serving.knative.dev/everyday\n',
    );
    // The domain is svc.cluster.local, or example.com once the walk-through applied config-domain.
    const url = () =>
      k('get', 'ksvc', 'everyday', '-n', 'demo', '-o', 'json').then((r) => JSON.parse(r.stdout).status?.url);
    expect(await eventually(url, 30_000, 100)).toMatch(/^http:\/\/everyday\.demo\.(svc\.cluster\.local|example\.com)$/);
    const all = await k('get', 'ksvc,rt', '-A');
    expect(all.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+URL\s+LATESTCREATED/);
    expect(all.stdout).toMatch(/\ndemo\s+service\.serving\.knative\.dev\/everyday\s/);

    // kubectl get -w: the table, then a row per change (here the deletion).
    const watcher = spawn('kubectl', ['get', 'ksvc', '-n', 'demo', '-w'], {
      env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache'), HOME: join(dir, 'cache') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let watched = '';
    watcher.stdout?.on('data', (c: Buffer) => {
      watched += c.toString();
    });
    try {
      await eventually(async () => (watched.includes('everyday') ? true : undefined), 30_000, 50);
      expect((await k('delete', '-f', join(dir, 'everyday.yaml'))).stdout).toBe(
        'service.serving.knative.dev "everyday" deleted\n',
      );
      const waited = await k('wait', '--for=delete', 'ksvc/everyday', '-n', 'demo', '--timeout=60s');
      expect(waited.code).toBe(0);
      await eventually(async () => (watched.trimEnd().split('\n').length >= 3 ? true : undefined), 30_000, 50);
    } finally {
      watcher.kill();
    }
    const lines = watched.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+URL\s+LATESTCREATED\s+LATESTREADY\s+READY\s+REASON$/);
    expect(lines.slice(1).every((l) => l.startsWith('everyday '))).toBe(true);
    expect((await k('get', 'ksvc', '-n', 'demo')).stderr).toBe('No resources found in demo namespace.\n');
    expect((await k('delete', 'namespace', 'demo')).stdout).toBe('namespace "demo" deleted\n');
  });
});
