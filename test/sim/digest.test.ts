/** The image digest a revision reports: tags resolved, digests kept, a registry's port kept. */
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../src/sim/controllers/revision.js';

describe('digestOf', () => {
  it('resolves a tag, keeps a digest and a registry port', () => {
    expect(digestOf('docker.io/knsim/demo:v1')).toMatch(/^docker\.io\/knsim\/demo@sha256:[0-9a-f]{64}$/);
    expect(digestOf('docker.io/knsim/demo')).toMatch(/^docker\.io\/knsim\/demo@sha256:[0-9a-f]{64}$/);
    expect(digestOf('localhost:5000/app:v1')).toMatch(/^localhost:5000\/app@sha256:[0-9a-f]{64}$/);
    expect(digestOf('localhost:5000/app')).toMatch(/^localhost:5000\/app@sha256:/);
    const pinned = digestOf('docker.io/knsim/demo:v1');
    expect(digestOf(pinned)).toBe(pinned);
    expect(digestOf('docker.io/knsim/demo:v1')).not.toBe(digestOf('docker.io/knsim/demo:v2'));
  });
});
