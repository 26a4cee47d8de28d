// Environment variables of the Microsoft Graph backend. Checked together with every other concern; whether they
// are required depends on BACKEND, which is decided in ./index.ts after parsing.
import { z } from 'zod';
import { intFrom, optionalText } from './core.js';

const url = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^/]/i.test(v) && URL.canParse(v), `${name} must be a URL such as https://graph.microsoft.com`)
    .transform((v) => v.replace(/\/+$/, ''));

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default('true')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const graphEnv = {
  AZURE_TENANT_ID: optionalText,
  AZURE_CLIENT_ID: optionalText,
  /** Never echoed: a problem with it is reported by name only. */
  AZURE_CLIENT_SECRET: optionalText,
  /** A PEM file holding the private key and the certificate (its thumbprint is computed). */
  AZURE_CLIENT_CERTIFICATE_PATH: optionalText,
  GRAPH_BASE_URL: url('GRAPH_BASE_URL').default('https://graph.microsoft.com'),
  AZURE_AUTHORITY_HOST: url('AZURE_AUTHORITY_HOST').default('https://login.microsoftonline.com'),
  /** How long one Graph call may take, all its retries included. */
  GRAPH_DEADLINE_MS: intFrom(1_000, 600_000).default(60_000),
  /** How long one HTTP attempt may take before it counts as timed out. */
  GRAPH_REQUEST_TIMEOUT_MS: intFrom(100, 300_000).default(30_000),
  /** The client-side write budget (Intune: 200 writes per 20 s per app and tenant). */
  GRAPH_WRITE_BUDGET: intFrom(1, 10_000).default(200),
  GRAPH_WRITE_WINDOW_MS: intFrom(100, 600_000).default(20_000),
  /** How often the serial-number inventory index is rebuilt from Graph. */
  GRAPH_INVENTORY_REFRESH_MINUTES: intFrom(1, 24 * 60).default(15),
  /** Read deviceType and the newer enrollment values from beta for the devices a look-up found. */
  GRAPH_BETA_DETAILS: flag,
};
