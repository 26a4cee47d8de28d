// Run as a child process with NODE_EXTRA_CA_CERTS set: gets an app-only token from the fake with the real
// @azure/msal-node (metadata, then the token endpoint it names) and prints one JSON line. Used by the fake's tests.
import { ConfidentialClientApplication } from '@azure/msal-node';

const env = process.env;
const host = new URL(env.AZURE_AUTHORITY_HOST!).host;
const app = new ConfidentialClientApplication({
  auth: {
    clientId: env.AZURE_CLIENT_ID!,
    authority: `${env.AZURE_AUTHORITY_HOST}/${env.AZURE_TENANT_ID}`,
    knownAuthorities: [host],
    ...(env.PROBE_PRIVATE_KEY
      ? { clientCertificate: { thumbprintSha256: env.PROBE_THUMBPRINT!, privateKey: env.PROBE_PRIVATE_KEY } }
      : { clientSecret: env.AZURE_CLIENT_SECRET! }),
  },
});
try {
  const first = await app.acquireTokenByClientCredential({ scopes: [`${env.GRAPH_BASE_URL}/.default`] });
  const second = await app.acquireTokenByClientCredential({ scopes: [`${env.GRAPH_BASE_URL}/.default`] });
  const payload = JSON.parse(Buffer.from(first!.accessToken.split('.')[1]!, 'base64url').toString('utf8')) as { roles: string[] };
  process.stdout.write(`${JSON.stringify({ ok: true, roles: payload.roles, cached: first!.accessToken === second!.accessToken, expiresOn: first!.expiresOn })}\n`);
} catch (error) {
  const e = error as { errorCode?: string; errorMessage?: string; message?: string };
  process.stdout.write(`${JSON.stringify({ ok: false, errorCode: e.errorCode, message: e.errorMessage ?? e.message })}\n`);
}
