// Who a Slack user is, for the core: email and name from users.info, and the policy's slack-group: selectors the
// user is in, from usergroups.users.list. Both cached for a few minutes. Mentions in a query become emails.
import type { webApi } from '@slack/bolt';
import { derived, policyGroupIdsOf, policySourceOf, type Actor, type Policy, type PolicySource } from '../../src/core/index.js';
import type { Logger } from '../../src/ports.js';
import { slackFailure } from './slack-errors.js';

export const USER_TTL_MS = 10 * 60_000;
export const GROUP_TTL_MS = 5 * 60_000;
const GROUP_PREFIX = 'slack-group:';
const MENTION = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;
export const MAX_MENTIONS = 5;

interface SlackUser {
  id: string;
  email?: string;
  displayName?: string;
  /** The user's own workspace (or organisation, on Grid): a Slack Connect partner's is not ours. */
  teamId?: string;
}

type Cached<T> = { at: number; value: Promise<T> };

export type MentionResult = { ok: true; text: string } | { ok: false; problem: string };

export class SlackDirectory {
  readonly #users = new Map<string, Cached<SlackUser | undefined>>();
  readonly #groups = new Map<string, Cached<ReadonlySet<string>>>();
  /** The slack-group: ids of the policy in force, worked out again when a reload replaces it. */
  readonly #groupIds: () => string[];

  constructor(
    private readonly client: webApi.WebClient,
    policy: Policy | PolicySource,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.#groupIds = derived(policySourceOf(policy), (p) => policyGroupIdsOf(p, GROUP_PREFIX));
  }

  /**
   * The Actor for a Slack user id, with the workspace users.info names for them. Throws (a Web API error) when
   * Slack cannot say who they are.
   */
  async person(userId: string): Promise<{ actor: Actor; teamId?: string; known: boolean }> {
    const [user, groups] = await Promise.all([this.#user(userId), this.#groupsOf(userId)]);
    const actor: Actor = { platform: 'slack', id: userId, groups };
    if (user?.email) actor.email = user.email;
    if (user?.displayName) actor.displayName = user.displayName;
    return { actor, known: user !== undefined, ...(user?.teamId ? { teamId: user.teamId } : {}) };
  }

  /** Replaces each <@U…> mention with that person's email, or says which one cannot be resolved. */
  async resolveMentions(text: string): Promise<MentionResult> {
    const ids = [...new Set([...text.matchAll(MENTION)].map((m) => m[1]!))];
    // Each one costs a users.info call; a command names a person or two, never dozens.
    if (ids.length > MAX_MENTIONS) return { ok: false, problem: `That command mentions ${ids.length} people; lockdesk looks up at most ${MAX_MENTIONS} in one command. Nothing was done.` };
    const emails = new Map<string, string>();
    for (const id of ids) {
      const user = await this.#user(id);
      if (!user) return { ok: false, problem: `Slack does not know the user <@${id}>, so lockdesk cannot find their devices. Nothing was done.` };
      if (!user.email) {
        return {
          ok: false,
          problem: `Slack shows no email address for <@${id}> (a bot, a guest without one, or the app lacks users:read.email), so lockdesk cannot find their devices. Nothing was done.`,
        };
      }
      emails.set(id, user.email);
    }
    return { ok: true, text: text.replace(MENTION, (_m, id: string) => emails.get(id) ?? _m) };
  }

  /** The email Slack shows for a user, from the same cached users.info answer; undefined when it shows none. */
  async emailOf(userId: string): Promise<string | undefined> {
    return (await this.#user(userId))?.email;
  }

  /** The members of a user group (usergroups.users.list), cached as the policy's group memberships are. */
  groupMembers(group: string): Promise<ReadonlySet<string>> {
    return this.#cached(this.#groups, group, GROUP_TTL_MS, async () => new Set((await this.client.usergroups.users.list({ usergroup: group })).users ?? []));
  }

  #user(id: string): Promise<SlackUser | undefined> {
    return this.#cached(this.#users, id, USER_TTL_MS, async () => {
      try {
        const result = await this.client.users.info({ user: id });
        const u = result.user;
        if (!u || u.deleted) return undefined;
        const displayName = u.profile?.display_name || u.real_name || u.name;
        const teamId = u.enterprise_user?.enterprise_id || u.team_id;
        return { id, ...(u.profile?.email ? { email: u.profile.email } : {}), ...(displayName ? { displayName } : {}), ...(teamId ? { teamId } : {}) };
      } catch (error) {
        if (slackFailure(error).code === 'user_not_found') return undefined;
        throw error;
      }
    });
  }

  async #groupsOf(userId: string): Promise<string[]> {
    const memberships = await Promise.all(
      this.#groupIds().map(async (group) => {
        try {
          const members = await this.groupMembers(group);
          return members.has(userId) ? `${GROUP_PREFIX}${group}` : undefined;
        } catch (error) {
          // Fail closed: a group that cannot be read gives no role; the log says which and why.
          this.logger.warn({ usergroup: group, slackError: slackFailure(error).code }, 'could not read a Slack user group named in the policy');
          return undefined;
        }
      }),
    );
    return memberships.filter((g): g is string => g !== undefined);
  }

  /** One look-up in flight per key; failures are not cached. */
  #cached<T>(map: Map<string, Cached<T>>, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = map.get(key);
    if (hit && this.now() - hit.at < ttlMs) return hit.value;
    const value = load();
    map.set(key, { at: this.now(), value });
    value.catch(() => {
      if (map.get(key)?.value === value) map.delete(key);
    });
    if (map.size > 10_000) map.delete(map.keys().next().value!);
    return value;
  }
}
