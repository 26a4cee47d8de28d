// Builds the Bolt app for lockdesk: an HTTPReceiver whose requestListener lockdesk's HTTP server calls for
// POST /slack/events, or Socket Mode when an app token is given. Every Web API call goes to SLACK_API_URL.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, type App as BoltApp } from '@slack/bolt';
import type { Handler, Policy, ReplySink } from '../../src/core/index.js';
import type { Logger } from '../../src/ports.js';
import { boltLogger } from './bolt-logger.js';
import { Deliveries } from './deliveries.js';
import { SlackDirectory } from './directory.js';
import { registerListeners } from './listeners.js';
import { ResponseUrls } from './response-url.js';
import { restoreClickSink } from './sink-ref.js';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAdapterOptions {
  handler: Handler;
  policy: Policy;
  logger: Logger;
  botToken: string;
  /** HTTP mode. */
  signingSecret?: string;
  /** Socket Mode when set. */
  appToken?: string;
  apiUrl: string;
  /** Given both, Bolt makes no auth.test call (tests, the bench, a stub API). */
  botId?: string;
  botUserId?: string;
  responseUrls?: ResponseUrls;
  /** Web API retries (default: 2 retries within a few seconds; a 429 waits for its Retry-After). */
  retries?: number;
}

export interface SlackAdapter {
  bolt: BoltApp;
  mode: 'http' | 'socket';
  /** For POST /slack/events (HTTP mode only). */
  listener?: (req: IncomingMessage, res: ServerResponse) => void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the work started by every acknowledged event so far has ended (not the follow-ups). */
  idle(): Promise<void>;
  /** A click's sink from the data of its stored reference, with this adapter's outlets (see sink-ref.ts). */
  restoreSink(data: Record<string, unknown>): ReplySink | undefined;
}

export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  const { logger } = options;
  const clientOptions = {
    slackApiUrl: options.apiUrl,
    retryConfig: { retries: options.retries ?? 2, factor: 2, minTimeout: 250, maxTimeout: 3_000 },
    timeout: 10_000,
  };
  const common = {
    token: options.botToken,
    logger: boltLogger(logger),
    clientOptions,
    ...(options.botId && options.botUserId ? { botId: options.botId, botUserId: options.botUserId } : {}),
  };
  const socket = options.appToken !== undefined;
  const receiver = socket ? undefined : new HTTPReceiver({ signingSecret: options.signingSecret ?? '', endpoints: SLACK_EVENTS_PATH, logger: common.logger });
  const app = socket ? new App({ ...common, socketMode: true, appToken: options.appToken }) : new App({ ...common, receiver });

  const running = new Set<Promise<void>>();
  const background = (work: () => Promise<void>) => {
    // After the I/O turn: the ack's bytes leave before any of the work's own CPU time is spent.
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'a Slack event failed after it was acknowledged'))
      .finally(() => running.delete(run));
    running.add(run);
  };
  const outlets = { client: app.client, responseUrls: options.responseUrls ?? new ResponseUrls(), logger };
  registerListeners(app, {
    ...outlets,
    handler: options.handler,
    directory: new SlackDirectory(app.client, options.policy, logger),
    deliveries: new Deliveries(),
    background,
  });
  app.error(async (error) => {
    logger.error({ code: (error as { code?: string }).code, err: error.message }, 'Slack listener error');
  });

  const idle = async () => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };
  return {
    bolt: app,
    mode: socket ? 'socket' : 'http',
    ...(receiver
      ? {
          listener: (req: IncomingMessage, res: ServerResponse) => {
            receiver.requestListener(req, res);
          },
        }
      : {}),
    start: async () => {
      if (socket) await app.start();
    },
    stop: async () => {
      if (socket) await app.stop();
      await idle();
    },
    idle,
    restoreSink: (data) => restoreClickSink(outlets, data),
  };
}
