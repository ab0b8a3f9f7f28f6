/** MD5 and SHA-256 as src/model/digest.ts computes them without node:crypto (its own MD5 and SHA-256) give node:crypto's digests of a string. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { md5, md5Hex, sha256Hex } from '../../src/model/digest.js';

const node = (algorithm: string, text: string) => createHash(algorithm).update(text).digest('hex');

describe('digests without node:crypto', () => {
  it('agree with node:crypto on the test vectors and every length around a block edge', () => {
    expect(md5Hex('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5Hex('The quick brown fox jumps over the lazy dog')).toBe('9e107d9d372bb6826bd81d3542a419d6');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // Latin-1 letters are two UTF-8 bytes (md5 hashes ASCII without the TextEncoder).
    expect(md5Hex('é')).toBe(node('md5', 'é'));
    expect(md5Hex('naïve\u007f\u0080')).toBe(node('md5', 'naïve\u007f\u0080'));
    // A lone surrogate is hashed as U+FFFD, as node:crypto encodes it.
    expect(md5Hex('a\ud800b')).toBe(node('md5', 'a\ud800b'));
    // 55, 56 and 64 bytes are where the padding takes one block or two.
    for (let n = 0; n <= 200; n++) {
      const text = 'x'.repeat(n);
      expect(md5Hex(text), `md5 of ${n}`).toBe(node('md5', text));
      expect(sha256Hex(text), `sha256 of ${n}`).toBe(node('sha256', text));
    }
  });

  it('agree with node:crypto on ASCII and Latin-1 strings, where the digests take their own path (fast-check)', () => {
    const latin1 = fc.string({
      unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)),
      maxLength: 150,
    });
    fc.assert(
      fc.property(latin1, (text) => {
        expect(md5Hex(text)).toBe(node('md5', text));
        expect(sha256Hex(text)).toBe(node('sha256', text));
      }),
      { numRuns: 500 },
    );
  });

  it('agree with node:crypto on any string, its UTF-8 bytes included (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(md5Hex(text)).toBe(node('md5', text));
        expect(Buffer.from(md5(text)).equals(createHash('md5').update(text).digest())).toBe(true);
        expect(sha256Hex(text)).toBe(node('sha256', text));
      }),
      { numRuns: 500 },
    );
  });
});
