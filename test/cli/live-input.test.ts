/**
 * knsim live with a wrong kubeconfig, context, namespace or log path: one line naming the file or
 * flag, exit 2, before any cluster is contacted; an unreachable cluster: one line, exit 3.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, hasStackTrace, knsim, knsimInProcess, scratch } from './helpers.js';

const SCENARIO = 'scenarios/idle-to-zero.yaml';

/** A port nothing listens on: the OS assigns it, then it is closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function kubeconfig(server: string, extra = 'current-context: ctx\n'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c',
    `  cluster: {server: "${server}"}`,
    'users:',
    '- name: u',
    '  user: {token: t}',
    'contexts:',
    '- name: ctx',
    '  context: {cluster: c, user: u}',
    extra,
  ].join('\n');
}

function expectOneLine(r: CliResult, status: number, text: string): void {
  expect(r.stderr).toContain(`knsim: ${text}`);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).not.toMatch(/E[A-Z]{3,}:/); // no raw errno text such as "ENOENT: no such file…"
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(r.status).toBe(status);
}

describe('knsim live with a kubeconfig that cannot be used', () => {
  let dir = '';
  beforeAll(async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    dir = scratch({
      'good.yaml': kubeconfig(server),
      'bad-yaml.yaml': 'apiVersion: v1\nclusters:\n  - cluster: {server: "http://127.0.0.1:1"}\n   name: x\n',
      'no-current.yaml': kubeconfig(server, ''),
      'gone-current.yaml': kubeconfig(server, 'current-context: gone\n'),
      'no-cluster.yaml': kubeconfig(server).replace('cluster: c, user', 'cluster: zz, user'),
      'list.yaml': '- a\n- b\n',
      'invalid.yaml': 'clusters:\n- name: a\n',
    });
    mkdirSync(join(dir, 'adir'));
  });

  // The real binary for the first case; the others in-process (each spawn would load the live
  // backend and client-node again).
  const live = (...args: string[]) => knsimInProcess(['live', SCENARIO, ...args]);

  it('names a missing file with the flag, in words', () => {
    expectOneLine(
      knsim(['live', SCENARIO, '--kubeconfig', '/nonexistent']),
      2,
      '--kubeconfig /nonexistent: cannot open: no such file or directory',
    );
  });

  it('names a directory', async () => {
    const file = join(dir, 'adir');
    expectOneLine(await live('--kubeconfig', file), 2, `--kubeconfig ${file}: cannot read: it is a directory`);
  });

  it('gives a YAML error on one line, with the file, line and column (no code snippet)', async () => {
    const file = join(dir, 'bad-yaml.yaml');
    const r = await live('--kubeconfig', file);
    expectOneLine(r, 2, `--kubeconfig ${file}:4:4: YAML syntax error: bad indentation of a sequence entry`);
    expect(r.stderr).not.toContain('^');
  });

  it('says when the YAML is not a kubeconfig', async () => {
    const list = join(dir, 'list.yaml');
    expectOneLine(await live('--kubeconfig', list), 2, `--kubeconfig ${list}: not a kubeconfig (expected a mapping`);
    const invalid = join(dir, 'invalid.yaml');
    expectOneLine(
      await live('--kubeconfig', invalid),
      2,
      `--kubeconfig ${invalid}: not a valid kubeconfig: clusters[0].cluster is missing`,
    );
  });

  it('says when there is no current context, and which contexts there are', async () => {
    const file = join(dir, 'no-current.yaml');
    expectOneLine(
      await live('--kubeconfig', file),
      2,
      `--kubeconfig ${file}: no current context (current-context is not set); choose one with --context (contexts: ctx)`,
    );
  });

  it('says when current-context names no context, or the context names no cluster', async () => {
    const gone = join(dir, 'gone-current.yaml');
    expectOneLine(
      await live('--kubeconfig', gone),
      2,
      `--kubeconfig ${gone}: current-context "gone" is not one of its contexts`,
    );
    const noCluster = join(dir, 'no-cluster.yaml');
    expectOneLine(
      await live('--kubeconfig', noCluster),
      2,
      `--kubeconfig ${noCluster}: context "ctx" names cluster "zz", which is not in it (clusters: c)`,
    );
  });

  it('names an unknown --context', async () => {
    const file = join(dir, 'good.yaml');
    expectOneLine(
      await live('--kubeconfig', file, '--context', 'nope'),
      2,
      `--context "nope": no such context in --kubeconfig ${file} (contexts: ctx)`,
    );
  });

  it('reads $KUBECONFIG the way kubectl does, naming its files', async () => {
    const env = { KUBECONFIG: `/nonexistent-1:${join(dir, 'bad-yaml.yaml')}` };
    const r = await knsimInProcess(['live', SCENARIO], { env });
    expectOneLine(r, 2, `$KUBECONFIG ${join(dir, 'bad-yaml.yaml')}:4:4: YAML syntax error`);
    const none = await knsimInProcess(['live', SCENARIO], { env: { KUBECONFIG: '/nonexistent-1:/nonexistent-2' } });
    expectOneLine(none, 2, '$KUBECONFIG names no file that exists (/nonexistent-1:/nonexistent-2)');
  });

  it('checks --namespace before contacting the cluster, in the API server words', async () => {
    const r = await live('--kubeconfig', join(dir, 'good.yaml'), '-n', 'Bad_NS');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("option '-n, --namespace <ns>' argument 'Bad_NS' is invalid");
    expect(r.stderr).toContain(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
    );
    expect(r.stderr).not.toContain('cannot reach the cluster');
    expect(hasStackTrace(r.stderr)).toBe(false);
    const long = await live('--kubeconfig', join(dir, 'good.yaml'), '--namespace', 'a'.repeat(64));
    expect(long.status).toBe(2);
    expect(long.stderr).toContain('must be no more than 63 characters');
  });

  it('opens --log before contacting the cluster, naming the flag', async () => {
    const file = join(dir, 'no/such/dir/live.jsonl');
    expectOneLine(
      await live('--kubeconfig', join(dir, 'good.yaml'), '--log', file),
      2,
      `--log ${file}: cannot open: no such file or directory`,
    );
  });

  it('says in one line, exit 3, that the cluster cannot be reached', async () => {
    const r = await live('--kubeconfig', join(dir, 'good.yaml'));
    expectOneLine(r, 3, 'cannot reach the cluster at http://127.0.0.1:');
    expect(r.stderr).toContain(': connection refused');
  });
});
