/**
 * MD5 and SHA-256 of a string's UTF-8 bytes, as `createHash(…).update(text)` gives them. The
 * names and ids a run derives (kmeta's shortened child names, a node's uid, the pod template
 * hash, container ids) need a few short digests, and node:crypto costs ≈ 7 ms of CPU to load
 * (fifty-odd modules) at the start of every run; @noble/hashes (audited, no dependencies, bundled
 * into dist/) computes the same digests in plain JavaScript. test/model/digest.test.ts checks
 * them against node:crypto.
 */
import { md5 as md5Hash } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** The MD5 digest (16 bytes) of `text`'s UTF-8 bytes. */
export function md5(text: string): Uint8Array {
  return md5Hash(utf8ToBytes(text));
}

/** MD5 of `text`'s UTF-8 bytes in lowercase hex, as `createHash('md5').digest('hex')`. */
export function md5Hex(text: string): string {
  return bytesToHex(md5(text));
}

/** SHA-256 of `text`'s UTF-8 bytes in lowercase hex, as `createHash('sha256').digest('hex')`. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}
