// Group membership from Entra ID for the policy's aad-group: members: checkMemberGroups answers, transitively,
// which of the named groups a user is in, 20 groups a call. Needs GroupMember.Read.All (only when a policy
// names aad-group: members).
import type { GraphHttp } from './http.js';

const PER_CALL = 20;

export async function memberGroups(http: GraphHttp, userId: string, groupIds: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(groupIds)];
  if (userId.trim() === '' || wanted.length === 0) return [];
  const found: string[] = [];
  for (let i = 0; i < wanted.length; i += PER_CALL) {
    const { body } = await http.call('POST', `/v1.0/users/${encodeURIComponent(userId)}/checkMemberGroups`, {
      kind: 'directory',
      what: 'group membership',
      body: { groupIds: wanted.slice(i, i + PER_CALL) },
    });
    const value = (body as { value?: unknown } | undefined)?.value;
    if (Array.isArray(value)) found.push(...value.filter((v): v is string => typeof v === 'string' && wanted.includes(v)));
  }
  return found;
}
