/**
 * A self-signed certificate for 127.0.0.1, made at start with the `openssl` command line
 * (node:crypto makes keys, not X.509 certificates). kubectl sends its bearer token only over
 * TLS, so the API is served over https when openssl is available (docs/serve.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificate {
  /** PEM private key. */
  key: string;
  /** PEM certificate (its own CA). */
  cert: string;
}

/** A fresh P-256 key and a certificate for 127.0.0.1 and localhost; undefined without openssl. */
export function selfSignedCertificate(openssl = 'openssl'): Certificate | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'knsim-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    const result = spawnSync(
      openssl,
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '3650',
        '-subj',
        '/CN=knsim serve',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 },
    );
    if (result.status !== 0) return undefined;
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
