// The Entra side: OpenID metadata, instance discovery and the v2.0 token endpoint for the client-credentials
// grant (client_secret or a client_assertion JWT), and the bearer tokens it issues, checked on every Graph call.
import { createPublicKey, randomBytes, verify, constants } from 'node:crypto';
import { entraError, json, newRequestId, type FakeResponse } from './responses.js';

export const READ_ROLE = 'DeviceManagementManagedDevices.Read.All';
export const READ_WRITE_ROLE = 'DeviceManagementManagedDevices.ReadWrite.All';
export const PRIVILEGED_ROLE = 'DeviceManagementManagedDevices.PrivilegedOperations.All';
/** Entra ID, for signOut: ending a user's sessions, and reading when they were last ended. */
export const REVOKE_SESSIONS_ROLE = 'User.RevokeSessions.All';
export const USER_READ_ROLE = 'User.Read.All';
/** Any of these lets an app read a user's signInSessionsValidFromDateTime. */
export const USER_READ_ROLES = [USER_READ_ROLE, 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] as const;
/** What a lockdesk app without signOut is granted; a test of signOut adds the two roles above. */
export const DEFAULT_ROLES = [READ_ROLE, PRIVILEGED_ROLE];

export interface IdentityOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** PEM of the certificate whose key signs client assertions; without it an assertion's signature is not checked. */
  clientCertificatePem?: string;
  roles: string[];
  tokenLifetimeSeconds: number;
  now: () => number;
}

export interface IssuedToken {
  appId: string;
  roles: string[];
  expiresAt: number;
  scope: string;
}

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export class FakeIdentity {
  readonly options: IdentityOptions;
  readonly #tokens = new Map<string, IssuedToken>();
  /** Every scope a token was asked for, for tests that check what the client requested. */
  readonly scopesRequested: string[] = [];

  constructor(options: IdentityOptions) {
    this.options = options;
  }

  openIdConfiguration(base: string, tenant: string): FakeResponse {
    const t = tenant === 'common' || tenant === 'organizations' ? '{tenantid}' : tenant;
    return json(200, {
      token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/${t}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${base}/oidc/userinfo`,
      authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'roles'],
      kerberos_endpoint: `${base}/${tenant}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: new URL(base).host,
      cloud_graph_host_name: new URL(base).host,
      msgraph_host: new URL(base).host,
      rbac_url: base,
    });
  }

  instanceDiscovery(base: string): FakeResponse {
    const host = new URL(base).host;
    return json(200, {
      tenant_discovery_endpoint: `${base}/${this.options.tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }

  /** POST /{tenant}/oauth2/v2.0/token with a form body. */
  token(base: string, tenant: string, form: URLSearchParams, correlationId: string): FakeResponse {
    const o = this.options;
    if (tenant !== o.tenantId) return entraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`, correlationId);
    if (form.get('grant_type') !== 'client_credentials') return entraError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.', correlationId);
    if (form.get('client_id') !== o.clientId) return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory.`, correlationId);
    const scope = form.get('scope') ?? '';
    this.scopesRequested.push(scope);
    if (!scope.split(' ').every((s) => s.endsWith('/.default')) || scope === '') {
      return entraError(400, 'invalid_scope', 1002012, 'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).', correlationId);
    }
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (secret !== o.clientSecret) return entraError(401, 'invalid_client', 7000215, 'Invalid client secret provided.', correlationId);
    } else if (assertion !== null) {
      const problem = this.#checkAssertion(base, tenant, form.get('client_assertion_type'), assertion);
      if (problem) return entraError(401, 'invalid_client', 700027, problem, correlationId);
    } else {
      return entraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", correlationId);
    }
    const accessToken = this.issue();
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { token_type: 'Bearer', expires_in: o.tokenLifetimeSeconds, ext_expires_in: o.tokenLifetimeSeconds, access_token: accessToken },
    };
  }

  /** A JWT-looking token whose payload carries the configured roles; only this server knows it is valid. */
  issue(roles: string[] = this.options.roles, lifetimeSeconds = this.options.tokenLifetimeSeconds): string {
    const now = Math.floor(this.options.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid: 'fake-graph' };
    const payload = { aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${this.options.tenantId}/`, iat: now, nbf: now, exp: now + lifetimeSeconds, appid: this.options.clientId, idtyp: 'app', oid: newRequestId(), roles, tid: this.options.tenantId, ver: '1.0', uti: randomBytes(8).toString('base64url') };
    const token = `${b64url(header)}.${b64url(payload)}.${randomBytes(64).toString('base64url')}`;
    this.#tokens.set(token, { appId: this.options.clientId, roles: [...roles], expiresAt: this.options.now() + lifetimeSeconds * 1000, scope: 'https://graph.microsoft.com/.default' });
    return token;
  }

  /** The token behind an Authorization header, or why it is refused (Graph answers 401). */
  check(authorization: string | undefined): { ok: true; token: IssuedToken } | { ok: false; message: string } {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return { ok: false, message: 'Access token is empty.' };
    const token = this.#tokens.get(m[1]!);
    if (!token) return { ok: false, message: 'Invalid signature.' };
    if (token.expiresAt <= this.options.now()) return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
    return { ok: true, token };
  }

  /** Every issued token stops working (as after a key rollover); the client must get a new one. */
  revokeAll(): void {
    this.#tokens.clear();
  }

  #checkAssertion(base: string, tenant: string, type: string | null, assertion: string): string | undefined {
    if (type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return 'client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.';
    const parts = assertion.split('.');
    if (parts.length !== 3) return 'The client assertion is not a JWT.';
    let header: { alg?: string };
    let claims: { aud?: string; iss?: string; sub?: string; exp?: number };
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return 'The client assertion is not a JWT.';
    }
    if (claims.iss !== this.options.clientId || claims.sub !== this.options.clientId) return 'The client assertion must have iss and sub equal to the client id.';
    if (claims.aud !== `${base}/${tenant}/oauth2/v2.0/token` && claims.aud !== `${base}/${tenant}/v2.0`) return `The client assertion's audience ${claims.aud} is not the token endpoint.`;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < this.options.now()) return 'The client assertion has expired.';
    if (this.options.clientCertificatePem) {
      const key = createPublicKey(this.options.clientCertificatePem);
      const data = Buffer.from(`${parts[0]}.${parts[1]}`);
      const signature = Buffer.from(parts[2]!, 'base64url');
      const ok =
        header.alg === 'PS256'
          ? verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature)
          : header.alg === 'RS256' && verify('sha256', data, key, signature);
      if (!ok) return 'The client assertion signature does not verify against the registered certificate.';
    }
    return undefined;
  }
}
