/** Shared helpers for the knsim serve tests: an in-process server, raw requests, kubectl. */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnsimServer, type ServeOptions } from '../../src/serve/server.js';

export interface Harness {
  server: KnsimServer;
  dir: string;
  kubeconfig: string;
  agent: Agent;
  stop(): Promise<void>;
}

export async function startHarness(options: ServeOptions = {}): Promise<Harness> {
  const server = new KnsimServer({ port: 0, ingressPort: 0, speed: 50, seed: 1, ...options });
  await server.start();
  const dir = mkdtempSync(join(tmpdir(), 'knsim-serve-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig());
  const agent = new Agent({
    keepAlive: true,
    maxSockets: Number.POSITIVE_INFINITY,
    ...(server.certificate ? { ca: server.certificate.cert } : {}),
  });
  return {
    server,
    dir,
    kubeconfig,
    agent,
    async stop() {
      agent.destroy();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON, checked by the assertions
  json: () => any;
}

/** One request to the API with the harness's token (unless `headers.authorization` overrides it). */
export function api(
  h: Harness,
  method: string,
  path: string,
  body?: string | object,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const url = new URL(path, h.server.apiUrl);
  const tls = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequest : httpRequest)(
      url,
      {
        method,
        ...(tls ? { agent: h.agent } : {}),
        headers: {
          authorization: `Bearer ${h.server.token}`,
          // DELETE bodies are not chunked by node: say how long the body is.
          ...(text !== undefined
            ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }
            : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const b = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, json: () => JSON.parse(b) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (text !== undefined) req.write(text);
    req.end();
  });
}

/** A request to the ingress. */
export function ingress(
  port: number,
  host: string,
  path = '/',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { ...headers, host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Whether the real kubectl is installed (CI installs it; a developer machine may not have it).
 * Tests that need it use `describe.skipIf(!HAS_KUBECTL)` so they are reported as skipped.
 */
export const HAS_KUBECTL = ((): boolean => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
})();

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl with this kubeconfig and a private discovery cache. */
export function kubectl(
  kubeconfig: string,
  cacheDir: string,
  args: string[],
  timeoutMs = 40_000,
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      args,
      {
        // TZ: kubectl prints times (describe's Start Time, …) in its own time zone.
        env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: cacheDir, HOME: cacheDir, TZ: 'UTC' },
        timeout: timeoutMs,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
      },
    );
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

export const ARTICLE_YAML = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: knservice
  namespace: default
spec:
  template:
    spec:
      containers:
        - image: docker.io/knsim/demo
`;

export const DOMAIN_YAML = `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-domain
  namespace: knative-serving
data:
  example.com: ""
`;
