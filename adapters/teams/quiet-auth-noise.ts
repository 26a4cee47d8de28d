// botframework-connector 4.23 writes every token it rejects to console.error, with a stack: one per request, from
// anyone who can reach /api/messages. Those lines (and only those) go to lockdesk's log instead, sampled, without a
// stack. The rest of console.error is untouched. (Gone with botbuilder, when the Teams SDK v2 replaces it.)
import type { Logger } from '../../src/ports.js';
import { SampledLog } from '../../src/server/sampled-log.js';

const JWT_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

export function isTokenRejection(args: readonly unknown[]): boolean {
  const first = args[0];
  // botframework-connector's AuthenticationError keeps the name "Error"; its class name tells it apart.
  if (first instanceof Error) return JWT_ERRORS.has(first.name) || first.constructor?.name === 'AuthenticationError';
  return typeof first === 'string' && first.startsWith('Error finding key for token');
}

let installed: SampledLog | undefined;

export function quietTokenRejections(logger: Logger): void {
  if (installed) return;
  installed = new SampledLog(logger, 60_000);
  const sampled = installed;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (!isTokenRejection(args)) return original(...args);
    const first = args[0];
    sampled.warn('token-rejected', 'Teams: a Bot Framework token was refused (answered 401)', { reason: first instanceof Error ? `${first.name}: ${first.message}` : 'no signing key for it' });
  };
}
