// A throw-away TLS identity for the fake Graph server: a self-signed certificate for 127.0.0.1 and localhost,
// made with the openssl CLI at test time. A client trusts it through NODE_EXTRA_CA_CERTS=<certFile>
// (read by Node at start-up only, so it must be set on a child process) or through an explicit `ca` option.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TlsMaterial {
  dir: string;
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/** Writes cert.pem and key.pem into `dir` (a new temp dir by default); valid two days. */
export async function createSelfSignedCert(dir?: string): Promise<TlsMaterial> {
  const target = dir ?? (await mkdtemp(join(tmpdir(), 'lockdesk-fake-graph-tls-')));
  const certFile = join(target, 'cert.pem');
  const keyFile = join(target, 'key.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
    '-keyout', keyFile, '-out', certFile,
    '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-days', '2',
  ]);
  return { dir: target, certFile, keyFile, cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}

/** Reads a certificate and key made earlier (e.g. by a parent process). */
export async function readTlsMaterial(certFile: string, keyFile: string): Promise<TlsMaterial> {
  return { dir: '', certFile, keyFile, cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}
