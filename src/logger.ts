// The process logger: JSON lines on stderr, with secrets redacted wherever a field name says what they are, and the
// correlation id of the request being handled on every line logged within it (see `correlation` below).
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream } from 'pino';
import type { CorrelationContext, Logger } from './ports.js';

const REDACT = ['passcode', 'unlockPin', 'token', 'secret', 'password', 'authorization', 'clientSecret', 'accessToken'];

const requests = new AsyncLocalStorage<{ readonly correlationId: string }>();

/**
 * The handler runs each request inside `correlation.run(id, …)`; every line logged within that async context, by the
 * core, an adapter (a Slack delivery, a Teams card update) or a backend (a Graph retry), then carries the same
 * `correlationId` the audit trail and the error reply show, without any of them passing it along. One context for the
 * process: AsyncLocalStorage keeps concurrent requests apart, and several apps in one process (tests) share it safely.
 */
export const correlation: CorrelationContext = {
  run: (correlationId, work) => requests.run({ correlationId }, work),
};

/** `destination`: a file descriptor (2, stderr) or a stream (tests read the lines). */
export function createLogger(level: string, destination: number | DestinationStream = 2): Logger & { level: string } {
  return pino(
    {
      level,
      base: { app: 'lockdesk' },
      // A fresh object each line: pino merges the line's own fields into what mixin returns (and they win, so a line
      // that names a correlation id of its own, a follow-up's, keeps it).
      mixin: () => {
        const request = requests.getStore();
        return request ? { correlationId: request.correlationId } : {};
      },
      redact: { paths: [...REDACT, ...REDACT.map((k) => `*.${k}`), ...REDACT.map((k) => `*.*.${k}`)], censor: '[secret]' },
    },
    typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination,
  );
}
