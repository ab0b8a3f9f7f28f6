/** The run's digests (src/model/digest.ts) are MD5 and SHA-256 of a string's UTF-8 bytes. */
import { describe, expect, it } from 'vitest';
import { md5, md5Hex, sha256Hex } from '../../src/model/digest.js';

describe('digests', () => {
  it('give the published test vectors (RFC 1321, FIPS 180-4 examples)', () => {
    expect(md5Hex('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5Hex('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(md5Hex('The quick brown fox jumps over the lazy dog')).toBe('9e107d9d372bb6826bd81d3542a419d6');
    expect(md5Hex('12345678901234567890123456789012345678901234567890123456789012345678901234567890')).toBe(
      '57edf4a22be3c955ac49da2e2107b67a',
    );
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('hash the UTF-8 bytes, and md5 gives the bytes md5Hex spells', () => {
    // "é" is C3 A9 in UTF-8 (its Latin-1 byte E9 alone would hash differently).
    // Both from coreutils' md5sum of the bytes.
    expect(md5Hex('\u00e9')).toBe('66ddcd97cfdeabb2f6fb8a999b4bc76f');
    expect(md5Hex('\u00c3\u00a9')).toBe('22a77fa98d5cb1e264912c8041bc12a2');
    const bytes = md5('The quick brown fox jumps over the lazy dog');
    expect(bytes).toHaveLength(16);
    expect(Buffer.from(bytes).toString('hex')).toBe('9e107d9d372bb6826bd81d3542a419d6');
  });
});
