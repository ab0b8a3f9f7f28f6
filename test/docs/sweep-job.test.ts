/**
 * examples/sweep/job.yaml, the Indexed Job of docs/sweep.md: every field is one client-node's
 * types know (V1ConfigMap, V1Job), the fields agree with each other (completions and the N of
 * --shard, the mount and the working directory, the ConfigMap the volume names, threads and
 * CPUs), and the container's command, run by sh for each completion index as the kubelet would
 * with the ConfigMap's scenario in its working directory, prints shards that `knsim sweep merge`
 * joins into the table the same sweep prints on one machine. No cluster or image here: the
 * kubelet, the image build and `kubectl logs` are not run (docs/sweep.md says so).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumpYaml, loadAllYaml, type V1ConfigMap, type V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { BIN, REPO, scratch } from '../cli/helpers.js';

const FILE = join(REPO, 'examples/sweep/job.yaml');
const text = readFileSync(FILE, 'utf8');
const plain = parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
const typed = loadAllYaml(text) as [V1ConfigMap, V1Job];
const [configMap, job] = typed;
const container = job.spec?.template.spec?.containers[0];
const script = container?.command?.[2] ?? '';
const SHARD = /--shard "\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)\/(\d+)"/;

describe('examples/sweep/job.yaml', () => {
  it("is a ConfigMap and a Job whose every field client-node's types know", () => {
    expect(typed.map((o) => o.constructor.name)).toEqual(['V1ConfigMap', 'V1Job']);
    // The types keep the fields they know and drop the others: a misspelt field would be lost.
    typed.forEach((o, i) => {
      expect(parseYaml(dumpYaml(o)), `document ${i + 1}`).toEqual(plain[i]);
    });
  });

  it('is an Indexed Job whose completions are the N of --shard, counted from 1', () => {
    expect(job.spec?.completionMode).toBe('Indexed');
    expect(job.spec?.template.spec?.restartPolicy).toBe('Never');
    const n = Number(SHARD.exec(script)?.[1]);
    expect(n).toBeGreaterThan(1);
    expect(job.spec?.completions).toBe(n);
    expect(job.spec?.parallelism).toBeGreaterThanOrEqual(1);
    expect(job.spec?.parallelism).toBeLessThanOrEqual(n);
    expect(job.spec?.backoffLimitPerIndex).toBeGreaterThanOrEqual(0);
    expect(job.spec?.ttlSecondsAfterFinished).toBeGreaterThanOrEqual(3600); // time to read the logs
    expect(container?.command?.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(script).toMatch(/^exec knsim sweep /);
  });

  it('mounts the ConfigMap it ships as the working directory, and runs a thread per CPU', () => {
    const volume = job.spec?.template.spec?.volumes?.find((v) => v.configMap);
    expect(volume?.configMap?.name).toBe(configMap.metadata?.name);
    const mount = container?.volumeMounts?.find((m) => m.name === volume?.name);
    expect(mount?.mountPath).toBe(container?.workingDir);
    const scenarioFile = / sweep (\S+) /.exec(script)?.[1];
    expect(Object.keys(configMap.data ?? {})).toContain(scenarioFile);
    const threads = Number(/--jobs (\d+)/.exec(script)?.[1]);
    expect(threads).toBe(Number(container?.resources?.limits?.cpu));
  });

  it("run by sh for each completion index, its pods' logs merge into the one-machine table", () => {
    const n = Number(SHARD.exec(script)?.[1]);
    const dir = scratch({ 'scenario.yaml': configMap.data?.['scenario.yaml'] ?? '' });
    // `knsim` on the PATH, as the image has it (examples/sweep/Dockerfile).
    const bin = scratch({ knsim: `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n` });
    chmodSync(join(bin, 'knsim'), 0o755);
    const sh = (command: string, env: Record<string, string> = {}) =>
      spawnSync('/bin/sh', ['-c', command], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 240_000,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, KNSIM_DEBUG: '', ...env },
      });
    const logs: string[] = [];
    for (let index = 0; index < n; index++) {
      const pod = sh(script, { JOB_COMPLETION_INDEX: String(index) });
      expect(pod.status, pod.stderr).toBe(0);
      expect(pod.stderr).toBe(''); // a pod's log holds both streams: nothing but the shard
      const header = JSON.parse(pod.stdout.split('\n')[0]!) as { shard: { index: number; count: number } };
      expect(header.shard).toEqual({ index: index + 1, count: n });
      const file = join(dir, `shard-${index + 1}.jsonl`);
      writeFileSync(file, pod.stdout);
      logs.push(file);
    }
    const merged = sh(`knsim sweep merge ${logs.reverse().join(' ')}`);
    expect(merged.status, merged.stderr).toBe(0);
    const whole = sh(script.replace(SHARD, '').replace(/^exec /, ''));
    expect(whole.status, whole.stderr).toBe(0);
    expect(whole.stdout.split('\n')).toHaveLength(2 ** 3 + 2); // header, 8 points, final newline
    expect(merged.stdout).toBe(whole.stdout);
  }, 600_000);
});
