// One measured app of `npm run bench:slack`, in a process of its own (started by bench/slack.ts with
// NODE_EXTRA_CA_CERTS naming the fake Graph's certificate, and an IPC channel):
//   --mode lockdesk  the real composition, as src/main.ts builds it from the environment: buildApp (BACKEND=graph,
//                    over HTTPS to the fake Graph), crash recovery, the background jobs (the inventory refresh
//                    among them), the mounts (Slack at POST /slack/events) on startHttpServer;
//   --mode bare      a Bolt app that only acks, on the same HTTP server.
// Measures its own event-loop delay with perf_hooks.monitorEventLoopDelay between the parent's "start" and "stop".
// Messages: parent → {cmd: 'start' | 'stop' | 'idle' | 'refresh' | 'exit'}; child → {type: 'ready', url} | {type: 'stats', …} |
// {type: 'idle'} | {type: 'refreshed', ms}. 'refresh' rebuilds the inventory index as the periodic refresh does.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { App as BoltApp, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { SlackMount } from '../adapters/slack/mount.js';
import { buildApp } from '../src/app.js';
import type { GraphBackend } from '../src/backend/graph/index.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/logger.js';
import { interruptedAfterMs } from '../src/queue/create-queue.js';
import { startHttpServer, type RunningServer } from '../src/server/http-server.js';
import { buildMounts } from '../src/server/mounts.js';

/** The loop-delay sampling period; every sample includes it, so it is taken off again. */
export const RESOLUTION_MS = 1;

export interface LoopDelay {
  /** Milliseconds by which a 1 ms timer fired late: p50, p99, max; and how many samples. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Samples over 10 ms. */
  over10: number;
  samples: number;
}

export type FromApp = { type: 'ready'; url: string } | { type: 'stats'; loop: LoopDelay; cpuMs: number; heapMb: number } | { type: 'idle' } | { type: 'refreshed'; ms: number };
export type ToApp = { cmd: 'start' | 'stop' | 'idle' | 'refresh' | 'exit' };

interface Measured {
  url: string;
  idle(): Promise<void>;
  /** Milliseconds the inventory refresh took (lockdesk only). */
  refresh(): Promise<number>;
  close(): Promise<void>;
}

async function lockdesk(): Promise<Measured> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const app = await buildApp(config, logger);
  await app.handler.recover({ olderThanMs: interruptedAfterMs(config) });
  app.startBackgroundJobs();
  const mounts = await buildMounts(app, logger);
  const http = await startHttpServer({ host: config.HOST, port: config.PORT, routes: mounts.flatMap((m) => m.routes), logger });
  for (const mount of mounts) await mount.start?.();
  const slack = mounts.find((m): m is SlackMount => 'adapter' in m);
  if (!slack || slack.adapter.status.state !== 'connected') throw new Error(`the Slack mount did not connect: ${slack?.describe ?? 'no Slack mount'}`);
  const graph = app.backend as GraphBackend;
  // The first refresh starts with the background jobs; the measurements begin once it is done.
  while (graph.inventoryAge() === undefined) await new Promise((r) => setTimeout(r, 100));
  return {
    url: http.url,
    refresh: async () => (await graph.refreshInventory()).ms,
    idle: async () => {
      await slack.adapter.idle();
      await app.handler.idle();
    },
    async close() {
      await http.close();
      for (const mount of mounts) await mount.stop?.();
      await app.close();
    },
  };
}

async function bare(): Promise<Measured> {
  const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? '', logLevel: LogLevel.ERROR });
  const bolt = new BoltApp({ token: process.env.SLACK_BOT_TOKEN, botId: 'B0', botUserId: 'U0BOT', receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: process.env.SLACK_API_URL } });
  bolt.command(/.*/, async ({ ack }) => {
    await ack();
  });
  const http: RunningServer = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    routes: [{ method: 'POST', path: '/slack/events', listener: (req, res) => receiver.requestListener(req, res) }],
    logger: createLogger('silent'),
  });
  return { url: http.url, idle: async () => {}, refresh: async () => 0, close: () => http.close() };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mode: { type: 'string' } } });
  if (values.mode !== 'lockdesk' && values.mode !== 'bare') throw new Error('usage: node --import tsx bench/slack-app.ts --mode lockdesk|bare');
  if (!process.send) throw new Error('bench/slack-app.ts runs as a child of bench/slack.ts (it needs an IPC channel)');
  const send = (m: FromApp) => process.send!(m);
  const app = values.mode === 'lockdesk' ? await lockdesk() : await bare();
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  // BENCH_SLACK_CPU_PROF=<dir>: a CPU profile of each measured turn (not of start-up or warm-up), 200 µs sampling.
  const profileDir = values.mode === 'lockdesk' ? process.env.BENCH_SLACK_CPU_PROF : undefined;
  const profiler = profileDir ? new Session() : undefined;
  let turn = 0;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
  }
  let cpuAtStart = process.cpuUsage();
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
  process.on('message', (message: ToApp) => {
    switch (message.cmd) {
      case 'start':
        histogram.reset();
        histogram.enable();
        cpuAtStart = process.cpuUsage();
        void profiler?.post('Profiler.start');
        break;
      case 'stop': {
        histogram.disable();
        const n = ++turn;
        void profiler?.post('Profiler.stop').then(({ profile }) => writeFile(join(profileDir!, `lockdesk-turn-${n}.cpuprofile`), JSON.stringify(profile)));
        const cpu = process.cpuUsage(cpuAtStart);
        let over10 = 0;
        for (const [percentile, value] of histogram.percentiles) if (value / 1e6 - RESOLUTION_MS > 10) over10 = Math.max(over10, Math.round(((100 - percentile) / 100) * histogram.count));
        send({
          type: 'stats',
          loop: { p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max), over10, samples: histogram.count },
          cpuMs: Math.round((cpu.user + cpu.system) / 1000),
          // Live heap when run with NODE_OPTIONS=--expose-gc (collected first); otherwise what is in use, garbage included.
          heapMb: Math.round(((globalThis as { gc?: () => void }).gc?.(), process.memoryUsage().heapUsed) / 1e6),
        });
        break;
      }
      case 'idle':
        void app.idle().then(() => send({ type: 'idle' }));
        break;
      case 'refresh':
        void app.refresh().then((ms) => send({ type: 'refreshed', ms }));
        break;
      case 'exit':
        void app.close().finally(() => process.exit(0));
        break;
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: app.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
