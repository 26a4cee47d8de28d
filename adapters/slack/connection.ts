// Who lockdesk is in Slack: its bot ids and the workspace it is installed in, from auth.test. Slack being down (or
// the token being wrong) at start-up must not take lockdesk down: the rest serves, Slack reports itself degraded,
// and auth.test is tried again with backoff until it answers.
import type { webApi } from '@slack/bolt';
import type { Logger } from '../../src/ports.js';
import { slackFailure } from './slack-errors.js';

export interface SlackIdentity {
  botId: string;
  botUserId: string;
  /** The installed workspace (T…): every request must come from it. */
  teamId: string;
  /** The Enterprise Grid organisation (E…) the workspace belongs to, if any. */
  enterpriseId?: string;
}

export type SlackStatus = { state: 'connecting'; reason: string; retryInMs: number } | { state: 'connected' } | { state: 'stopped' };

export interface ConnectionOptions {
  logger: Logger;
  /** SLACK_TEAM_ID: the workspace, when the operator names it; auth.test must agree. */
  teamId?: string | undefined;
  /** Bot ids known ahead (tests, the bench): with a team id too, auth.test is not needed. */
  known?: { botId: string; botUserId: string } | undefined;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export class SlackConnection {
  readonly #client: webApi.WebClient;
  readonly #options: ConnectionOptions;
  #status: SlackStatus = { state: 'connecting', reason: 'not tried yet', retryInMs: 0 };
  #identity: SlackIdentity | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  readonly #waiting: Array<(identity: SlackIdentity) => void> = [];

  constructor(client: webApi.WebClient, options: ConnectionOptions) {
    this.#client = client;
    this.#options = options;
    if (options.known && options.teamId) this.#connected({ ...options.known, teamId: options.teamId });
  }

  get status(): SlackStatus {
    return this.#status;
  }

  get identity(): SlackIdentity | undefined {
    return this.#identity;
  }

  /** Calls back once connected (at once when it already is). */
  onConnected(callback: (identity: SlackIdentity) => void): void {
    if (this.#identity) callback(this.#identity);
    else this.#waiting.push(callback);
  }

  /** The first attempt; whatever its outcome, later ones run in the background until one succeeds. */
  async start(): Promise<void> {
    if (this.#identity || this.#status.state === 'stopped') return;
    await this.#tryOnce();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#identity) this.#status = { state: 'stopped' };
  }

  async #tryOnce(): Promise<void> {
    this.#attempt += 1;
    try {
      const result = await this.#client.auth.test();
      const teamId = typeof result.team_id === 'string' ? result.team_id : '';
      const botUserId = typeof result.user_id === 'string' ? result.user_id : '';
      const botId = typeof result.bot_id === 'string' ? result.bot_id : '';
      if (!teamId || !botUserId) throw new Error('auth.test did not name the workspace and the bot');
      if (this.#options.teamId && this.#options.teamId !== teamId) {
        // Not a passing fault: the token is another workspace's. Say so and keep Slack off rather than guess.
        this.#status = { state: 'connecting', reason: `SLACK_TEAM_ID is ${this.#options.teamId}, but the bot token belongs to workspace ${teamId}`, retryInMs: 0 };
        this.#options.logger.error({ teamId, configured: this.#options.teamId }, 'Slack: the bot token belongs to another workspace than SLACK_TEAM_ID; Slack stays off');
        return;
      }
      const enterpriseId = typeof result.enterprise_id === 'string' && result.enterprise_id !== '' ? result.enterprise_id : undefined;
      this.#connected({ botId: this.#options.known?.botId ?? botId, botUserId: this.#options.known?.botUserId ?? botUserId, teamId, ...(enterpriseId ? { enterpriseId } : {}) });
      this.#options.logger.info({ teamId, attempts: this.#attempt }, 'Slack: connected');
    } catch (error) {
      const failure = slackFailure(error);
      const initial = this.#options.initialBackoffMs ?? 1_000;
      const retryInMs = Math.min(this.#options.maxBackoffMs ?? 60_000, initial * 2 ** Math.min(this.#attempt - 1, 16));
      this.#status = { state: 'connecting', reason: `auth.test failed: ${failure.words} (${failure.code})`, retryInMs };
      this.#options.logger.warn({ slackError: failure.code, retryInMs, attempt: this.#attempt }, 'Slack: cannot reach Slack or sign in yet; the rest of lockdesk serves, and lockdesk tries again');
      this.#timer = setTimeout(() => void this.#tryOnce(), retryInMs);
      this.#timer.unref();
    }
  }

  #connected(identity: SlackIdentity): void {
    this.#identity = identity;
    this.#status = { state: 'connected' };
    for (const callback of this.#waiting.splice(0)) callback(identity);
  }
}
