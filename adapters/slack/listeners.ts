// Bolt listeners: each acknowledges at once, before any look-up, then turns the payload into a neutral call to
// the handler in the background. Repeated deliveries are acknowledged and dropped.
import type { App as BoltApp, BlockButtonAction, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { MAX_INPUT_LENGTH, type Actor, type Handler, type Reply, type ReplySink } from '../../src/core/index.js';
import type { SlackIdentity } from './connection.js';
import { foreignOrigin, foreignUser } from './workspace.js';
import type { Logger } from '../../src/ports.js';
import { ACTION_ID_PATTERN, renderHome } from './block-kit.js';
import type { Deliveries } from './deliveries.js';
import { unescapeSlack } from './limits.js';
import type { SlackDirectory } from './directory.js';
import { slackFailure } from './slack-errors.js';
import { createSink, type Origin, type Outlets } from './sink.js';
import { restoreClickSink } from './sink-ref.js';
import { readSubmission, TYPED_CALLBACK_ID } from './typed-modal.js';

/** The slash commands and the command word each becomes. */
export const SLASH_COMMANDS: Record<string, string> = {
  '/lock': 'lock',
  '/reset-passcode': 'reset-passcode',
  '/lost': 'lost',
  '/lost-mode': 'lost-mode',
  '/found': 'found',
  '/locate': 'locate',
  '/sound': 'sound',
  '/sign-out': 'sign-out',
  '/devices': 'devices',
  // Any lockdesk command as text: `/lockdesk pause <reason>`, `/lockdesk resume`, `/lockdesk preview lock me`.
  '/lockdesk': '',
};
const SLASH_COMMAND = new RegExp(`^(${Object.keys(SLASH_COMMANDS).join('|')})$`);

export interface ListenerDeps extends Outlets {
  handler: Handler;
  directory: SlackDirectory;
  deliveries: Deliveries;
  /** The installed workspace: a request from anywhere else is refused politely and audited. */
  identity: SlackIdentity;
  /** Runs work after the ack; the adapter tracks it so stop() can wait for it. */
  background(work: () => Promise<void>): void;
}

const notice = (tone: 'warning' | 'error', text: string): Reply => ({ text, blocks: [{ kind: 'notice', tone, text }] });

export function registerListeners(bolt: BoltApp, deps: ListenerDeps): void {
  const { handler, directory, deliveries, logger } = deps;

  /**
   * The actor, or undefined when a reply has already gone out: Slack could not say who the person is, or they belong
   * to another organisation (the payload or users.info says so), which is refused and audited.
   */
  async function actorOr(userId: string, body: unknown, sink: ReplySink): Promise<Actor | undefined> {
    const outsider = foreignOrigin(body, deps.identity);
    if (outsider) {
      await handler.refuseOutsider({ platform: 'slack', id: userId }, outsider, sink);
      return undefined;
    }
    try {
      const { actor, teamId, known } = await directory.person(userId);
      // Fails closed: someone users.info does not know (deleted, or not visible to this workspace) is not ours.
      const stranger = known ? foreignUser({ teamId }, deps.identity) : { kind: 'slack-workspace' as const, id: 'unknown to users.info' };
      if (stranger) {
        await handler.refuseOutsider(actor, stranger, sink);
        return undefined;
      }
      return actor;
    } catch (error) {
      const failure = slackFailure(error);
      logger.warn({ slackError: failure.code, user: userId }, 'users.info failed');
      await sink.reply(notice('error', `Slack did not tell lockdesk who you are (${failure.words}). Nothing was done; try again in a minute.`));
      return undefined;
    }
  }

  bolt.command(SLASH_COMMAND, async ({ command, body, ack, context }: SlackCommandMiddlewareArgs & { context: { retryNum?: number } }) => {
    await ack();
    if (!deliveries.first(`command:${command.trigger_id}`, context.retryNum)) return;
    const word = SLASH_COMMANDS[command.command] ?? command.command.replace(/^\//, '');
    const origin: Origin = { kind: 'command', userId: command.user_id, channelId: command.channel_id, responseUrl: command.response_url };
    deps.background(async () => {
      const sink = createSink(deps, origin);
      const actor = await actorOr(command.user_id, body, sink);
      if (!actor) return;
      // Too long to be read anyway: refused by the core as it stands, before one users.info per mention is spent.
      if (command.text.length > MAX_INPUT_LENGTH) return handler.handleMessage(actor, `${word} ${command.text}`, sink);
      let mentions;
      try {
        mentions = await directory.resolveMentions(command.text);
      } catch (error) {
        const failure = slackFailure(error);
        logger.warn({ slackError: failure.code }, 'resolving a mention failed');
        await sink.reply(notice('error', `Slack did not say who was mentioned (${failure.words}). Nothing was done; try again in a minute.`));
        return;
      }
      if (!mentions.ok) return sink.reply(notice('warning', mentions.problem));
      await handler.handleMessage(actor, `${word} ${unescapeSlack(mentions.text)}`.trim() || 'help', sink);
    });
  });

  bolt.action<BlockButtonAction>({ type: 'block_actions', action_id: ACTION_ID_PATTERN }, async ({ body, action, ack, context }) => {
    await ack();
    if (!action.value || !deliveries.first(`click:${body.user.id}:${action.action_ts}:${action.value}`, context.retryNum)) return;
    const container = body.container as { type?: string; message_ts?: string; channel_id?: string; is_ephemeral?: boolean } | undefined;
    const channelId = body.channel?.id ?? container?.channel_id;
    const origin: Origin = { kind: 'click', userId: body.user.id };
    if (channelId) origin.channelId = channelId;
    if (body.response_url) origin.responseUrl = body.response_url;
    if (container?.type === 'message' && container.message_ts && channelId) {
      origin.message = { channel: channelId, ts: container.message_ts, ephemeral: container.is_ephemeral === true };
    }
    if (typeof body.trigger_id === 'string') origin.triggerId = body.trigger_id;
    const value = action.value;
    deps.background(async () => {
      const sink = createSink(deps, origin);
      const actor = await actorOr(body.user.id, body, sink);
      if (actor) await handler.handleClick(actor, value, sink);
    });
  });

  // The typed second step of a confirmation (typed-modal.ts). The modal closes at once; the core answers in the
  // clicked message, which the modal's metadata names, and a refused answer to fields opens the modal again (with
  // the submission's trigger id). The person is the one Slack says submitted it.
  bolt.view(TYPED_CALLBACK_ID, async ({ ack, body, view, context }) => {
    await ack();
    const submission = readSubmission(view);
    if (!submission || !deliveries.first(`view:${view.id}`, context.retryNum)) return;
    const trigger = (body as { trigger_id?: unknown }).trigger_id;
    const triggerId = typeof trigger === 'string' ? trigger : undefined;
    const sink = restoreClickSink(deps, { ...submission.metadata.ref, userId: body.user.id }, triggerId ? { triggerId } : {});
    if (!sink) return;
    deps.background(async () => {
      const actor = await actorOr(body.user.id, body, sink);
      if (actor) await handler.handleClick(actor, submission.metadata.value, sink, submission.typed);
    });
  });

  bolt.event('app_home_opened', async ({ event, body, context }) => {
    if (event.tab !== 'home') return;
    const eventId = (body as { event_id?: string }).event_id ?? `${event.user}:${event.event_ts}`;
    if (!deliveries.first(`event:${eventId}`, context.retryNum)) return;
    deps.background(async () => {
      // An outsider's Home tab stays empty; the refusal is audited.
      const outsider = foreignOrigin(body, deps.identity) ?? foreignOrigin({ user_team: (event as { user_team?: string }).user_team }, deps.identity);
      if (outsider) return handler.refuseOutsider({ platform: 'slack', id: event.user }, outsider);
      let view: Reply;
      try {
        const { actor, teamId, known } = await directory.person(event.user);
        const stranger = known ? foreignUser({ teamId }, deps.identity) : { kind: 'slack-workspace' as const, id: 'unknown to users.info' };
        if (stranger) return handler.refuseOutsider(actor, stranger);
        view = await handler.selfService(actor);
      } catch (error) {
        const failure = slackFailure(error);
        logger.warn({ slackError: failure.code, user: event.user }, 'users.info failed for App Home');
        view = notice('error', `Slack did not tell lockdesk who you are (${failure.words}). Open this tab again in a minute.`);
      }
      try {
        await deps.client.views.publish({ user_id: event.user, view: renderHome(view) });
      } catch (error) {
        logger.warn({ slackError: slackFailure(error).code, user: event.user }, 'views.publish failed');
      }
    });
  });
}
