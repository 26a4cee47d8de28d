// The process logger: JSON lines on stderr, with secrets redacted wherever a field name says what they are.
import pino from 'pino';
import type { Logger } from './ports.js';

const REDACT = ['passcode', 'token', 'secret', 'password', 'authorization', 'clientSecret', 'accessToken'];

export function createLogger(level: string, destination: number = 2): Logger & { level: string } {
  return pino(
    {
      level,
      base: { app: 'lockdesk' },
      redact: { paths: [...REDACT, ...REDACT.map((k) => `*.${k}`), ...REDACT.map((k) => `*.*.${k}`)], censor: '[secret]' },
    },
    pino.destination({ fd: destination, sync: true }),
  );
}
