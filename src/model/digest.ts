/**
 * MD5 and SHA-256 of a string's UTF-8 bytes, as `createHash(…).update(text)` gives them. The
 * names and ids a run derives (kmeta's shortened child names, a node's uid, the pod template
 * hash, a pod's token volume suffix, container ids) need a few short digests, and node:crypto
 * costs ≈ 7 ms of CPU to load (fifty-odd modules) at the start of every run. Both are short
 * functions here (they were @noble/hashes' classes): a run asks for them once or three times per
 * pod, seconds apart, so the code is cold every time (V8 drops the bytecode of functions not run
 * for a while and compiles them again), and one small function costs a fraction of noble's
 * classes and buffers (a cold call, with garbage collections between calls: MD5 ≈ 50 against
 * 250–380 µs, SHA-256 ≈ 115–140 against 300–430 µs). test/model/digest.test.ts checks both
 * against node:crypto.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';

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
  return hex(md5(text));
}

/** SHA-256's round constants (FIPS 180-4 §4.2.2). */
const ROUNDS = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** SHA-256 of `text`'s UTF-8 bytes in lowercase hex, as `createHash('sha256').digest('hex')`. */
export function sha256Hex(text: string): string {
  const bytes = utf8(text);
  const n = bytes.length;
  // The message, its 0x80 and its bit length (big-endian words) padded to 64-byte blocks.
  const blocks = ((n + 8) >>> 6) + 1;
  const m = new Int32Array(blocks * 16);
  for (let i = 0; i < n; i++) m[i >> 2]! |= bytes[i]! << (24 - (i & 3) * 8);
  m[n >> 2]! |= 0x80 << (24 - (n & 3) * 8);
  m[blocks * 16 - 2] = Math.floor(n / 0x20000000);
  m[blocks * 16 - 1] = n * 8;
  const h = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const w = new Int32Array(64);
  for (let at = 0; at < m.length; at += 16) {
    for (let i = 0; i < 16; i++) w[i] = m[at + i]!;
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!;
      const y = w[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h[0]!;
    let b = h[1]!;
    let c = h[2]!;
    let d = h[3]!;
    let e = h[4]!;
    let f = h[5]!;
    let g = h[6]!;
    let k = h[7]!;
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (k + s1 + ((e & f) ^ (~e & g)) + ROUNDS[i]! + w[i]!) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
    h[5] = (h[5]! + f) | 0;
    h[6] = (h[6]! + g) | 0;
    h[7] = (h[7]! + k) | 0;
  }
  let out = '';
  for (let i = 0; i < 8; i++) out += (h[i]! >>> 0).toString(16).padStart(8, '0');
  return out;
}

/** Bytes in lowercase hex. */
function hex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += bytes[i]!.toString(16).padStart(2, '0');
  return out;
}
