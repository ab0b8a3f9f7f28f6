/** Request and response bodies: reading with the API server's size limit, parsing, JSON answers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../model/api/types.js';
import { isObject, present } from './objects.js';
import { decodeProtobufObject } from './protobuf.js';
import { ApiError, apiError, badRequest } from './status.js';

/** Largest request body accepted (the API server's limit is 3 MiB). */
const MAX_BODY = 3 * 1024 * 1024;

/** A JSON answer; objects are shown as the API returns them. */
export function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(isObject(body) && isObject(body.metadata) ? present(body as KubeObject) : body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        // Answer now; the rest of the body is read and dropped.
        if (chunks.length > 0) chunks.length = 0;
        reject(apiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a request body by its Content-Type: JSON, YAML or (for a few kinds) protobuf. */
export function parseBody(body: Buffer, contentType: string): unknown {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/vnd.kubernetes.protobuf') {
    try {
      return decodeProtobufObject(body);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw apiError(415, 'UnsupportedMediaType', `knsim: ${(e as Error).message}; send JSON or YAML`);
    }
  }
  if (type !== '' && !type.includes('json') && !type.includes('yaml')) {
    throw apiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
    );
  }
  const text = body.toString('utf8');
  try {
    if (type.includes('yaml')) return parseYaml(text);
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Reads a request body that must be one object. */
export async function readObject(req: IncomingMessage): Promise<KubeObject> {
  const contentType = req.headers['content-type'] ?? 'application/json';
  const body = parseBody(await readBody(req), contentType);
  if (!isObject(body)) throw badRequest("couldn't get version/kind; json parse error: not a JSON object");
  return body as KubeObject;
}
