// Entra ID users as the fake serves them: GET /users/{id | UPN} (signInSessionsValidFromDateTime only when named in
// $select, as Graph does) and POST /users/{id | UPN}/revokeSignInSessions, which moves that time to now. Revoking
// is Entra's, not Intune's: it needs User.RevokeSessions.All and is not counted in Intune's device write budget.
import { REVOKE_SESSIONS_ROLE, USER_READ_ROLES, type IssuedToken } from './identity.js';
import { project } from './odata.js';
import { graphError, json, type FakeResponse } from './responses.js';
import type { FakeTenant } from './tenant.js';

export type GraphVersion = 'v1.0' | 'beta';

/** A user's sessions before anyone revoked them: when the demo users were created. */
export const SESSIONS_VALID_FROM = Date.parse('2024-09-02T08:00:00Z');

export interface RevocationRecord {
  at: number;
  userId: string;
  version: GraphVersion;
  via: 'direct' | 'batch';
  requestId: string;
}

export interface UserContext {
  base: string;
  tenant: FakeTenant;
  now: () => number;
  /** When each user's sessions became valid from, by user id; absent: SESSIONS_VALID_FROM. */
  sessionsValidFrom: Map<string, number>;
  revocations: RevocationRecord[];
  onForbidden: () => void;
}

interface UserRequest {
  method: string;
  version: GraphVersion;
  query: URLSearchParams;
  requestId: string;
  clientRequestId: string | undefined;
  via: 'direct' | 'batch';
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** segments: ['users', '{id | UPN}'] or ['users', '{id | UPN}', 'revokeSignInSessions'], percent-decoded. */
export function handleUser(ctx: UserContext, req: UserRequest, segments: readonly string[], token: IssuedToken): FakeResponse {
  const err = (status: number, code: string, message: string) => graphError(status, code, message, req.requestId, req.clientRequestId, ctx.now());
  const forbidden = (needed: readonly string[]) => {
    ctx.onForbidden();
    return err(403, 'Authorization_RequestDenied', `Insufficient privileges to complete the operation. Application must have one of the following scopes: ${needed.join(', ')}`);
  };
  const action = segments[2];
  if (segments.length > 3 || (action !== undefined && action !== 'revokeSignInSessions')) return err(400, 'BadRequest', `Resource not found for the segment '${action ?? ''}'.`);
  const user = ctx.tenant.findUser(segments[1]!);

  if (action === 'revokeSignInSessions') {
    if (req.method !== 'POST') return err(405, 'BadRequest', `The HTTP method '${req.method}' is not allowed for revokeSignInSessions.`);
    if (!token.roles.includes(REVOKE_SESSIONS_ROLE)) return forbidden([REVOKE_SESSIONS_ROLE]);
    if (!user) return err(404, 'Request_ResourceNotFound', `Resource '${segments[1]}' does not exist or one of its queried reference-property objects are not present.`);
    // Graph keeps the time to the second.
    const now = Math.floor(ctx.now() / 1000) * 1000;
    ctx.sessionsValidFrom.set(user.id, now);
    ctx.revocations.push({ at: ctx.now(), userId: user.id, version: req.version, via: req.via, requestId: req.requestId });
    return json(200, { '@odata.context': `${ctx.base}/${req.version}/$metadata#Edm.Boolean`, value: true });
  }

  if (req.method !== 'GET') return err(405, 'BadRequest', `The HTTP method '${req.method}' is not allowed here.`);
  if (!USER_READ_ROLES.some((r) => token.roles.includes(r))) return forbidden(USER_READ_ROLES);
  if (!user) return err(404, 'Request_ResourceNotFound', `Resource '${segments[1]}' does not exist or one of its queried reference-property objects are not present.`);
  const raw = req.query.get('$select');
  const select = raw === null ? undefined : raw.split(',').map((f) => f.trim()).filter((f) => f !== '');
  const full: Record<string, unknown> = {
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    mail: user.mail,
    signInSessionsValidFromDateTime: iso(ctx.sessionsValidFrom.get(user.id) ?? SESSIONS_VALID_FROM),
  };
  // "Returned only on $select."
  if (!select) delete full.signInSessionsValidFromDateTime;
  return json(200, { '@odata.context': `${ctx.base}/${req.version}/$metadata#users/$entity`, ...project(full, select) });
}

/**
 * GET /users?$filter=userPrincipalName eq '…' or mail eq '…': the users with that address (what lockdesk asks to
 * tell two people apart). Only this filter is understood; any other is refused, as an unsupported one would be.
 */
export function listUsers(ctx: UserContext, req: UserRequest, token: IssuedToken): FakeResponse {
  const err = (status: number, code: string, message: string) => graphError(status, code, message, req.requestId, req.clientRequestId, ctx.now());
  if (req.method !== 'GET') return err(405, 'BadRequest', `The HTTP method '${req.method}' is not allowed here.`);
  if (!USER_READ_ROLES.some((r) => token.roles.includes(r))) {
    ctx.onForbidden();
    return err(403, 'Authorization_RequestDenied', `Insufficient privileges to complete the operation. Application must have one of the following scopes: ${USER_READ_ROLES.join(', ')}`);
  }
  const filter = /^userPrincipalName eq '([^']*)' or mail eq '([^']*)'$/.exec(req.query.get('$filter') ?? '');
  if (!filter || filter[1] !== filter[2]) return err(400, 'BadRequest', 'Unsupported or invalid query filter clause specified.');
  const wanted = filter[1]!.toLowerCase();
  const users = [...ctx.tenant.users.values()].filter((u) => u.userPrincipalName.toLowerCase() === wanted || u.mail.toLowerCase() === wanted);
  return json(200, { '@odata.context': `${ctx.base}/${req.version}/$metadata#users(id,userPrincipalName,mail)`, value: users.map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName, mail: u.mail })) });
}
