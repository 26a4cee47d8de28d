// The outside world of `npm run bench:slack`, in a process of its own so that none of its work lands on the measured
// app's event loop: the fake Microsoft Graph + Entra (HTTPS, test/fakes/graph-server) with a 100k-device tenant, and
// a stand-in for slack.com/api and the response URLs (HTTP). Prints one JSON line, {graphEnv, slackApiUrl}, once both
// listen; stops when its stdin closes.
// Usage: tsx bench/slack-services.ts --cert <pem> --key <pem> [--devices 100000]
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { generatedTenant, readTlsMaterial, startFakeGraph } from '../test/fakes/graph-server/index.js';
import { demoToGraph } from '../test/fakes/graph-server/tenant.js';
import { BULK_DEVICES, BULK_USER, FLEET_DEVICES, FLEET_USER, TEAM_ID, userEmail } from './slack-shared.js';

const PLATFORMS = [
  ['iOS', 'iPhone', 'iPhone 15', 'Apple', 'appleBulkWithUser', '17.5'],
  ['Android', 'androidEnterprise', 'Pixel 8', 'Google', 'androidEnterpriseFullyManaged', '14'],
  ['iPadOS', 'iPad', 'iPad Air', 'Apple', 'appleBulkWithUser', '17.5'],
  ['macOS', 'macMDM', 'MacBook Air', 'Apple', 'appleBulkWithUser', '14.5'],
] as const;

function tenant(devices: number) {
  const t = generatedTenant({ count: devices, bulkUser: { userPrincipalName: BULK_USER, devices: BULK_DEVICES } });
  const lead = { id: '00000005-0000-4000-8000-000000000001', userPrincipalName: FLEET_USER, displayName: 'Fleet Lead', mail: FLEET_USER };
  t.addUser(lead);
  for (let i = 0; i < FLEET_DEVICES; i++) {
    const [operatingSystem, deviceType, model, manufacturer, enrollmentType, osVersion] = PLATFORMS[i % PLATFORMS.length]!;
    const n = String(i + 1).padStart(3, '0');
    t.add({
      json: demoToGraph({
        id: `00000006-0000-4000-8000-000000000${n}`, name: `FLEET-${n}`, model, manufacturer, operatingSystem, osVersion, deviceType,
        serialNumber: `FL000${n}`, userId: lead.id, userPrincipalName: FLEET_USER, userDisplayName: lead.displayName, emailAddress: FLEET_USER,
        managementAgent: 'mdm', enrollmentType, ownerType: 'company', enrolledByUserPrincipalName: FLEET_USER, lastSyncMinutesAgo: i * 97,
      }),
      lastSyncMinutesAgo: i * 97,
      offline: false,
    });
  }
  return t;
}

/** slack.com/api and hooks.slack.com: canned answers; users.info names the generated tenant's users. */
async function startSlackApi(): Promise<string> {
  let ts = 1000;
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => (raw += c));
    req.on('end', () => {
      if (req.url?.startsWith('/hooks/')) {
        res.writeHead(200).end('ok');
        return;
      }
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
      const params = new URLSearchParams(raw);
      let body: unknown = { ok: true, channel: 'D0', ts: `${++ts}.000100`, message_ts: `${ts}.000200` };
      if (method === 'auth.test') body = { ok: true, team_id: TEAM_ID, user_id: 'U0BOT', bot_id: 'B0' };
      else if (method === 'users.info') {
        const user = params.get('user') ?? 'U0';
        const email = userEmail(user);
        body = email ? { ok: true, user: { id: user, name: user, team_id: TEAM_ID, profile: { email, display_name: user } } } : { ok: false, error: 'user_not_found' };
      } else if (method === 'usergroups.users.list') body = { ok: true, users: [] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { cert: { type: 'string' }, key: { type: 'string' }, devices: { type: 'string' } } });
  if (!values.cert || !values.key) throw new Error('usage: tsx bench/slack-services.ts --cert <pem> --key <pem> [--devices N]');
  const tls = await readTlsMaterial(values.cert, values.key);
  // Actions stay pending (nobody clicks in this bench, but a stray click must not settle at once).
  const fake = await startFakeGraph({ tls, tenant: tenant(Number(values.devices ?? 100_000)), actionSettleMs: 60_000 });
  const slackApiUrl = await startSlackApi();
  process.stdout.write(`${JSON.stringify({ graphEnv: fake.env(), slackApiUrl })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => process.exit(0));
  process.stdin.once('close', () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
