// The teams-ai application (no model): routes Teams activities to the handler and renders its replies.
import { Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, ConfigurationServiceClientCredentialFactory, type TurnContext } from 'botbuilder';
import { outsiderReply, type Handler, type ReplySink } from '../../src/core/index.js';
import type { Logger } from '../../src/ports.js';
import { SampledLog } from '../../src/server/sampled-log.js';
import { mayReplyTo, tenantOf, type CheckedActivity } from './activity-check.js';
import { CLICK_VERB, REFRESH_VERB, emptyCard, renderCard, type AdaptiveCardJson, type ClickData } from './card.js';
import { actorOf, cleanText, Directory, resolveMentions } from './identity.js';
import { findDevices, FIND_DEVICE_COMMAND } from './message-extension.js';
import { Outbox, referenceOf } from './outbox.js';
import { PrivateViews } from './private-views.js';
import { restoreClickSink } from './sink-ref.js';
import { ClickSession, isPersonal, messageSink, type EventScope, type SinkDeps } from './sinks.js';

export interface TeamsBotOptions {
  handler: Handler;
  logger: Logger;
  appId?: string | undefined;
  appPassword?: string | undefined;
  appTenantId?: string | undefined;
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  /** How long a click waits for its first answer before Teams gets a "working…" card. */
  invokeWaitMs: number;
  /** The policy's aad-group: selectors a person (by Entra object id) is in. */
  aadGroupsOf?: (aadObjectId: string) => Promise<string[]>;
  /** The tenants served (empty: any, the demo): a member whose home tenant is another is refused. */
  tenants?: readonly string[];
}

/** The commands, anchored at the start: "lock" must not match "unlock". Anything else gets the handler's usage reply. */
export const COMMAND_PATTERNS: readonly RegExp[] = [/^lock(\s|$)/i, /^reset[\s-]+passcode(\s|$)/i, /^lost(\s|$)/i, /^devices(\s|$)/i, /^help(\s|$)/i];

/**
 * teams-ai 1.7.4 starts its typing timer whatever `startTypingTimer` says, and keeps one timer for all turns at
 * once; lockdesk answers through the connector outside the turn, so the timer would only ever add noise.
 */
class LockdeskApplication extends Application<TurnState> {
  override startTypingTimer(): void {}
}

export interface TeamsBot {
  adapter: TeamsAdapter;
  application: Application<TurnState>;
  /** Waits for the click work that outlived its HTTP answer (not for the follow-ups of sent actions). */
  drain(): Promise<void>;
  /** Waits for everything, follow-ups of sent actions included (tests). */
  idle(): Promise<void>;
  /** A click's sink from the data of its stored reference, with this bot's outbox and views (see sink-ref.ts). */
  restoreSink(data: Record<string, unknown>): ReplySink | undefined;
  /** An authenticated activity from a tenant lockdesk does not serve: audited; nothing is sent into that tenant. */
  refuseForeignTenant(activity: CheckedActivity): Promise<void>;
}

export function createTeamsBot(options: TeamsBotOptions): TeamsBot {
  const { handler, logger } = options;
  const appId = options.appId ?? '';
  const credentials = {
    MicrosoftAppId: appId,
    MicrosoftAppPassword: options.appPassword ?? '',
    MicrosoftAppType: options.appType,
    MicrosoftAppTenantId: options.appTenantId ?? '',
  };
  const adapter = new TeamsAdapter(credentials, new ConfigurationServiceClientCredentialFactory(credentials));
  // A turn that fails is a bug or a broken activity, not a reason to let anyone fill the log: sampled, no stack.
  const turnErrors = new SampledLog(logger, 60_000);
  adapter.onTurnError = async (_ctx, error) => {
    turnErrors.warn('turn', 'Teams turn failed', { err: { message: error instanceof Error ? error.message : String(error) } });
  };
  const application = new LockdeskApplication({ adapter, ...(appId ? { botAppId: appId } : {}), startTypingTimer: false, removeRecipientMention: true, longRunningMessages: false });
  const directory = new Directory(logger);
  const deps: SinkDeps = { outbox: new Outbox(adapter, appId, logger, (url) => mayReplyTo(url, appId !== '')), views: new PrivateViews() };
  const running = new Set<Promise<unknown>>();
  const background = (work: Promise<unknown>) => {
    const tracked = work.catch((err: unknown) => logger.error({ err: { message: String((err as Error)?.message ?? err) } }, 'Teams follow-up failed')).finally(() => running.delete(tracked));
    running.add(tracked);
  };

  /**
   * Who sent the activity; undefined (after an audited refusal, told to them when `sink` can) when the roster says
   * their home tenant is not one lockdesk serves: a guest in a shared channel of ours is still an outsider.
   */
  const scopeOf = async (ctx: TurnContext, tell?: (scope: EventScope) => ReplySink): Promise<EventScope | undefined> => {
    const { actor, homeTenant } = await actorOf(ctx, directory, options.aadGroupsOf ?? (async () => []));
    const scope: EventScope = { actor, userId: ctx.activity.from.id, userName: ctx.activity.from.name || 'the requester', reference: referenceOf(ctx) };
    const tenants = options.tenants ?? [];
    if (homeTenant && tenants.length > 0 && !tenants.some((t) => t.toLowerCase() === homeTenant.toLowerCase())) {
      await handler.refuseOutsider(actor, { kind: 'teams-tenant', id: homeTenant }, tell?.(scope));
      return undefined;
    }
    return scope;
  };

  const onMessage = async (ctx: TurnContext) => {
    const raw = cleanText(ctx.activity.text);
    if (raw === '') return;
    const scope = await scopeOf(ctx, (sc) => messageSink(deps, sc));
    if (!scope) return;
    const sink = messageSink(deps, scope);
    const { text, unresolved } = await resolveMentions(ctx, raw, directory);
    if (unresolved.length > 0) {
      const names = unresolved.map((n) => `"${n}"`).join(', ');
      await sink.reply({ text: `Teams did not tell lockdesk who ${names} is, so nothing was done. Use their email address instead.`, blocks: [{ kind: 'notice', tone: 'error', text: `Teams did not tell lockdesk who ${names} is, so nothing was done. Use their email address instead.` }] });
      return;
    }
    await handler.handleMessage(scope.actor, text, sink);
  };
  for (const pattern of COMMAND_PATTERNS) application.message(pattern, onMessage);
  application.activity(ActivityTypes.Message, onMessage);

  // A personal chat opens with the person's own devices: the quickest way in for someone who lost a phone.
  application.conversationUpdate('membersAdded', async (ctx) => {
    const botAdded = (ctx.activity.membersAdded ?? []).some((m) => m.id === ctx.activity.recipient.id);
    if (!botAdded || !isPersonal(referenceOf(ctx))) return;
    const scope = await scopeOf(ctx);
    if (!scope) return;
    const sink = messageSink(deps, scope);
    await handler.handleMessage(scope.actor, 'help', sink);
    await sink.reply(await handler.selfService(scope.actor));
  });

  application.adaptiveCards.actionExecute<ClickData>(CLICK_VERB, async (ctx, _state, data) => {
    const scope = await scopeOf(ctx);
    if (!scope) {
      await respondWithCard(ctx, renderCard(outsiderReply()));
      return '';
    }
    const session = new ClickSession(deps, scope, ctx.activity.replyToId, undefined);
    const typed = typeof data?.typed === 'string' ? data.typed : undefined;
    background(handler.handleClick(scope.actor, typeof data?.value === 'string' ? data.value : '', session.sink, typed).then(() => session.settled()));
    await respondWithCard(ctx, await session.invokeCard(options.invokeWaitMs));
    return '';
  });

  application.adaptiveCards.actionExecute<{ view?: string }>(REFRESH_VERB, async (ctx, _state, data) => {
    const scope = await scopeOf(ctx);
    const view = scope ? deps.views.get(String(data?.view ?? ''), scope.actor.id) : ({ kind: 'notOwner' } as const);
    const card =
      view.kind === 'card'
        ? view.card
        : view.kind === 'gone'
          ? emptyCard([{ type: 'TextBlock', wrap: true, text: 'lockdesk no longer has the details of this message (they expire, and a restart forgets them). Ask again if it is still needed.' }])
          : emptyCard([{ type: 'TextBlock', wrap: true, isSubtle: true, text: '🔒 Only the person who asked sees the details of this message.' }]);
    await respondWithCard(ctx, card);
    return '';
  });

  application.messageExtensions.query(FIND_DEVICE_COMMAND, async (ctx, _state, query) => {
    const scope = await scopeOf(ctx);
    if (!scope) return { type: 'message', text: outsiderReply().text };
    return findDevices(handler, scope.actor, String(query.parameters?.query ?? ''));
  });

  return {
    adapter,
    application,
    restoreSink: (data) => restoreClickSink(deps, data),
    async refuseForeignTenant(activity) {
      // Known only by the ids Teams sent: nothing of the foreign tenant's roster is asked for.
      const aad = activity.from.aadObjectId || undefined;
      const actor = { platform: 'teams' as const, id: aad ?? activity.from.id, ...(aad ? { aadObjectId: aad } : {}) };
      const tenant = tenantOf(activity);
      await handler.refuseOutsider(actor, { kind: 'teams-tenant', id: tenant ?? 'none named' });
    },
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

/** Sends the invoke response ourselves, so teams-ai does not also update the card for everyone on its own. */
async function respondWithCard(ctx: TurnContext, card: AdaptiveCardJson): Promise<void> {
  await ctx.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } },
  });
}
