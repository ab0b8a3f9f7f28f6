/**
 * MD5 and SHA-256 of a string's UTF-8 bytes, from node:crypto. The names and ids a run derives
 * (kmeta's shortened child names, a node's uid, the pod template hash, a pod's token volume
 * suffix, container ids) need a few short digests, one to three per pod, seconds apart.
 *
 * node:crypto is loaded on the first digest (≈ 7 ms of CPU, fifty-odd internal modules), not when
 * this module is imported. A native digest costs a few microseconds even when the caller's code
 * has gone cold, where a JavaScript one (@noble/hashes' classes, or a hand-written copy) cost
 * 50–400 µs a cold call, and a day of diurnal-24h asks for 911 of them.
 */
import type * as Crypto from 'node:crypto';

let crypto: typeof Crypto | undefined;

/**
 * node:crypto's one-shot `hash` (Node ≥ 20.12; a string is hashed as its UTF-8 bytes): no Hash
 * object made, updated and finished per digest, about a third of what `createHash` cost for a
 * pod's container id.
 */
function digest(algorithm: 'md5' | 'sha256', text: string, encoding: 'hex' | 'buffer'): string | Buffer {
  // getBuiltinModule (Node ≥ 20.16) loads it synchronously from ES modules and the CommonJS bundle alike.
  crypto ??= process.getBuiltinModule('node:crypto') as typeof Crypto;
  return crypto.hash(algorithm, text, encoding);
}

/** The MD5 digest (16 bytes) of `text`'s UTF-8 bytes (RFC 1321). */
export function md5(text: string): Uint8Array {
  return digest('md5', text, 'buffer') as Buffer;
}

/** MD5 of `text`'s UTF-8 bytes in lowercase hex. */
export function md5Hex(text: string): string {
  return digest('md5', text, 'hex') as string;
}

/** SHA-256 of `text`'s UTF-8 bytes in lowercase hex (FIPS 180-4). */
export function sha256Hex(text: string): string {
  return digest('sha256', text, 'hex') as string;
}
