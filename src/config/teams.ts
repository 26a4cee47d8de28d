// Environment variables of the Microsoft Teams adapter, and the one rule that spans them and the HTTP server.
import { z } from 'zod';
import { optionalText } from './core.js';

export const TEAMS_APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

/** A channel's ("@thread.tacv2", older "@thread.skype") or a group chat's ("@thread.v2") conversation id. */
const TEAMS_GROUP_CONVERSATION = /^19:[^\s/?#]+@thread\.(tacv2|skype|v2)$/;

export const teamsEnv = {
  /** "false" leaves /api/messages off (a Slack-only deployment). */
  TEAMS_ENABLED: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], 'TEAMS_ENABLED must be true or false')
    .default('true')
    .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  /** The bot's Entra app (client) id. Unset: Bot Framework authentication is off (loopback only). */
  MICROSOFT_APP_ID: optionalText,
  /** The bot's client secret; never echoed. */
  MICROSOFT_APP_PASSWORD: optionalText,
  /** A PEM file holding the bot's private key and certificate: the credential instead of a secret. */
  MICROSOFT_APP_CERTIFICATE_PATH: optionalText,
  MICROSOFT_APP_TENANT_ID: optionalText,
  /** Single tenant by default: Azure creates no new multi-tenant bots since 2025-07-31. */
  MICROSOFT_APP_TYPE: z.enum(TEAMS_APP_TYPES).default('SingleTenant'),
  /** A multi-tenant bot's tenants (comma-separated ids); default: MICROSOFT_APP_TENANT_ID, else AZURE_TENANT_ID. */
  TEAMS_ALLOWED_TENANTS: optionalText.transform((v) => (v === undefined ? undefined : v.split(',').map((t) => t.trim()).filter(Boolean))),
  /** How long a card click waits for the first answer before Teams gets a "working…" card (Teams allows a few seconds). */
  TEAMS_INVOKE_WAIT_MS: z.coerce.number().int().min(50).max(4000).default(2000),
  /**
   * The channel or group chat where approval cards go (the bot must be in it). Unset: a personal chat with each
   * approver the policy names by teams:<Entra object id>.
   */
  TEAMS_APPROVALS_CONVERSATION: optionalText.pipe(
    z
      .string()
      .max(512)
      .regex(
        TEAMS_GROUP_CONVERSATION,
        'TEAMS_APPROVALS_CONVERSATION must be the conversation id of a Teams channel or group chat ("19:…@thread.tacv2", "19:…@thread.skype" or "19:…@thread.v2"), as in the channel\'s link or the conversation.id of a message the bot got there; a personal chat cannot be one (leave it unset to send each approver a card in their personal chat)',
      )
      .optional(),
  ),
  /**
   * Where the bot posts without an activity to answer (approval cards): Teams' connector. https only, or http on a
   * loopback address (the Agents Playground, tests): the bot's token goes along.
   */
  TEAMS_SERVICE_URL: z
    .string()
    .trim()
    .default('https://smba.trafficmanager.net/teams/')
    .refine((v) => URL.canParse(v) && (new URL(v).protocol === 'https:' || (new URL(v).protocol === 'http:' && TEAMS_LOOPBACK_HOSTS.has(new URL(v).hostname))), {
      message: 'TEAMS_SERVICE_URL must be an https URL (Teams\' connector, such as https://smba.trafficmanager.net/teams/), or http on a loopback address for the Agents Playground',
    }),
};

export interface TeamsSettings {
  HOST: string;
  TEAMS_ENABLED: boolean;
  MICROSOFT_APP_ID?: string | undefined;
  MICROSOFT_APP_PASSWORD?: string | undefined;
  MICROSOFT_APP_CERTIFICATE_PATH?: string | undefined;
  MICROSOFT_APP_TENANT_ID?: string | undefined;
  MICROSOFT_APP_TYPE: (typeof TEAMS_APP_TYPES)[number];
  TEAMS_ALLOWED_TENANTS?: string[] | undefined;
  AZURE_TENANT_ID?: string | undefined;
  TEAMS_SERVICE_URL?: string | undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenants whose Teams activities lockdesk serves; empty means any (only the demo mode may leave it so). */
export function teamsTenants(config: Pick<TeamsSettings, 'TEAMS_ALLOWED_TENANTS' | 'MICROSOFT_APP_TENANT_ID' | 'AZURE_TENANT_ID'>): string[] {
  if (config.TEAMS_ALLOWED_TENANTS && config.TEAMS_ALLOWED_TENANTS.length > 0) return config.TEAMS_ALLOWED_TENANTS;
  const one = config.MICROSOFT_APP_TENANT_ID ?? config.AZURE_TENANT_ID;
  return one ? [one] : [];
}

/**
 * The tenant the bot's own tokens come from: its app registration's (MICROSOFT_APP_TENANT_ID, else AZURE_TENANT_ID);
 * none for a legacy multi-tenant bot, whose tokens come from Bot Framework's tenant.
 */
export function botTenant(config: Pick<TeamsSettings, 'MICROSOFT_APP_TYPE' | 'MICROSOFT_APP_TENANT_ID' | 'AZURE_TENANT_ID'>): string | undefined {
  return config.MICROSOFT_APP_TYPE === 'MultiTenant' ? undefined : (config.MICROSOFT_APP_TENANT_ID ?? config.AZURE_TENANT_ID);
}

/**
 * Teams without a Bot Framework app id believes whoever reaches it: a local demo. With a real Intune tenant behind
 * it that is never allowed, so Teams stays off (the rest of lockdesk runs and start-up says why).
 */
export function teamsServed(config: Pick<TeamsSettings, 'TEAMS_ENABLED' | 'MICROSOFT_APP_ID'>, backend: 'simulated' | 'graph'): boolean {
  return config.TEAMS_ENABLED && (config.MICROSOFT_APP_ID !== undefined || backend === 'simulated');
}

/**
 * The loopback hosts the Teams outbox posts to over http (the Agents Playground, tests), as URL.hostname spells
 * them: the one list for the outbox and for TEAMS_SERVICE_URL, so a setting accepted here is one cards can use.
 */
export const TEAMS_LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/** 127.0.0.0/8, ::1 and localhost: addresses nobody else can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Cross-variable checks, called from the config schema's superRefine. */
export function refineTeams(config: TeamsSettings, backend: 'simulated' | 'graph', ctx: z.RefinementCtx): void {
  // Runs even when other variables failed to parse: look only at values that did.
  if (config.TEAMS_ENABLED === false || typeof config.HOST !== 'string') return;
  const tenants = teamsTenants(config);
  for (const tenant of config.MICROSOFT_APP_ID || config.TEAMS_ALLOWED_TENANTS ? tenants : []) {
    if (!GUID.test(tenant)) {
      ctx.addIssue({ code: 'custom', path: [config.TEAMS_ALLOWED_TENANTS?.length ? 'TEAMS_ALLOWED_TENANTS' : config.MICROSOFT_APP_TENANT_ID ? 'MICROSOFT_APP_TENANT_ID' : 'AZURE_TENANT_ID'], message: `"${tenant}" is not a tenant id (a GUID): Teams names tenants by id, so set MICROSOFT_APP_TENANT_ID to the tenant's id` });
    }
  }
  if (!config.MICROSOFT_APP_ID) {
    // With a real backend Teams is simply off (see teamsServed); the demo mode is for loopback only.
    if (backend === 'simulated' && !isLoopbackHost(config.HOST)) {
      ctx.addIssue({
        code: 'custom',
        path: ['MICROSOFT_APP_ID'],
        message: `is not set, so Teams requests would not be authenticated; that is allowed only when HOST is a loopback address (HOST is "${config.HOST}"). Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD, set HOST=127.0.0.1, or set TEAMS_ENABLED=false`,
      });
    }
    return;
  }
  if (typeof config.TEAMS_SERVICE_URL === 'string' && URL.canParse(config.TEAMS_SERVICE_URL) && new URL(config.TEAMS_SERVICE_URL).protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', path: ['TEAMS_SERVICE_URL'], message: 'must be https with MICROSOFT_APP_ID set: the bot sends its token there (http on loopback is for the demo mode and the Agents Playground)' });
  }
  if (config.MICROSOFT_APP_TYPE !== 'UserAssignedMSI' && !config.MICROSOFT_APP_PASSWORD && !config.MICROSOFT_APP_CERTIFICATE_PATH) {
    ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_PASSWORD'], message: 'is required with MICROSOFT_APP_ID (the bot\'s client secret), unless MICROSOFT_APP_CERTIFICATE_PATH names its certificate or MICROSOFT_APP_TYPE is UserAssignedMSI' });
  }
  if (config.MICROSOFT_APP_TYPE !== 'MultiTenant' && !botTenant(config)) {
    ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_TENANT_ID'], message: `is required when MICROSOFT_APP_TYPE is ${config.MICROSOFT_APP_TYPE} (the bot's tenant id; AZURE_TENANT_ID is used when set)` });
  }
  if (tenants.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['TEAMS_ALLOWED_TENANTS'],
      message: 'Teams must know which tenant it serves: set MICROSOFT_APP_TENANT_ID (or AZURE_TENANT_ID), or for a multi-tenant bot list the tenant ids it serves in TEAMS_ALLOWED_TENANTS',
    });
  }
}
