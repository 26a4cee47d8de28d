// The policy's aad-group: members, resolved for one person through the backend's directory and remembered for a
// few minutes, so each chat event does not ask Entra again.
import { derived, policyGroupIdsOf, policySourceOf, type Policy, type PolicySource } from '../core/index.js';
import type { Clock, Directory, Logger } from '../ports.js';

export const GROUP_CACHE_MS = 5 * 60_000;
const PREFIX = 'aad-group:';

/** Every Entra group id the policy names for people: role members, confirmers, approvers, pausers. */
export function policyGroupIds(policy: Policy): string[] {
  return policyGroupIdsOf(policy, PREFIX);
}

export type AadGroupsOf = (aadObjectId: string) => Promise<string[]>;

/** `policy`: the one in force, read on each call: a reloaded policy's groups are asked about from the next event on. */
export function aadGroupResolver(directory: Directory | undefined, policy: Policy | PolicySource, clock: Clock, logger: Logger): AadGroupsOf {
  const idsNow = derived(policySourceOf(policy), policyGroupIds);
  let cachedFor: string[] = [];
  const cache = new Map<string, { groups: string[]; until: number }>();
  return async (aadObjectId) => {
    const groupIds = idsNow();
    // Membership remembered was asked about the old policy's groups: a new policy asks again.
    if (groupIds !== cachedFor) {
      cache.clear();
      cachedFor = groupIds;
    }
    if (!directory || groupIds.length === 0 || aadObjectId === '') return [];
    const now = clock.now().getTime();
    const hit = cache.get(aadObjectId);
    if (hit && hit.until > now) return hit.groups;
    try {
      const groups = (await directory.memberGroups(aadObjectId, groupIds)).map((id) => `${PREFIX}${id}`);
      if (cache.size > 5_000) cache.clear();
      cache.set(aadObjectId, { groups, until: now + GROUP_CACHE_MS });
      return groups;
    } catch (err) {
      // No membership known means no group role: the person gets what their other roles give, never more.
      logger.warn({ err, aadObjectId }, 'could not read group membership; aad-group roles do not apply this time');
      return [];
    }
  };
}
