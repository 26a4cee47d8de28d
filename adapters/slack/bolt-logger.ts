// Bolt's and the WebClient's log lines, into lockdesk's logger. Lines that would print a request or response body
// are dropped: a chat.postEphemeral body may hold a temporary passcode.
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../src/ports.js';

const BODY_LINES = /^http request (body|result|headers)/;

export function boltLogger(logger: Logger): BoltLogger {
  let name = 'slack';
  const line = (level: 'debug' | 'info' | 'warn' | 'error') => (...parts: unknown[]) => {
    const text = parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : JSON.stringify(p))).join(' ');
    if (BODY_LINES.test(text)) return;
    logger[level]({ source: name }, text);
  };
  return {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    // lockdesk's logger has its own level; Bolt hands it everything.
    setLevel: () => undefined,
    getLevel: () => LogLevel.DEBUG,
    setName: (n: string) => {
      name = n;
    },
  };
}
