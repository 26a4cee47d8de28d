// A local stand-in for Bot Framework's token signing: an RSA key whose public half is published as a JWKS (with the
// OpenID metadata beside it) on a loopback HTTP server, a cloud that points the Teams SDK at it, and tokens signed
// the way Bot Framework signs the ones it sends with each activity.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PUBLIC, withOverrides, type CloudEnvironment } from '@microsoft/teams.api';

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
export const KID = 'local-key-1';

export interface BotFrameworkKeys {
  /** Public cloud, but with Bot Framework's OpenID metadata (and so its keys) on this machine. */
  cloud: CloudEnvironment;
  /** The published key pair. */
  key: { privateKey: KeyObject; publicKey: KeyObject };
  /** How many times the SDK fetched the keys. */
  keyFetches(): number;
  close(): Promise<void>;
}

export async function startBotFrameworkKeys(): Promise<BotFrameworkKeys> {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let fetches = 0;
  let base = '';
  const server: Server = createServer((req, res) => {
    const json = (body: object) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/v1/.well-known/openidconfiguration') return json({ issuer: BOT_FRAMEWORK_ISSUER, jwks_uri: `${base}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] });
    if (req.url === '/v1/.well-known/keys') {
      fetches += 1;
      return json({ keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256', endorsements: ['msteams'] }] });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    cloud: withOverrides(PUBLIC, { openIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration` }),
    key,
    keyFetches: () => fetches,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A signed RS256 JWT. */
export function signJwt(privateKey: KeyObject, claims: Record<string, unknown>, kid = KID): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part(claims)}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), privateKey).toString('base64url')}`;
}

/** A token as Bot Framework sends it with an activity for the bot `appId`, valid for an hour from now. */
export function botFrameworkToken(privateKey: KeyObject, appId: string, serviceUrl: string, extra: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(privateKey, { iss: BOT_FRAMEWORK_ISSUER, aud: appId, nbf: now - 60, exp: now + 3600, serviceurl: serviceUrl, ...extra });
}
