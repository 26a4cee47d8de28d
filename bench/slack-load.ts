// The load of `npm run bench:slack`: signed slash commands of mixed work at a steady rate, open loop, and what the
// acks took. The ack latency is the time from sending a command to its HTTP answer.
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BULK_USER, FLEET_USER, HELPDESK, TEAM_ID } from './slack-shared.js';

export const SECRET = 'bench-signing-secret';
export const RATE = 40;
const SELF_SERVICE_USERS = 100;

/** The mix, in turn: [command, text, by the helpdesk]. Self-service commands rotate over 100 ordinary users. */
export const MIX: Array<[string, string, boolean]> = [
  ['/lock', 'me', false],
  ['/devices', BULK_USER, true],
  ['/lost', '', false],
  ['/reset-passcode', 'me', false],
  ['/lock', FLEET_USER, true],
];


export interface Latency {
  sent: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export const round = (x: number) => Math.round(x * 100) / 100;
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : round(s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2);
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function summarise(latencies: number[], sent: number, failed: number): Latency {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { sent, failed, p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted.at(-1) ?? NaN) };
}

function signedCommand(hooks: string, run: number, n: number): { body: string; headers: Record<string, string> } {
  const [command, text, helpdesk] = MIX[n % MIX.length]!;
  const user = helpdesk ? HELPDESK.id : `U0USER${String((Math.floor(n / MIX.length) % SELF_SERVICE_USERS) + 1).padStart(6, '0')}`;
  const body = new URLSearchParams({
    token: 't',
    team_id: TEAM_ID,
    team_domain: 'contoso',
    channel_id: 'C0HELPDESK',
    channel_name: 'helpdesk',
    user_id: user,
    user_name: user,
    command,
    text,
    api_app_id: 'A0',
    response_url: `${hooks}/hooks/commands/${TEAM_ID}/${run}-${n}/x`,
    trigger_id: `${run}.${n}.${Date.now()}`,
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature } };
}

/** Open loop: a request every 1/rate s whatever the answers do; the time to the HTTP answer is the ack latency. */
export async function load(target: string, hooks: string, run: number, seconds: number, during?: () => void): Promise<{ latencies: number[]; sent: number; failed: number }> {
  const total = Math.round(RATE * seconds);
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = start + (n * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (n === Math.floor(total / 3)) during?.();
    const { body, headers } = signedCommand(hooks, run, n);
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
  return { latencies, sent: total, failed };
}

