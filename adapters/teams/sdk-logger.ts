// The Teams SDK's logger, written to lockdesk's. The SDK logs what anyone on the network causes (a refused token is
// an error with a stack, per request) and hands objects to its logger (an axios error, whose `config` carries the
// Authorization header; an activity; `response.data`). So: its errors and warnings are sampled warnings, once a
// minute per part of the SDK; only text and an error's name, message and HTTP status are kept, with anything shaped like a
// token cut out; objects are never written.
import type { AppOptions, IPlugin } from '@microsoft/teams.apps';
import type { Logger } from '../../src/ports.js';
import { SampledLog } from '../../src/server/sampled-log.js';

export type SdkLogger = NonNullable<AppOptions<IPlugin>['logger']>;
type Level = 'error' | 'warn' | 'info' | 'debug' | 'trace';

const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const BEARER = /Bearer\s+\S+/gi;

/** Text without anything that could be a token, cut to a line. */
export function redact(text: string): string {
  return text.replace(BEARER, 'Bearer [secret]').replace(JWT, '[token]').replace(/[\r\n\t\u0000-\u001f]+/g, ' ').slice(0, 300);
}

/** What may be written of one argument: text, or an error's name, message and status. Never an object's fields. */
export function describe(arg: unknown): string | undefined {
  if (typeof arg === 'string') return redact(arg);
  if (typeof arg === 'number' || typeof arg === 'boolean') return String(arg);
  if (arg instanceof Error) {
    const status = (arg as { response?: { status?: unknown }; status?: unknown }).response?.status ?? (arg as { status?: unknown }).status;
    return redact(`${arg.name}: ${arg.message}${typeof status === 'number' ? ` (HTTP ${status})` : ''}`);
  }
  return undefined;
}

/** `expected`: lines that do not apply to how lockdesk runs the SDK, written at debug level. */
export function sdkLogger(logger: Logger, name = 'teams-sdk', sampled = new SampledLog(logger, 60_000), expected: readonly RegExp[] = []): SdkLogger {
  const write = (given: Level, args: unknown[]) => {
    const [first, ...rest] = args.map(describe);
    const message = first ?? '(no text)';
    const detail = rest.filter((d): d is string => d !== undefined);
    const fields = { sdk: name, ...(detail.length > 0 ? { detail } : {}) };
    const level = expected.some((e) => e.test(message)) ? 'debug' : given;
    // One kind per SDK part and level: the SDK's texts quote what the sender sent (an activity id, an issuer).
    if (level === 'error' || level === 'warn') sampled.warn(`${name}:${level}`, `Teams SDK: ${message}`, fields);
    else if (level === 'info') logger.info(fields, `Teams SDK: ${message}`);
    else logger.debug(fields, `Teams SDK: ${message}`);
  };
  return {
    error: (...args: unknown[]) => write('error', args),
    warn: (...args: unknown[]) => write('warn', args),
    info: (...args: unknown[]) => write('info', args),
    debug: (...args: unknown[]) => write('debug', args),
    trace: (...args: unknown[]) => write('trace', args),
    log: (level: Level, ...args: unknown[]) => write(level, args),
    child: (child: string) => sdkLogger(logger, `${name}/${child}`, sampled, expected),
  };
}
