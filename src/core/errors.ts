// Typed errors with stable codes. Every boundary translates what it catches into one of these, once.

export const ERROR_CODES = {
  DEVICE_NOT_FOUND: 'device_not_found',
  NOT_SUPPORTED: 'not_supported',
  THROTTLED: 'throttled',
  FORBIDDEN: 'forbidden',
  UNAVAILABLE: 'unavailable',
  REFUSED: 'refused_by_backend',
  STORE_CORRUPT: 'store_corrupt',
  STORE_UNAVAILABLE: 'store_unavailable',
  CONFIG_INVALID: 'config_invalid',
  DATA_INVALID: 'data_invalid',
  /** Input lockdesk (or its database) cannot take: a clear reply, nothing changed. */
  INVALID_INPUT: 'invalid_input',
  /** lockdesk knows the action never left: it withheld the send (e.g. it lost its registration). */
  NOT_SENT: 'not_sent',
  INTERNAL: 'internal',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export interface LockdeskErrorOptions {
  /** What a person may read: plain words, no secrets, no stack. */
  userMessage?: string;
  /** For throttling: how long the backend asked us to wait. */
  retryAfterMs?: number;
  /** The backend's request id, quoted to support. */
  requestId?: string;
  cause?: unknown;
}

export class LockdeskError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly retryAfterMs?: number;
  readonly requestId?: string;

  constructor(code: ErrorCode, message: string, options: LockdeskErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LockdeskError';
    this.code = code;
    this.userMessage = options.userMessage ?? message;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.requestId !== undefined) this.requestId = options.requestId;
  }

  /** The words shown in chat, with the request id support will ask for. */
  describe(): string {
    return this.requestId ? `${this.userMessage} (request id ${this.requestId})` : this.userMessage;
  }
}

export function isLockdeskError(value: unknown): value is LockdeskError {
  return value instanceof LockdeskError;
}

/** Wraps anything thrown into a LockdeskError so every top-level handler has a code to act on. */
export function toLockdeskError(value: unknown): LockdeskError {
  if (isLockdeskError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new LockdeskError(ERROR_CODES.INTERNAL, message, {
    userMessage: 'Something went wrong inside lockdesk; nothing more was done. Try again, or ask an administrator to check the log.',
    cause: value,
  });
}
