// `npm run bench:slack`: how fast Slack gets its ack from lockdesk, on loopback, with signed slash-command posts.
//   1. a steady 40 commands/s for 15 s against lockdesk doing its full work (users.info, look-up, reply through the
//      response URL) and against a bare Bolt app that only acks, in the same run: p50/p99 and their ratio (goal ≤ 1.2);
//   2. the highest steady rate at which lockdesk's p99 ack stays under 1 s;
//   3. the ack with a backend that takes 10 s per call, as a ratio to an instant one (goal ≤ 1.1).
// Every Web API call and response-URL post goes to a local stub server (SLACK_API_URL); nothing leaves the machine.
// BENCH_SLACK_SECONDS shortens phase 1 (default 15). Prints figures; it is not a test.
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App as BoltApp, HTTPReceiver, LogLevel } from '@slack/bolt';
import { slackMount } from '../adapters/slack/mount.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/logger.js';
import { startHttpServer, type RunningServer } from '../src/server/http-server.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SECRET = 'bench-signing-secret';
const STEADY_RATE = 40;
const STEADY_SECONDS = Number(process.env.BENCH_SLACK_SECONDS ?? 15);
const SEARCH_SECONDS = 5;
const SEARCH_RATES = [40, 80, 160, 320, 640, 1280];
const SLOW_RATE = 10;
const SLOW_SECONDS = 5;
const USERS = ['U0ALICE', 'U0BOB', 'U0CAROL'];
const EMAILS: Record<string, string> = { U0ALICE: 'alice@contoso.com', U0BOB: 'bob@contoso.com', U0CAROL: 'carol.diaz@contoso.com' };
const COMMANDS: Array<[string, string]> = [
  ['/lock', 'me'],
  ['/devices', 'me'],
  ['/lost', ''],
  ['/reset-passcode', 'me'],
];

export interface Latency {
  sent: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
}

export interface SlackBenchResult {
  steady: { rate: number; seconds: number; lockdesk: Latency; bare: Latency; p99Ratio: number };
  highestRateUnder1s: number;
  slowBackend: { rate: number; instant: Latency; slow: Latency; p50Ratio: number; p99Ratio: number };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A stand-in for slack.com/api and hooks.slack.com: canned answers (users.info gives the demo emails). */
async function startApiStub(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => (raw += c));
    req.on('end', () => {
      if (req.url?.startsWith('/hooks/')) {
        res.writeHead(200).end('ok');
        return;
      }
      const method = (req.url ?? '').replace(/^\/api\//, '');
      const params = new URLSearchParams(raw);
      let body: unknown = { ok: true, channel: 'D0', ts: '1.000100', message_ts: '1.000200' };
      if (method === 'users.info') {
        const user = params.get('user') ?? 'U0';
        body = { ok: true, user: { id: user, name: user, profile: { email: EMAILS[user] ?? 'nobody@contoso.com', display_name: user } } };
      } else if (method === 'usergroups.users.list') body = { ok: true, users: [] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function signedCommand(stub: string, n: number): { body: string; headers: Record<string, string> } {
  const [command, text] = COMMANDS[n % COMMANDS.length]!;
  const user = USERS[n % USERS.length]!;
  const body = new URLSearchParams({
    token: 't',
    team_id: 'T0BENCH',
    team_domain: 'contoso',
    channel_id: 'C0HELPDESK',
    channel_name: 'helpdesk',
    user_id: user,
    user_name: user,
    command,
    text,
    api_app_id: 'A0',
    response_url: `${stub}/hooks/commands/T0/${n}/x`,
    trigger_id: `${n}.${Date.now()}`,
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature } };
}

/** Open loop: a request every 1/rate s whatever the answers do; the time to the HTTP answer is the ack latency. */
async function load(target: string, stub: string, rate: number, seconds: number): Promise<Latency> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = start + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const { body, headers } = signedCommand(stub, n);
    const sent = performance.now();
    inflight.push(
      fetch(`${target}/slack/events`, { method: 'POST', headers, body })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status === 200) latencies.push(performance.now() - sent);
          else failed++;
        })
        .catch(() => {
          failed++;
        }),
    );
  }
  await Promise.all(inflight);
  return { sent: total, failed, p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)) };
}

const round = (x: number) => Math.round(x * 100) / 100;

async function startLockdesk(dataDir: string, apiUrl: string, latencyMs: number) {
  const config = loadConfig({
    LOCKDESK_DATA_DIR: dataDir,
    LOCKDESK_PLATFORM_SUPPORT: join(ROOT, 'data/platform-support.json'),
    LOCKDESK_DEMO_TENANT: join(ROOT, 'data/demo-tenant.json'),
    LOCKDESK_SIM_SETTLE_MS: '0',
    LOCKDESK_SIM_LATENCY_MS: String(latencyMs),
    LOCKDESK_POLL_INTERVAL_MS: '1000',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: `${apiUrl}/api/`,
    SLACK_TEAM_ID: 'T0BENCH',
  });
  const logger = createLogger('silent');
  const app = await buildApp(config, logger);
  const mount = await slackMount(app, logger, { botId: 'B0', botUserId: 'U0BOT' });
  const http = await startHttpServer({ host: '127.0.0.1', port: 0, routes: mount.routes, logger });
  return {
    url: http.url,
    async close() {
      await mount.adapter.idle();
      await app.handler.idle();
      await http.close();
      await app.close();
    },
  };
}

async function startBare(apiUrl: string): Promise<RunningServer> {
  const receiver = new HTTPReceiver({ signingSecret: SECRET, logLevel: LogLevel.ERROR });
  const bolt = new BoltApp({ token: 'xoxb-bench', botId: 'B0', botUserId: 'U0BOT', receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: `${apiUrl}/api/` } });
  bolt.command(/.*/, async ({ ack }) => {
    await ack();
  });
  return startHttpServer({ host: '127.0.0.1', port: 0, routes: [{ method: 'POST', path: '/slack/events', listener: (req, res) => receiver.requestListener(req, res) }], logger: createLogger('silent') });
}

export async function main(): Promise<SlackBenchResult> {
  const api = await startApiStub();
  const stubUrl = api.url;
  const root = await mkdtemp(join(tmpdir(), 'lockdesk-bench-slack-'));
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    say(`Slack ack latency, loopback, signed slash commands (${COMMANDS.map((c) => c[0]).join(', ')}), Web API and response URLs on a local stub`);
    const bare = await startBare(stubUrl);
    const lockdesk = await startLockdesk(join(root, 'steady'), stubUrl, 0);
    // Warm both up (JIT, users.info cache, keep-alive sockets) before measuring.
    await load(bare.url, stubUrl, STEADY_RATE, 1);
    await load(lockdesk.url, stubUrl, STEADY_RATE, 1);
    const bareSteady = await load(bare.url, stubUrl, STEADY_RATE, STEADY_SECONDS);
    const lockdeskSteady = await load(lockdesk.url, stubUrl, STEADY_RATE, STEADY_SECONDS);
    const p99Ratio = round(lockdeskSteady.p99Ms / bareSteady.p99Ms);
    say(`1. ${STEADY_RATE}/s for ${STEADY_SECONDS} s:`);
    say(`   bare Bolt (ack only): p50 ${bareSteady.p50Ms} ms, p99 ${bareSteady.p99Ms} ms (${bareSteady.sent} sent, ${bareSteady.failed} failed)`);
    say(`   lockdesk (full work): p50 ${lockdeskSteady.p50Ms} ms, p99 ${lockdeskSteady.p99Ms} ms (${lockdeskSteady.sent} sent, ${lockdeskSteady.failed} failed)`);
    say(`   p99 ratio lockdesk/bare: ${p99Ratio} (goal ≤ 1.2)`);
    await bare.close();

    await lockdesk.close();
    let highest = 0;
    // Each rate on a fresh lockdesk, so the work left over from the previous step does not count against the next.
    for (const rate of SEARCH_RATES) {
      const fresh = await startLockdesk(join(root, `rate-${rate}`), stubUrl, 0);
      await load(fresh.url, stubUrl, 20, 0.5);
      const result = await load(fresh.url, stubUrl, rate, SEARCH_SECONDS);
      say(`2. ${rate}/s for ${SEARCH_SECONDS} s: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.failed} failed`);
      await fresh.close();
      if (result.failed > 0 || !(result.p99Ms < 1000)) break;
      highest = rate;
    }
    say(`   highest steady rate with p99 ack < 1 s: ${highest}/s${highest === SEARCH_RATES.at(-1) ? ' (the highest rate tried)' : ''}`);

    const instantApp = await startLockdesk(join(root, 'instant'), stubUrl, 0);
    await load(instantApp.url, stubUrl, SLOW_RATE, 1);
    const instant = await load(instantApp.url, stubUrl, SLOW_RATE, SLOW_SECONDS);
    await instantApp.close();
    const slowApp = await startLockdesk(join(root, 'slow'), stubUrl, 10_000);
    await load(slowApp.url, stubUrl, SLOW_RATE, 1);
    const slow = await load(slowApp.url, stubUrl, SLOW_RATE, SLOW_SECONDS);
    say(`3. ${SLOW_RATE}/s for ${SLOW_SECONDS} s: instant backend p50 ${instant.p50Ms} ms, p99 ${instant.p99Ms} ms; 10 s backend p50 ${slow.p50Ms} ms, p99 ${slow.p99Ms} ms`);
    const slowBackend = { rate: SLOW_RATE, instant, slow, p50Ratio: round(slow.p50Ms / instant.p50Ms), p99Ratio: round(slow.p99Ms / instant.p99Ms) };
    say(`   ratio 10 s / instant: p50 ${slowBackend.p50Ratio}, p99 ${slowBackend.p99Ratio} (goal ≤ 1.1); waiting for the slow work to end…`);
    await slowApp.close();
    return { steady: { rate: STEADY_RATE, seconds: STEADY_SECONDS, lockdesk: lockdeskSteady, bare: bareSteady, p99Ratio }, highestRateUnder1s: highest, slowBackend };
  } finally {
    api.server.close();
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
