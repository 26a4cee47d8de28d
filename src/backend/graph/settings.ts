// The Graph backend's settings, taken from the parsed configuration (and built directly by tests and benches).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../../config/index.js';
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import { Secret } from '../../core/types.js';

export type GraphCredential =
  | { kind: 'secret'; clientSecret: Secret }
  /** privateKey is PKCS#8 PEM; x5c the public certificate (PEM) sent so Entra can do subject-name/issuer auth. */
  | { kind: 'certificate'; privateKey: Secret; thumbprintSha256: string; x5c: string };

export interface GraphSettings {
  tenantId: string;
  clientId: string;
  credential: GraphCredential;
  /** e.g. https://graph.microsoft.com (no trailing slash). */
  graphBaseUrl: string;
  /** e.g. https://login.microsoftonline.com (no trailing slash). */
  authorityHost: string;
  /** One Graph call, all retries included. */
  deadlineMs: number;
  /** One HTTP attempt. */
  requestTimeoutMs: number;
  writeBudget: number;
  writeWindowMs: number;
  inventoryRefreshMs: number;
  /** Read devices from beta (deviceType, the enroller, the newer enum values in the same answer); false: v1.0 only. */
  betaDetails: boolean;
  /** Backoff when Graph gives no Retry-After: base, doubled per attempt, capped, with full jitter. */
  retryBaseMs: number;
  retryCapMs: number;
}

export const DEFAULT_TUNING = {
  deadlineMs: 60_000,
  requestTimeoutMs: 30_000,
  writeBudget: 200,
  writeWindowMs: 20_000,
  inventoryRefreshMs: 15 * 60_000,
  betaDetails: true,
  retryBaseMs: 1_000,
  retryCapMs: 30_000,
} as const;

/**
 * Reads a PEM holding the private key and the certificate; the file's contents never reach a message. `variable`
 * names the setting in messages (the Teams bot's certificate is read the same way).
 */
export function loadCertificate(file: string, variable = 'AZURE_CLIENT_CERTIFICATE_PATH'): Extract<GraphCredential, { kind: 'certificate' }> {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LockdeskError(ERROR_CODES.CONFIG_INVALID, `${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const keyPem = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (!certPem || !keyPem) {
    throw new LockdeskError(ERROR_CODES.CONFIG_INVALID, `${variable}: ${file} must hold both the private key and the certificate, in PEM`);
  }
  try {
    const cert = new X509Certificate(certPem);
    // MSAL wants PKCS#8 ("BEGIN PRIVATE KEY"); an RSA PKCS#1 key is converted.
    const privateKey = createPrivateKey(keyPem).export({ format: 'pem', type: 'pkcs8' }).toString();
    return { kind: 'certificate', privateKey: new Secret(privateKey), thumbprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(), x5c: certPem };
  } catch {
    throw new LockdeskError(ERROR_CODES.CONFIG_INVALID, `${variable}: ${file} holds a certificate or key that cannot be read (an encrypted key is not supported)`);
  }
}

export function graphSettingsFrom(config: Config): GraphSettings {
  if (!config.AZURE_TENANT_ID || !config.AZURE_CLIENT_ID || (!config.AZURE_CLIENT_SECRET && !config.AZURE_CLIENT_CERTIFICATE_PATH)) {
    throw new LockdeskError(ERROR_CODES.CONFIG_INVALID, 'BACKEND=graph needs AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH');
  }
  // The certificate wins when both are set: it is the stronger credential.
  const credential: GraphCredential = config.AZURE_CLIENT_CERTIFICATE_PATH
    ? loadCertificate(config.AZURE_CLIENT_CERTIFICATE_PATH)
    : { kind: 'secret', clientSecret: new Secret(config.AZURE_CLIENT_SECRET!) };
  return {
    ...DEFAULT_TUNING,
    tenantId: config.AZURE_TENANT_ID,
    clientId: config.AZURE_CLIENT_ID,
    credential,
    graphBaseUrl: config.GRAPH_BASE_URL,
    authorityHost: config.AZURE_AUTHORITY_HOST,
    deadlineMs: config.GRAPH_DEADLINE_MS,
    requestTimeoutMs: config.GRAPH_REQUEST_TIMEOUT_MS,
    writeBudget: config.GRAPH_WRITE_BUDGET,
    writeWindowMs: config.GRAPH_WRITE_WINDOW_MS,
    inventoryRefreshMs: config.GRAPH_INVENTORY_REFRESH_MINUTES * 60_000,
    betaDetails: config.GRAPH_BETA_DETAILS,
  };
}
