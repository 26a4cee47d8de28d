// Builds the Bolt app for lockdesk: a receiver whose requestListener lockdesk's HTTP server calls for
// POST /slack/events (receiver.ts), or Socket Mode when an app token is given. Every Web API call goes to SLACK_API_URL.
// Bolt is built only once auth.test has said who lockdesk is in Slack (see connection.ts): until then Slack's
// requests get 503 and the rest of lockdesk serves as usual.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, webApi, type App as BoltApp } from '@slack/bolt';
import type { Handler, Policy, PolicySource, ReplySink } from '../../src/core/index.js';
import type { Logger } from '../../src/ports.js';
import { boltLogger } from './bolt-logger.js';
import { SlackConnection, type SlackIdentity, type SlackStatus } from './connection.js';
import { Deliveries } from './deliveries.js';
import { SlackDirectory } from './directory.js';
import { registerListeners } from './listeners.js';
import { LockdeskReceiver } from './receiver.js';
import { ResponseUrls } from './response-url.js';
import { restoreCardSink } from './approval-cards.js';
import { restoreClickSink } from './sink-ref.js';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAdapterOptions {
  handler: Handler;
  /** The policy in force (a source, when the policy file may be reloaded): its slack-group: members are looked up. */
  policy: Policy | PolicySource;
  logger: Logger;
  botToken: string;
  /** HTTP mode. */
  signingSecret?: string;
  /** Socket Mode when set. */
  appToken?: string;
  apiUrl: string;
  /** SLACK_TEAM_ID: the installed workspace, when the operator names it. */
  teamId?: string | undefined;
  /** Given both and a team id, no auth.test call is needed (tests, the bench, a stub API). */
  botId?: string;
  botUserId?: string;
  responseUrls?: ResponseUrls;
  /** Web API retries (default: 2 retries within a few seconds; a 429 waits for its Retry-After). */
  retries?: number;
  /** auth.test's first retry; it doubles up to a minute. */
  connectBackoffMs?: number;
}

export interface SlackAdapter {
  /** The Bolt app, once connected. */
  readonly bolt: BoltApp | undefined;
  client: webApi.WebClient;
  mode: 'http' | 'socket';
  readonly status: SlackStatus;
  /** For POST /slack/events (HTTP mode only). */
  listener?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Tries to connect once (auth.test) and returns; retries go on in the background. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the work started by every acknowledged event so far has ended (not the follow-ups). */
  idle(): Promise<void>;
  /** Who Slack users are (cached): the listeners' and the approval cards' one directory. */
  directory: SlackDirectory;
  /** A click's or an approval card's sink from the data of its stored reference, with this adapter's outlets. */
  restoreSink(data: Record<string, unknown>): ReplySink | undefined;
}

export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  const { logger } = options;
  const clientOptions = {
    slackApiUrl: options.apiUrl,
    retryConfig: { retries: options.retries ?? 2, factor: 2, minTimeout: 250, maxTimeout: 3_000 },
    timeout: 10_000,
  };
  const bolts = boltLogger(logger);
  const client = new webApi.WebClient(options.botToken, { ...clientOptions, logger: bolts });
  const connection = new SlackConnection(new webApi.WebClient(options.botToken, { slackApiUrl: options.apiUrl, retryConfig: { retries: 0 }, timeout: 10_000, logger: bolts }), {
    logger,
    teamId: options.teamId,
    ...(options.botId && options.botUserId ? { known: { botId: options.botId, botUserId: options.botUserId } } : {}),
    ...(options.connectBackoffMs !== undefined ? { initialBackoffMs: options.connectBackoffMs } : {}),
  });
  const socket = options.appToken !== undefined;
  let bolt: BoltApp | undefined;
  let receiver: LockdeskReceiver | undefined;

  const running = new Set<Promise<void>>();
  const background = (work: () => Promise<void>) => {
    // After the I/O turn: the ack's bytes leave before any of the work's own CPU time is spent.
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'a Slack event failed after it was acknowledged'))
      .finally(() => running.delete(run));
    running.add(run);
  };
  // One directory for the listeners and the approval cards: users.info and group answers are cached once.
  const directory = new SlackDirectory(client, options.policy, logger);
  const outlets = { client, responseUrls: options.responseUrls ?? new ResponseUrls(), logger, apiOrigin: new URL(options.apiUrl).origin };

  const build = (identity: SlackIdentity): BoltApp => {
    const common = { token: options.botToken, logger: bolts, clientOptions, botId: identity.botId, botUserId: identity.botUserId };
    if (!socket) receiver = new LockdeskReceiver({ signingSecret: options.signingSecret ?? '', boltLogger: bolts, logger });
    const app = socket ? new App({ ...common, socketMode: true, appToken: options.appToken }) : new App({ ...common, receiver: receiver! });
    registerListeners(app, { ...outlets, handler: options.handler, directory, deliveries: new Deliveries(), identity, background });
    app.error(async (error) => {
      logger.error({ code: (error as { code?: string }).code, err: error.message }, 'Slack listener error');
    });
    return app;
  };
  let started = false;
  let socketStarted = false;
  const startSocket = async () => {
    if (!socket || !bolt || !started || socketStarted) return;
    socketStarted = true;
    await bolt.start();
  };
  connection.onConnected((identity) => {
    bolt = build(identity);
    startSocket().catch((err: unknown) => logger.error({ err: String((err as Error)?.message ?? err) }, 'Slack: Socket Mode did not start'));
  });

  const idle = async () => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };
  return {
    get bolt() {
      return bolt;
    },
    client,
    directory,
    mode: socket ? 'socket' : 'http',
    get status() {
      return connection.status;
    },
    ...(!socket
      ? {
          listener: (req: IncomingMessage, res: ServerResponse) => {
            if (!receiver) {
              req.resume();
              res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '10' }).end(JSON.stringify({ error: 'lockdesk is not connected to Slack yet' }));
              return;
            }
            receiver.requestListener(req, res);
          },
        }
      : {}),
    start: async () => {
      started = true;
      await connection.start();
      await startSocket();
    },
    stop: async () => {
      connection.stop();
      if (socketStarted && bolt) await bolt.stop();
      await idle();
    },
    idle,
    // An approval card's reference names only its message; a click's names the person who clicked.
    restoreSink: (data) => ('card' in data ? restoreCardSink(client, data) : restoreClickSink(outlets, data)),
  };
}
