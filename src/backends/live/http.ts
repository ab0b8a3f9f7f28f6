/**
 * Real HTTP requests to a Knative service through the cluster's ingress: the request goes to the
 * gateway's address (or `--target`) with the service's host in the Host header, as curl with
 * `-H Host:` or a DNS name pointing at the gateway would send it.
 */
import http from 'node:http';
import https from 'node:https';

export interface SendOptions {
  /** Where the ingress listens: `http://192.168.49.2:31080`. */
  base: string;
  /** The Knative host: `knservice.default.example.com`. */
  host: string;
  method: string;
  /** Path and query (`/`, `/?sleep=100`). */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  agent?: http.Agent;
  /** Aborting ends the request at once (status 0). */
  signal?: AbortSignal;
}

export interface SendResult {
  /** 0 when no HTTP answer came back (refused, reset, timed out). */
  status: number;
  body: string;
  /** Network failure in words, when status is 0. */
  error?: string;
}

const MAX_BODY = 64 * 1024;

export function sendHttp(o: SendOptions): Promise<SendResult> {
  return new Promise((resolvePromise) => {
    let url: URL;
    try {
      url = new URL(o.path, o.base);
    } catch {
      resolvePromise({ status: 0, body: '', error: `bad target ${o.base}` });
      return;
    }
    const lib = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'host') delete headers[k];
    headers.Host = o.host;
    if (o.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(o.body));
    let settled = false;
    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      resolvePromise(r);
    };
    const req = lib.request(
      url,
      {
        method: o.method,
        headers,
        ...(o.agent ? { agent: o.agent } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        ...(url.protocol === 'https:' ? { rejectUnauthorized: false, servername: o.host.replace(/:\d+$/, '') } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => finish({ status: 0, body: '', error: e.message }));
      },
    );
    req.setTimeout(o.timeoutMs, () => {
      req.destroy(Object.assign(new Error(`no answer within ${o.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish({ status: 0, body: '', error: e.code ?? e.message }));
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}
