// Graph's managedDevice API as the fake serves it: lists with $select/$filter/$top and nextLink paging, a user's
// devices, one device with its deviceActionResults. The remote actions: action-routes.ts; users and their sign-in
// sessions: user-routes.ts.
import { randomUUID } from 'node:crypto';
import { handleAction, type WriteRecord } from './action-routes.js';
import type { ActionBook } from './actions.js';
import type { SlidingWindowBudget } from './budget.js';
import { READ_ROLE, READ_WRITE_ROLE, type IssuedToken } from './identity.js';
import { fieldsOf, filterIgnored, indexedEquality, matches, ODataError, parseFilter, project, type Filter, type FilterTraps } from './odata.js';
import { graphError, json, type FakeResponse } from './responses.js';
import { BETA_ONLY_FIELDS, LIST_DEFAULTS, type FakeDevice, type FakeTenant } from './tenant.js';
import { handleUser, listUsers, type UserContext } from './user-routes.js';

export type GraphVersion = 'v1.0' | 'beta';
export type { WriteRecord } from './action-routes.js';

export interface GraphRequest {
  method: string;
  version: GraphVersion;
  /** After the version, starting with "/", percent-decoded per segment later. */
  path: string;
  rawQuery: string;
  query: URLSearchParams;
  requestId: string;
  clientRequestId: string | undefined;
  via: 'direct' | 'batch';
  /** The JSON body, parsed; undefined when there is none. */
  body?: unknown;
}

export interface GraphContext extends UserContext {
  base: string;
  tenant: FakeTenant;
  actions: ActionBook;
  budget: SlidingWindowBudget;
  traps: FilterTraps;
  pageSize: number;
  strictSelect: boolean;
  /** Fields a list leaves null on top of LIST_DEFAULTS (FakeGraphOptions.listNulls). */
  listNulls: ReadonlySet<string>;
  refuseWindowsLock: boolean;
  now: () => number;
  writes: WriteRecord[];
  onThrottled: () => void;
  onForbidden: () => void;
}

interface Cursor {
  devices: FakeDevice[];
  offset: number;
}
const cursors = new WeakMap<GraphContext, Map<string, Cursor>>();
const MAX_CURSORS = 200;

const INDEXED = new Set(['deviceName', 'serialNumber', 'userPrincipalName', 'id']);
const COMPUTED = ['lastSyncDateTime', 'deviceActionResults'];

function knownFields(ctx: GraphContext, version: GraphVersion): Set<string> {
  const sample = ctx.tenant.devices[0]?.json ?? { id: '', deviceName: '' };
  return new Set([...Object.keys(sample), ...COMPUTED].filter((f) => version === 'beta' || !BETA_ONLY_FIELDS.has(f)));
}

/** One device as Graph serialises it in this version, before $select. */
export function render(ctx: GraphContext, device: FakeDevice, version: GraphVersion): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(device.json)) if (version === 'beta' || !BETA_ONLY_FIELDS.has(k)) out[k] = v;
  out.lastSyncDateTime = new Date(ctx.now() - device.lastSyncMinutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  out.deviceActionResults = ctx.actions.results(device, version);
  if (version === 'beta') out.lostModeState = ctx.actions.lostModeState(device);
  return out;
}

/**
 * One device as a list serialises it: the fields Graph fills in only on a GET by id are at their defaults, so a
 * client that relies on a list for them is caught here as it would be by Graph.
 */
function renderListed(ctx: GraphContext, device: FakeDevice, version: GraphVersion): Record<string, unknown> {
  const out = render(ctx, device, version);
  for (const [field, value] of Object.entries(LIST_DEFAULTS)) if (field in out) out[field] = value;
  for (const field of ctx.listNulls) if (field in out) out[field] = null;
  return out;
}

export function handleGraph(ctx: GraphContext, req: GraphRequest, token: IssuedToken): FakeResponse {
  const err = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    graphError(status, code, message, req.requestId, req.clientRequestId, ctx.now(), headers);
  const segments = req.path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  const canRead = token.roles.includes(READ_ROLE) || token.roles.includes(READ_WRITE_ROLE);
  const forbidden = (needed: string[]) => {
    ctx.onForbidden();
    return err(403, 'Forbidden', `Application is not authorized to perform this operation. Application must have one of the following scopes: ${needed.join(', ')} - Operation ID (for customer support): ${randomUUID()}`);
  };

  // /users?$filter=… (an address to its user)
  if (segments[0] === 'users' && segments.length === 1) return listUsers(ctx, req, token);
  // /users/{id|upn}[/revokeSignInSessions]
  if (segments[0] === 'users' && segments[1] !== undefined && segments[2] !== 'managedDevices') return handleUser(ctx, req, segments, token);

  // /deviceManagement/managedDevices[/{id}[/action]] and /users/{id|upn}/managedDevices[/{id}[/action]]
  let scope: FakeDevice[] | 'all';
  let rest: string[];
  if (segments[0] === 'deviceManagement' && segments[1] === 'managedDevices') {
    scope = 'all';
    rest = segments.slice(2);
  } else if (segments[0] === 'deviceManagement' && /^managedDevices\('.*'\)$/.test(segments[1] ?? '')) {
    scope = 'all';
    rest = [segments[1]!.slice(16, -2), ...segments.slice(2)];
  } else if (segments[0] === 'users' && segments[1] !== undefined && segments[2] === 'managedDevices') {
    const user = ctx.tenant.findUser(segments[1]);
    if (!user) return err(404, 'Request_ResourceNotFound', `Resource '${segments[1]}' does not exist or one of its queried reference-property objects are not present.`);
    scope = ctx.tenant.devicesOfUser(user);
    rest = segments.slice(3);
  } else {
    return err(400, 'BadRequest', `Resource not found for the segment '${segments[0] ?? ''}'.`);
  }

  if (rest.length === 0) {
    if (req.method !== 'GET') return err(405, 'BadRequest', `The HTTP method '${req.method}' is not allowed here.`);
    if (!canRead) return forbidden([READ_ROLE, READ_WRITE_ROLE]);
    return list(ctx, req, scope, err);
  }
  const id = rest[0]!;
  const device = ctx.tenant.byId.get(id);
  const inScope = device && (scope === 'all' || scope.includes(device));
  if (rest.length === 1) {
    if (req.method !== 'GET') return err(405, 'BadRequest', `The HTTP method '${req.method}' is not allowed here.`);
    if (!canRead) return forbidden([READ_ROLE, READ_WRITE_ROLE]);
    if (!inScope) return err(404, 'ResourceNotFound', `{"_version":3,"Message":"An error has occurred - Operation ID (for customer support): ${randomUUID()} - Activity ID: ${req.requestId} - Url: https://fef.msua06.manage.microsoft.com/DeviceFE/StatelessDeviceFEService/deviceManagement/managedDevices('${id}')","CustomApiErrorPhrase":"","RetryAfter":null,"ErrorSourceService":"","HttpHeaders":"{}"}`);
    const select = selectOf(ctx, req, err);
    if ('status' in select) return select;
    return json(200, { '@odata.context': `${ctx.base}/${req.version}/$metadata#deviceManagement/managedDevices/$entity`, ...project(render(ctx, device, req.version), select.fields) });
  }
  if (rest.length > 2) return err(400, 'BadRequest', `Resource not found for the segment '${rest[2]}'.`);
  return handleAction(ctx, req, token, { id, device: inScope ? device : undefined }, rest[1]!, err, forbidden);
}

type ErrFn = (status: number, code: string, message: string) => FakeResponse;

function selectOf(ctx: GraphContext, req: GraphRequest, err: ErrFn): { fields: string[] | undefined } | FakeResponse {
  const raw = req.query.get('$select');
  if (raw === null) return { fields: undefined };
  const fields = raw.split(',').map((f) => f.trim()).filter((f) => f !== '');
  if (ctx.strictSelect) {
    const known = knownFields(ctx, req.version);
    const unknown = fields.find((f) => !known.has(f));
    if (unknown) return err(400, 'BadRequest', `Could not find a property named '${unknown}' on type 'microsoft.graph.managedDevice'.`);
  }
  return { fields };
}

function list(ctx: GraphContext, req: GraphRequest, scope: FakeDevice[] | 'all', err: ErrFn): FakeResponse {
  const select = selectOf(ctx, req, err);
  if ('status' in select) return select;
  if (req.query.has('$search')) return err(400, 'BadRequest', 'Query option $search is not supported on managedDevices.');
  const store = cursors.get(ctx) ?? new Map<string, Cursor>();
  cursors.set(ctx, store);
  const top = Math.min(ctx.pageSize, Math.max(1, Number.parseInt(req.query.get('$top') ?? '', 10) || ctx.pageSize));

  let cursor: Cursor;
  const skiptoken = req.query.get('$skiptoken');
  if (skiptoken !== null) {
    const found = store.get(skiptoken);
    if (!found) return err(400, 'BadRequest', 'The $skiptoken is not valid or has expired.');
    store.delete(skiptoken);
    cursor = found;
  } else {
    let filter: Filter | undefined;
    const rawFilter = req.query.get('$filter');
    if (rawFilter !== null) {
      try {
        filter = parseFilter(rawFilter);
      } catch (error) {
        return err(400, 'BadRequest', `Invalid filter clause: ${(error as ODataError).message}`);
      }
      const known = knownFields(ctx, req.version);
      const unknown = fieldsOf(filter).find((f) => !known.has(f.field));
      if (unknown) return err(400, 'BadRequest', `Could not find a property named '${unknown.field}' on type 'microsoft.graph.managedDevice'.`);
      if (filterIgnored(filter, ctx.traps)) filter = undefined;
    }
    cursor = { devices: evaluate(ctx, scope, filter), offset: 0 };
  }

  const page = cursor.devices.slice(cursor.offset, cursor.offset + top);
  const body: Record<string, unknown> = { '@odata.context': `${ctx.base}/${req.version}/$metadata#deviceManagement/managedDevices` };
  if (cursor.offset + top < cursor.devices.length) {
    const token = randomUUID();
    store.set(token, { devices: cursor.devices, offset: cursor.offset + top });
    if (store.size > MAX_CURSORS) store.delete(store.keys().next().value!);
    const keep = req.rawQuery.split('&').filter((p) => p !== '' && !/^(\$|%24)skiptoken=/i.test(p));
    body['@odata.nextLink'] = `${ctx.base}/${req.version}${req.path}?${[...keep, `$skiptoken=${token}`].join('&')}`;
  }
  body.value = page.map((d) => project(renderListed(ctx, d, req.version), select.fields));
  return json(200, body);
}

function evaluate(ctx: GraphContext, scope: FakeDevice[] | 'all', filter: Filter | undefined): FakeDevice[] {
  const all = scope === 'all' ? ctx.tenant.devices : scope;
  if (!filter) return all;
  let candidates = all;
  const eq = scope === 'all' ? indexedEquality(filter, INDEXED) : undefined;
  if (eq) {
    const key = eq.value.normalize('NFC').toLowerCase();
    const t = ctx.tenant;
    const hit = eq.field === 'deviceName' ? t.byName.get(key) : eq.field === 'serialNumber' ? t.bySerial.get(key) : eq.field === 'userPrincipalName' ? t.byUser.get(key) : [t.byId.get(eq.value)].filter((d) => d !== undefined);
    candidates = hit ?? [];
  }
  return candidates.filter((d) => matches(filter, d.json, ctx.traps));
}
