// What bench/slack.ts, its services process and its app processes agree on: the workspace, who is who, the big users.
export const TEAM_ID = 'T0BENCH';
/** The example policy's helpdesk member (slack:U0123): may act on any device. */
export const HELPDESK = { id: 'U0123', email: 'helpdesk@contoso.com' };
/** The generated tenant's bulk user (600 lockable iPhones) and a team lead with 40 devices of every platform. */
export const BULK_USER = 'bulk.owner@contoso.com';
export const BULK_DEVICES = 600;
export const FLEET_USER = 'fleet.lead@contoso.com';
export const FLEET_DEVICES = 40;
/** Slack user U0USER000042 is user000042@contoso.com of the generated tenant (4 devices each). */
export const userEmail = (slackId: string) => {
  const n = /^U0USER(\d{6})$/.exec(slackId)?.[1];
  if (n) return `user${n}@contoso.com`;
  return slackId === HELPDESK.id ? HELPDESK.email : undefined;
};
