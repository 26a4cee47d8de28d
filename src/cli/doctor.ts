// `npm run doctor`: checks the Graph configuration, gets a token, reads one device and says in plain words whether
// the app has the permissions lockdesk needs. It changes nothing and never prints a secret or a token.
import { pathToFileURL } from 'node:url';
import dotenv from 'dotenv';
import { createTokenSource, type TokenSource } from '../backend/graph/auth.js';
import { ACTION_PERMISSION, DIRECTORY_PERMISSION, READ_PERMISSION, SIGN_OUT_PERMISSION, USER_READ_PERMISSION } from '../backend/graph/graph-errors.js';
import { GraphHttp } from '../backend/graph/http.js';
import { MANAGED_DEVICES, query } from '../backend/graph/odata.js';
import { graphSettingsFrom, type GraphSettings } from '../backend/graph/settings.js';
import { WriteLimiter } from '../backend/graph/write-limiter.js';
import { loadConfig, resolvePath } from '../config/index.js';
import { loadPolicy } from '../data-files.js';
import { policyGroupIds } from '../directory/aad-groups.js';
import { isLockdeskError } from '../core/errors.js';
import type { Logger } from '../ports.js';
import { systemClock } from '../system.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const READ_ROLES = [READ_PERMISSION, 'DeviceManagementManagedDevices.ReadWrite.All'];
const DIRECTORY_ROLES = [DIRECTORY_PERMISSION, 'Group.Read.All', 'Directory.Read.All'];
/** Reading a user's signInSessionsValidFromDateTime (how lockdesk sees that a sign-out happened). */
const USER_READ_ROLES = [USER_READ_PERMISSION, 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];

/** The `roles` claim of an app-only token (application permissions granted with admin consent). */
export function tokenRoles(token: string): string[] | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return undefined;
  }
}

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  write?: (line: string) => void;
  /** Tests replace the token source; by default MSAL with the configured credential. */
  tokens?: (settings: GraphSettings) => TokenSource;
}

/** Returns the exit code: 0 when everything lockdesk needs is there. */
export async function runDoctor(options: DoctorOptions = {}): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const say = (ok: boolean, text: string) => write(`${ok ? 'OK  ' : 'NO  '} ${text}`);
  let settings: GraphSettings;
  let policyGroups: string[];
  let signOutRoles: string[];
  let approvals: boolean;
  try {
    const config = loadConfig(options.env ?? process.env);
    const { policy } = await loadPolicy(config.LOCKDESK_POLICY && resolvePath(config.LOCKDESK_POLICY));
    policyGroups = policyGroupIds(policy);
    signOutRoles = policy.roles.filter((role) => role.actions.includes('signOut')).map((role) => role.name);
    approvals = policy.approval !== undefined;
    if (config.BACKEND !== 'graph') {
      say(false, 'BACKEND is not graph: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH).');
      return 1;
    }
    settings = graphSettingsFrom(config);
  } catch (error) {
    say(false, isLockdeskError(error) ? error.message : String(error));
    return 2;
  }
  say(true, `configuration: tenant ${settings.tenantId}, app ${settings.clientId}, ${settings.credential.kind === 'secret' ? 'client secret' : `certificate (SHA-256 thumbprint ${settings.credential.thumbprintSha256})`}, Graph ${settings.graphBaseUrl}, sign-in ${settings.authorityHost}`);

  const tokens = options.tokens?.(settings) ?? createTokenSource(settings, quiet);
  let token: string;
  try {
    token = await tokens.getToken();
  } catch (error) {
    say(false, `no token: ${isLockdeskError(error) ? error.message : 'sign-in failed'}`);
    return 1;
  }
  say(true, 'got an app-only token (not shown)');
  const roles = tokenRoles(token) ?? [];

  let readOk = false;
  const http = new GraphHttp({ ...settings, deadlineMs: Math.min(settings.deadlineMs, 30_000) }, { getToken: async () => token }, systemClock, quiet, new WriteLimiter(systemClock, 1, 1000));
  const res = await http.send('GET', `${MANAGED_DEVICES}${query({ $top: '1', $select: 'id,deviceName' })}`, { kind: 'lookup', what: 'doctor probe' });
  if (res.kind !== 'response') say(false, `cannot reach ${settings.graphBaseUrl}`);
  else if (res.response.status === 200) {
    readOk = true;
    const first = ((res.response.body as { value?: Array<{ deviceName?: string }> })?.value ?? [])[0];
    say(true, `read access: ${first ? `read one device ("${first.deviceName ?? '?'}")` : 'the tenant has no managed devices yet'}`);
  } else if (res.response.status === 403) say(false, `read access: Graph refused to list devices; grant the application permission ${READ_PERMISSION} and give admin consent (request id ${res.response.requestId ?? 'none'})`);
  else say(false, `read access: Graph answered HTTP ${res.response.status} (request id ${res.response.requestId ?? 'none'})`);
  if (!readOk && roles.some((r) => READ_ROLES.includes(r))) write('     (the token does carry a read permission; the failure above is something else)');

  // Actions are never tried: the only safe check is the token's roles claim.
  const actionsOk = roles.includes(ACTION_PERMISSION);
  say(actionsOk, actionsOk ? `actions: the app has ${ACTION_PERMISSION} (remote lock, passcode reset, Lost Mode, locate, lost-mode sound)` : `actions: the app lacks ${ACTION_PERMISSION}; lock, passcode reset, Lost Mode, locate and the lost-mode sound will be refused. Grant it as an application permission and give admin consent.`);
  // Sign-out is Entra ID's, not Intune's: needed only when the policy lets someone use it. Never tried either.
  let signOutOk = true;
  if (signOutRoles.length > 0) {
    const who = `the policy gives sign-out to ${signOutRoles.map((r) => `"${r}"`).join(', ')}`;
    const canRevoke = roles.includes(SIGN_OUT_PERMISSION);
    say(canRevoke, canRevoke ? `sign-out: the app has ${SIGN_OUT_PERMISSION} (${who})` : `sign-out: ${who} but the app lacks ${SIGN_OUT_PERMISSION}; every sign-out will be refused. Grant it as an application permission and give admin consent.`);
    const canFollow = roles.some((r) => USER_READ_ROLES.includes(r));
    say(canFollow, canFollow ? 'sign-out: the app may read when a user\'s sessions were last ended, so lockdesk can tell that a sign-out happened' : `sign-out: the app lacks ${USER_READ_PERMISSION}; a sign-out may be sent, but lockdesk cannot see that it happened. Grant it as an application permission and give admin consent.`);
    signOutOk = canRevoke && canFollow;
  }
  // Group membership is needed only when the policy names aad-group: members.
  let groupsOk = true;
  if (policyGroups.length > 0) {
    groupsOk = roles.some((r) => DIRECTORY_ROLES.includes(r));
    say(groupsOk, groupsOk ? `groups: the app may read group membership for the policy's ${policyGroups.length} aad-group: member(s)` : `groups: the policy names aad-group: members but the app lacks ${DIRECTORY_PERMISSION}; those roles will not apply. Grant it as an application permission and give admin consent.`);
  }
  // Second-person approval tells two people apart by the Entra ID user behind each one's address.
  let usersOk = true;
  if (approvals) {
    usersOk = roles.some((r) => USER_READ_ROLES.includes(r));
    say(usersOk, usersOk ? 'approvals: the app may read users, to tell an approver from the person who asked' : `approvals: the policy asks for second-person approval but the app lacks ${USER_READ_PERMISSION}; lockdesk cannot tell an approver from the person who asked by email, so it refuses those approvals. Grant it as an application permission and give admin consent.`);
  }
  const allOk = readOk && actionsOk && groupsOk && signOutOk && usersOk;
  write(allOk ? 'lockdesk has everything it needs.' : 'Something is missing: see the lines marked NO.');
  return allOk ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  dotenv.config({ quiet: true });
  runDoctor().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`doctor failed: ${isLockdeskError(error) ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
