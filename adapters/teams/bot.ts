// The Teams SDK v2 application (no model): routes Teams activities to the handler and renders its replies.
import type { App } from '@microsoft/teams.apps';
import type { CloudEnvironment } from '@microsoft/teams.api';
import { decodeButton, outsiderReply, type Handler, type ReplySink } from '../../src/core/index.js';
import type { ApprovalNotifier, Logger } from '../../src/ports.js';
import { isApprovalCardData, restoreApprovalCardSink } from './approval-card-sink.js';
import { TeamsApprovalNotifier, type TeamsApprovalSettings } from './approval-notifier.js';
import { isTeamsConnector, mayReplyTo, tenantAllowed, tenantOf, type CheckedActivity } from './activity-check.js';
import type { BotCredential } from './bot-token.js';
import { CLICK_VERB, REFRESH_VERB, detailsGoneCard, notYoursCard, renderCard, type AdaptiveCardJson } from './card.js';
import { actorOf, cleanText, Directory, resolveMentions, withoutBotMention, type Sender } from './identity.js';
import { MESSAGES_PATH } from './http-route.js';
import { findDevices, FIND_DEVICE_COMMAND, queryTextOf } from './message-extension.js';
import { Outbox, referenceOf } from './outbox.js';
import { PrivateViews } from './private-views.js';
import { answerOf } from './prompt-answer.js';
import { RouteAdapter } from './route-adapter.js';
import { createSdkApp } from './sdk-app.js';
import { restoreClickSink } from './sink-ref.js';
import { ClickSession, isPersonal, messageSink, type EventScope, type SinkDeps } from './sinks.js';

export interface TeamsBotOptions {
  handler: Handler;
  logger: Logger;
  /** The bot's Entra app id; unset: the demo mode (no authentication, see http-route.ts). */
  appId?: string | undefined;
  /** How the bot gets its own tokens (with an app id). */
  credential?: BotCredential | undefined;
  /** The bot's tenant (single tenant); unset for a legacy multi-tenant bot. */
  botTenantId?: string | undefined;
  /** Which Microsoft cloud: its sign-in host, Bot Framework's token issuer and signing keys. */
  cloud: CloudEnvironment;
  /** How long a click waits for its first answer before Teams gets a "working…" card. */
  invokeWaitMs: number;
  /** The policy's aad-group: selectors a person (by Entra object id) is in. */
  aadGroupsOf?: (aadObjectId: string) => Promise<string[]>;
  /** The tenants served (empty: any, the demo): a member whose home tenant is another is refused. */
  tenants?: readonly string[];
  /** TEAMS_SERVICE_URL: a stored reference may name it (or a Teams connector) as where the token goes. */
  serviceUrl?: string | undefined;
}

export interface TeamsBot {
  /** Where lockdesk's route hands requests to the SDK (see http-route.ts). */
  adapter: RouteAdapter;
  /** The SDK app, initialised (never started: lockdesk's own server serves it). */
  ready: Promise<App>;
  /**
   * Whether the SDK's routes got this activity (the body object the route handed over). The SDK hands the routes
   * of some types (message, typing, ...) a copy of the body; its `conversation` object is the body's own.
   */
  reached(activity: object): boolean;
  /** Waits for the click work that outlived its HTTP answer (not for the follow-ups of sent actions). */
  drain(): Promise<void>;
  /** Waits for everything, follow-ups of sent actions included (tests). */
  idle(): Promise<void>;
  /** A click's or an approval card's sink from the data of its stored reference, with this bot's outbox and views. */
  restoreSink(data: Record<string, unknown>): ReplySink | undefined;
  /** Posts approval cards where `settings` say, through this bot's outbox (see approval-notifier.ts). */
  approvalNotifier(settings: TeamsApprovalSettings): ApprovalNotifier;
}

/** What of an activity the routes read, beyond what activity-check.ts has checked. */
type Inbound = CheckedActivity & Sender & { value?: unknown; replyToId?: string };
type Context = { activity: unknown; next: () => unknown };

const cardResponse = (card: AdaptiveCardJson) => ({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });
/** Bad input: an invoke lockdesk has no handler for (an unknown name, verb or command). */
const UNHANDLED = { status: 400, body: { error: 'lockdesk does not handle this invoke' } };
const FORBIDDEN = { status: 403, body: { error: 'forbidden' } };

export function createTeamsBot(options: TeamsBotOptions): TeamsBot {
  const { handler, logger } = options;
  const authenticated = options.appId !== undefined;
  const adapter = new RouteAdapter(MESSAGES_PATH);
  const app = createSdkApp({ appId: options.appId, credential: options.credential, tenantId: options.botTenantId, cloud: options.cloud, adapter, logger });
  const outbox = new Outbox(app.api, logger, (url) => mayReplyTo(url, authenticated));
  const directory = new Directory((reference, userId) => outbox.member(reference, userId), logger);
  const deps: SinkDeps = { outbox, views: new PrivateViews() };
  const tenants = options.tenants ?? [];
  const reached = new WeakSet<object>();
  const reachKey = (activity: { conversation?: unknown }) => (activity.conversation && typeof activity.conversation === 'object' ? activity.conversation : undefined);
  const running = new Set<Promise<unknown>>();
  const background = (work: Promise<unknown>) => {
    const tracked = work.catch((err: unknown) => logger.error({ err: { message: String((err as Error)?.message ?? err) } }, 'Teams follow-up failed')).finally(() => running.delete(tracked));
    running.add(tracked);
  };

  /**
   * Who sent the activity; undefined (after an audited refusal, told to them when `tell` can) when the roster says
   * their home tenant is not one lockdesk serves (a guest in a shared channel of ours is still an outsider), or
   * names another Entra object id for them than the activity does.
   */
  const scopeOf = async (activity: Inbound, tell?: (scope: EventScope) => ReplySink): Promise<EventScope | undefined> => {
    const reference = referenceOf(activity);
    const { actor, homeTenant, rosterObjectId, rosterUnconfirmed } = await actorOf(activity, reference, directory, options.aadGroupsOf ?? (async () => []));
    const scope: EventScope = { actor, userId: activity.from.id, userName: activity.from.name || 'the requester', reference, ...(rosterUnconfirmed ? { rosterUnconfirmed } : {}) };
    if (rosterObjectId) {
      await handler.refuseOutsider(actor, { kind: 'teams-identity', id: rosterObjectId }, tell?.(scope));
      return undefined;
    }
    if (homeTenant && tenants.length > 0 && !tenants.some((t) => t.toLowerCase() === homeTenant.toLowerCase())) {
      await handler.refuseOutsider(actor, { kind: 'teams-tenant', id: homeTenant }, tell?.(scope));
      return undefined;
    }
    return scope;
  };

  /** An authenticated activity from a tenant lockdesk does not serve: audited; nothing is sent into that tenant. */
  const refuseForeignTenant = async (activity: Inbound) => {
    // Known only by the ids Teams sent: nothing of the foreign tenant's roster is asked for.
    const aad = activity.from.aadObjectId || undefined;
    const actor = { platform: 'teams' as const, id: aad ?? activity.from.id, ...(aad ? { aadObjectId: aad } : {}) };
    await handler.refuseOutsider(actor, { kind: 'teams-tenant', id: tenantOf(activity) ?? 'none named' });
  };

  const onMessage = async (activity: Inbound) => {
    const raw = cleanText(withoutBotMention(activity));
    if (raw === '') return;
    const scope = await scopeOf(activity, (sc) => messageSink(deps, sc));
    if (!scope) return;
    const sink = messageSink(deps, scope);
    const { text, unresolved } = await resolveMentions(activity, scope.reference, raw, directory);
    if (unresolved.length > 0) {
      const said = `Teams did not tell lockdesk who ${unresolved.map((n) => `"${n}"`).join(', ')} is, so nothing was done. Use their email address instead.`;
      await sink.reply({ text: said, blocks: [{ kind: 'notice', tone: 'error', text: said }] });
      return;
    }
    await handler.handleMessage(scope.actor, text, sink);
  };

  // A personal chat opens with the person's own devices: the quickest way in for someone who lost a phone.
  const onMembersAdded = async (activity: Inbound) => {
    const botId = activity.recipient?.id;
    const botAdded = botId !== undefined && (activity.membersAdded ?? []).some((m) => (m as { id?: unknown } | null)?.id === botId);
    if (!botAdded || !isPersonal(referenceOf(activity))) return;
    const scope = await scopeOf(activity);
    if (!scope) return;
    const sink = messageSink(deps, scope);
    await handler.handleMessage(scope.actor, 'help', sink);
    await sink.reply(await handler.selfService(scope.actor));
  };

  const unconfirmed = "Teams did not confirm who you are (the conversation's member list did not answer), so lockdesk did not let you approve or deny. Nothing was decided; try again in a moment.";
  const UNCONFIRMED_DECISION = { text: unconfirmed, blocks: [{ kind: 'notice' as const, tone: 'error' as const, text: unconfirmed }] };

  const onClick = async (activity: Inbound, data: Record<string, unknown>) => {
    const scope = await scopeOf(activity);
    if (!scope) return cardResponse(renderCard(outsiderReply()));
    const value = typeof data.value === 'string' ? data.value : '';
    // Approve and Deny decide for everyone in the approvers' conversation: the card's outcome is public there.
    const decision = decodeButton(value)?.kind;
    // Deciding another person's request takes an identity the roster confirmed: the activity's own word is not enough.
    if ((decision === 'approve' || decision === 'deny') && scope.rosterUnconfirmed) {
      logger.warn({ userId: activity.from.id }, 'an approval click from a Teams user the roster did not confirm was refused');
      return cardResponse(renderCard(UNCONFIRMED_DECISION));
    }
    const session = new ClickSession(deps, scope, activity.replyToId, undefined, { shared: decision === 'approve' || decision === 'deny' });
    const typed = answerOf(data);
    background(handler.handleClick(scope.actor, value, session.sink, typed).then(() => session.settled()));
    return cardResponse(await session.invokeCard(options.invokeWaitMs));
  };

  const onRefresh = async (activity: Inbound, data: Record<string, unknown>) => {
    const scope = await scopeOf(activity);
    const view = scope ? deps.views.get(String(data.view ?? ''), scope.actor.id) : ({ kind: 'notOwner' } as const);
    return cardResponse(view.kind === 'card' ? view.card : view.kind === 'gone' ? detailsGoneCard() : notYoursCard());
  };

  // Adaptive Card Action.Execute: the SDK's card.action.<name> routes match data.action, not the verb.
  const onCardAction = async (activity: Inbound) => {
    const action = (activity.value as { action?: { verb?: unknown; data?: unknown } } | undefined)?.action;
    const data = action?.data && typeof action.data === 'object' ? (action.data as Record<string, unknown>) : {};
    if (action?.verb === CLICK_VERB) return onClick(activity, data);
    if (action?.verb === REFRESH_VERB) return onRefresh(activity, data);
    return UNHANDLED;
  };

  const onQuery = async (activity: Inbound) => {
    if ((activity.value as { commandId?: unknown } | undefined)?.commandId !== FIND_DEVICE_COMMAND) return UNHANDLED;
    const scope = await scopeOf(activity);
    const composeExtension = scope ? await findDevices(handler, scope.actor, queryTextOf(activity.value)) : { type: 'message', text: outsiderReply().text };
    return { composeExtension };
  };

  const route = (work: (activity: Inbound) => Promise<unknown>) => async (ctx: Context) => work(ctx.activity as Inbound);
  const on = app.on.bind(app) as (event: string, callback: (ctx: Context) => unknown) => unknown;
  // First of all routes (the SDK runs the first that matches; it calls next() for the rest): the tenant, once
  // the SDK has authenticated the request.
  app.use(async (ctx) => {
    const activity = ctx.activity as unknown as Inbound;
    const key = reachKey(activity);
    if (key) reached.add(key);
    if (!tenantAllowed(activity, tenants)) {
      await refuseForeignTenant(activity);
      return FORBIDDEN;
    }
    return ctx.next();
  });
  // The SDK's own sign-in routes came before the gate; lockdesk signs nobody in, so they are replaced (at the end).
  for (const name of ['signin.token-exchange', 'signin.verify-state', 'signin.failure']) on(name, async () => UNHANDLED);
  on('message', route(onMessage));
  on('conversationUpdate', route(onMembersAdded));
  on('card.action', route(onCardAction));
  on('message.ext.query', route(onQuery));
  // Registered last, so it runs only for an invoke no route above took.
  on('invoke', async () => UNHANDLED);

  return {
    adapter,
    ready: app.initialize().then(() => app),
    reached: (activity) => {
      const key = reachKey(activity);
      return key !== undefined && reached.has(key);
    },
    restoreSink: (data) => {
      // With authentication the token goes to the reference's service URL: one the store names must be Teams'.
      const stored = (data.reference as { serviceUrl?: unknown } | undefined)?.serviceUrl;
      if (authenticated && (typeof stored !== 'string' || !isTeamsConnector(stored, options.serviceUrl))) {
        logger.warn({}, 'a stored Teams reference names a service URL that is not a Teams connector; it is not used');
        return undefined;
      }
      return isApprovalCardData(data) ? restoreApprovalCardSink(outbox, data) : restoreClickSink(deps, data);
    },
    approvalNotifier: (settings) => new TeamsApprovalNotifier(outbox, logger, settings),
    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
      await handler.idle();
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
