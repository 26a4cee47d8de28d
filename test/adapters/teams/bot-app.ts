// The Bot Framework app the authenticated Teams tests run as: its id, its tenant, its environment, the token Entra
// gives it for its replies, and activities from Teams' own service URL naming a tenant.
import { generateKeyPairSync } from 'node:crypto';
import { signJwt } from './bot-framework-keys.js';
import { ALICE, AUTH_SERVICE_URL, message } from './harness.js';

export const APP_ID = '7e1d3c9a-0000-4000-8000-00000000b07a';
export const OURS = '5b0c6e3e-1d8f-4c2a-9a47-0b7a3f1e2d44';
export const SECRET = 'the-bot-secret-for-tests';
export const BOT_ENV = { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: SECRET, MICROSOFT_APP_TENANT_ID: OURS };
/** The bot's own access token as Entra issues it (a JWT: the SDK reads its claims). */
export const BOT_TOKEN = signJwt(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, { aud: 'https://api.botframework.com', exp: Math.floor(Date.now() / 1000) + 3600 });

/** Alice's message from Teams' own service URL, naming `tenant` in both places an activity does. */
export function fromTenant(tenant: string, text = 'help') {
  const activity = message(ALICE, text);
  return { ...activity, serviceUrl: AUTH_SERVICE_URL, conversation: { ...activity.conversation, tenantId: tenant }, channelData: { ...activity.channelData, tenant: { id: tenant } } };
}

export const fromOurTenant = (text = 'help') => fromTenant(OURS, text);
