/**
 * A tiny API server for `knsim sweep --cluster` tests: Jobs and ConfigMaps created, read and
 * deleted (with uid preconditions), pods listed by label and phase, pod logs. Its "kubelet"
 * runs each completion index of a Job as the kubelet would run the container: the Job's command
 * under `/bin/sh -c`, JOB_COMPLETION_INDEX set, in a directory holding the ConfigMap's items at
 * their paths (the mount), with `knsim` on the PATH; the pod's log is what it printed. Request
 * bodies are checked against client-node's types: a field V1Job or V1ConfigMap does not know is
 * a 400.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { dumpYaml, loadAllYaml, type V1ConfigMap, type V1Job } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { BIN } from '../cli/helpers.js';

/** What the kubelet does with a Job's pods: run them, never start them, or fail them. */
export type KubeletMode = 'run' | 'hang' | 'fail';

interface FakePod {
  name: string;
  index: number;
  phase: 'Running' | 'Succeeded' | 'Failed';
  log: string;
  child?: ChildProcess;
}

interface FakeJob {
  job: V1Job;
  pods: FakePod[];
  started: boolean;
}

export interface Recorded {
  method: string;
  path: string;
  body?: unknown;
}

const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message,
  reason,
  code,
});

export class FakeJobApi {
  readonly requests: Recorded[] = [];
  readonly jobs = new Map<string, FakeJob>();
  readonly configMaps = new Map<string, V1ConfigMap>();
  private server: http.Server | undefined;
  private uid = 0;
  port = 0;

  constructor(readonly kubelet: KubeletMode = 'run') {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  kubeconfig(dir: string): string {
    const file = join(dir, 'kubeconfig');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters:\n- name: fake\n  cluster:\n    server: ${this.url}`,
        'users:\n- name: u\n  user:\n    token: test-token',
        'contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: u\n    namespace: sweeps',
        'current-context: fake',
        '',
      ].join('\n'),
    );
    return file;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const body = text === '' ? undefined : (JSON.parse(text) as unknown);
        const url = new URL(req.url ?? '/', this.url);
        this.requests.push({ method: req.method ?? '', path: url.pathname, ...(body ? { body } : {}) });
        const [code, answer, type] = this.handle(req.method ?? '', url, body);
        res.writeHead(code, { 'Content-Type': type ?? 'application/json' });
        res.end(typeof answer === 'string' ? answer : JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const j of this.jobs.values()) for (const p of j.pods) p.child?.kill('SIGKILL');
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Whether the body has fields its client-node type does not know (a 400), or undefined. */
  private unknownFields(body: unknown): string | undefined {
    const [typed] = loadAllYaml(JSON.stringify(body));
    const kept = parseYaml(dumpYaml(typed)) as unknown;
    return isDeepStrictEqual(kept, parseYaml(JSON.stringify(body)))
      ? undefined
      : `fields unknown to ${(typed as object).constructor.name}`;
  }

  private handle(method: string, url: URL, body: unknown): [number, unknown, string?] {
    const path = url.pathname;
    let m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const key = `${m[1]}/${m[2] ?? ''}`;
      if (method === 'POST') {
        const bad = this.unknownFields(body);
        if (bad) return [400, status(400, 'BadRequest', bad)];
        const job = body as V1Job;
        const name = `${m[1]}/${job.metadata?.name}`;
        if (this.jobs.has(name))
          return [409, status(409, 'AlreadyExists', `jobs.batch "${job.metadata?.name}" already exists`)];
        job.metadata = { ...job.metadata, namespace: m[1]!, uid: `uid-${++this.uid}` };
        job.status = {};
        this.jobs.set(name, { job, pods: [], started: false });
        this.kick(name);
        return [201, job];
      }
      const entry = this.jobs.get(key);
      if (!entry) return [404, status(404, 'NotFound', `jobs.batch "${m[2]}" not found`)];
      if (method === 'GET') return [200, entry.job];
      if (method === 'DELETE') {
        const uid = (body as { preconditions?: { uid?: string } } | undefined)?.preconditions?.uid;
        if (uid !== undefined && uid !== entry.job.metadata?.uid)
          return [409, status(409, 'Conflict', 'uid precondition failed')];
        for (const p of entry.pods) p.child?.kill('SIGTERM');
        this.jobs.delete(key);
        return [200, status(200, '', '')];
      }
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const key = `${m[1]}/${m[2] ?? ''}`;
      if (method === 'POST') {
        const bad = this.unknownFields(body);
        if (bad) return [400, status(400, 'BadRequest', bad)];
        const cm = body as V1ConfigMap;
        cm.metadata = { ...cm.metadata, namespace: m[1]!, uid: `uid-${++this.uid}` };
        this.configMaps.set(`${m[1]}/${cm.metadata.name}`, cm);
        for (const name of this.jobs.keys()) this.kick(name);
        return [201, cm];
      }
      const cm = this.configMaps.get(key);
      if (!cm) return [404, status(404, 'NotFound', `configmaps "${m[2]}" not found`)];
      if (method === 'DELETE') {
        const uid = (body as { preconditions?: { uid?: string } } | undefined)?.preconditions?.uid;
        if (uid !== undefined && uid !== cm.metadata?.uid)
          return [409, status(409, 'Conflict', 'uid precondition failed')];
        this.configMaps.delete(key);
        return [200, status(200, '', '')];
      }
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+)\/log)?$/.exec(path);
    if (m && method === 'GET') {
      const pods = [...this.jobs.values()].flatMap((j) => j.pods.map((p) => ({ job: j.job, pod: p })));
      if (m[2]) {
        const found = pods.find((p) => p.pod.name === m![2]);
        return found ? [200, found.pod.log, 'text/plain'] : [404, status(404, 'NotFound', `pods "${m[2]}" not found`)];
      }
      const jobName = /batch\.kubernetes\.io\/job-name=([^,]+)/.exec(url.searchParams.get('labelSelector') ?? '')?.[1];
      const phase = /status\.phase=(\w+)/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
      const items = pods
        .filter((p) => p.job.metadata?.name === jobName && (!phase || p.pod.phase === phase))
        .map((p) => ({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: p.pod.name,
            namespace: p.job.metadata?.namespace,
            labels: { 'batch.kubernetes.io/job-name': jobName },
            annotations: { 'batch.kubernetes.io/job-completion-index': String(p.pod.index) },
          },
          status: { phase: p.pod.phase },
        }));
      return [200, { apiVersion: 'v1', kind: 'PodList', metadata: {}, items }];
    }
    return [404, status(404, 'NotFound', `the fake does not serve ${method} ${path}`)];
  }

  /** Starts a Job's pods once its ConfigMap is there (the kubelet waits for the volume too). */
  private kick(name: string): void {
    const entry = this.jobs.get(name);
    if (!entry || entry.started || this.kubelet === 'hang') return;
    const volume = entry.job.spec?.template.spec?.volumes?.find((v) => v.configMap);
    const cm = this.configMaps.get(`${entry.job.metadata?.namespace}/${volume?.configMap?.name}`);
    if (!cm) return;
    entry.started = true;
    const dir = mkdtempSync(join(tmpdir(), 'knsim-fake-pod-'));
    for (const item of volume?.configMap?.items ?? []) {
      mkdirSync(dirname(join(dir, item.path)), { recursive: true });
      writeFileSync(join(dir, item.path), cm.data?.[item.key] ?? '');
    }
    const bin = mkdtempSync(join(tmpdir(), 'knsim-fake-bin-'));
    writeFileSync(join(bin, 'knsim'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'knsim'), 0o755);
    const container = entry.job.spec?.template.spec?.containers[0];
    const count = entry.job.spec?.completions ?? 1;
    const parallelism = entry.job.spec?.parallelism ?? count;
    let next = 0;
    const startPod = () => {
      if (next >= count || !this.jobs.has(name)) return;
      const index = next++;
      const pod: FakePod = { name: `${entry.job.metadata?.name}-${index}-x${index}`, index, phase: 'Running', log: '' };
      entry.pods.push(pod);
      if (this.kubelet === 'fail') {
        pod.phase = 'Failed';
        pod.log = 'knsim: scenario.yaml: something the test made fail\n';
        const failed = entry.pods.filter((p) => p.phase === 'Failed').map((p) => p.index);
        entry.job.status = {
          failed: failed.length,
          failedIndexes: failed.join(','),
          conditions: [{ type: 'Failed', status: 'True', reason: 'FailedIndexes', message: 'Job has failed indexes' }],
        };
        return;
      }
      const [cmd, ...args] = container?.command ?? [];
      const child = spawn(cmd!, args, {
        cwd: dir, // the ConfigMap mounted as the working directory
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          JOB_COMPLETION_INDEX: String(index),
          KNSIM_DEBUG: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      pod.child = child;
      child.stdout?.on('data', (c: Buffer) => {
        pod.log += c.toString();
      });
      child.stderr?.on('data', (c: Buffer) => {
        pod.log += c.toString();
      });
      child.on('exit', (code) => {
        pod.phase = code === 0 ? 'Succeeded' : 'Failed';
        const pods = entry.pods;
        const succeeded = pods.filter((p) => p.phase === 'Succeeded').length;
        entry.job.status = { ...entry.job.status, succeeded };
        if (pod.phase === 'Failed') {
          entry.job.status.conditions = [
            { type: 'Failed', status: 'True', reason: 'FailedIndexes', message: 'Job has failed indexes' },
          ] as never;
        } else if (succeeded === count) {
          entry.job.status.conditions = [{ type: 'Complete', status: 'True' }] as never;
        }
        startPod();
      });
    };
    for (let i = 0; i < parallelism; i++) startPod();
  }
}
