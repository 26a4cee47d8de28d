// Whether a Slack request comes from the workspace lockdesk is installed in. A signed request proves it came from
// Slack, not from whom: in a Slack Connect channel people of another organisation can type the commands and click
// the buttons. Every id that names where the request or its user belongs must be ours.
import type { Outsider } from '../../src/core/index.js';
import type { SlackIdentity } from './connection.js';

type Payload = {
  team_id?: unknown;
  enterprise_id?: unknown;
  user_team?: unknown;
  team?: { id?: unknown; enterprise_id?: unknown } | null;
  enterprise?: { id?: unknown } | null;
  user?: { team_id?: unknown } | null;
  event?: { user_team?: unknown; team?: unknown } | null;
};

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** An Outsider naming the first id that is not ours, or undefined when every id present is. */
export function foreignOrigin(body: unknown, identity: SlackIdentity): Outsider | undefined {
  const p = (body ?? {}) as Payload;
  const ours = (id: string) => id === identity.teamId || (identity.enterpriseId !== undefined && id === identity.enterpriseId);
  // Where the request happened: the workspace.
  for (const id of [text(p.team_id), text(p.team?.id), text(p.event?.team)]) {
    if (id !== undefined && id !== identity.teamId) return { kind: 'slack-workspace', id };
  }
  // The organisation, on Enterprise Grid.
  for (const id of [text(p.enterprise_id), text(p.enterprise?.id), text(p.team?.enterprise_id)]) {
    if (id !== undefined && id !== identity.enterpriseId) return { kind: 'slack-organisation', id };
  }
  // Who did it: the user's own workspace (an E… id on Grid).
  for (const id of [text(p.user?.team_id), text(p.user_team), text(p.event?.user_team)]) {
    if (id !== undefined && !ours(id)) return { kind: 'slack-workspace', id };
  }
  return undefined;
}

/** The same question of users.info's answer: a Slack Connect partner belongs to another team. */
export function foreignUser(user: { teamId?: string | undefined }, identity: SlackIdentity): Outsider | undefined {
  if (user.teamId === undefined || user.teamId === identity.teamId || user.teamId === identity.enterpriseId) return undefined;
  return { kind: 'slack-workspace', id: user.teamId };
}
