/**
 * MD5 and SHA-256 of a string's UTF-8 bytes, as `createHash(…).update(text)` gives them. The
 * names and ids a run derives (kmeta's shortened child names, a node's uid, the pod template
 * hash, container ids) need a few short digests, and node:crypto costs ≈ 7 ms of CPU to load
 * (fifty-odd modules) at the start of every run; @noble/hashes (audited, no dependencies, bundled
 * into dist/) computes SHA-256 in plain JavaScript. MD5 is the short function below: a run asks
 * for one per pod (its token volume's suffix), seconds apart, so the code is cold every time (V8
 * drops the bytecode of functions not run for a while and compiles them again), and one small
 * function costs a fraction of noble's classes and buffers (≈ 50 against ≈ 250–380 µs a cold
 * call, measured with garbage collections between calls). test/model/digest.test.ts checks both
 * against node:crypto.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** MD5's per-round shifts (four per round group) and sine constants (RFC 1321, written out). */
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const SINES = new Int32Array([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501, 0x698098d8,
  0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
  0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87,
  0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
  0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039,
  0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
  0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
  0xeb86d391,
]);

/** The MD5 digest (16 bytes) of `text`'s UTF-8 bytes (RFC 1321). */
export function md5(text: string): Uint8Array {
  const bytes = utf8(text);
  const n = bytes.length;
  // The message, its 0x80 and its bit length (little-endian words) padded to 64-byte blocks.
  const blocks = ((n + 8) >>> 6) + 1;
  const w = new Int32Array(blocks * 16);
  for (let i = 0; i < n; i++) w[i >> 2]! |= bytes[i]! << ((i & 3) * 8);
  w[n >> 2]! |= 0x80 << ((n & 3) * 8);
  w[blocks * 16 - 2] = n * 8;
  w[blocks * 16 - 1] = Math.floor(n / 0x20000000);
  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  for (let at = 0; at < w.length; at += 16) {
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const s = SHIFTS[(i >> 4) * 4 + (i & 3)]!;
      const x = (a + f + SINES[i]! + w[at + g]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  const out = new Uint8Array(16);
  const words = [a0, b0, c0, d0];
  for (let i = 0; i < 16; i++) out[i] = (words[i >> 2]! >>> ((i & 3) * 8)) & 255;
  return out;
}

/** A string's UTF-8 bytes; ASCII (every name a run hashes) without the TextEncoder. */
function utf8(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return utf8ToBytes(text);
    bytes[i] = c;
  }
  return bytes;
}

/** MD5 of `text`'s UTF-8 bytes in lowercase hex, as `createHash('md5').digest('hex')`. */
export function md5Hex(text: string): string {
  return bytesToHex(md5(text));
}

/** SHA-256 of `text`'s UTF-8 bytes in lowercase hex, as `createHash('sha256').digest('hex')`. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}
