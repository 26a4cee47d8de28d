// The connection pool and the one place PostgreSQL errors become lockdesk errors.
import { userInfo } from 'node:os';
import pg from 'pg';
import { ERROR_CODES, LockdeskError, isLockdeskError } from '../../core/errors.js';

export interface PostgresOptions {
  url: string;
  /** A schema of its own (tests, or several lockdesk installs in one database). Default: public. */
  schema?: string;
  /** Most connections this process opens. */
  max?: number;
}

/** Where the database is, for messages: host, port and database, never the password. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || ''}`;
  } catch {
    return 'the database in DATABASE_URL';
  }
}

/** As libpq does: a URL without a user name means PGUSER, else the operating-system user. */
export function withDefaultUser(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username) return url;
    parsed.username = encodeURIComponent(process.env.PGUSER ?? userInfo().username);
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Server settings for a session of this store (`-c name=value`, as libpq's `options`): its schema, and any others. */
export function sessionOptions(options: PostgresOptions, settings: Record<string, string | number> = {}): { options?: string } {
  const all = { ...(options.schema ? { search_path: quoteIdent(options.schema) } : {}), ...settings };
  const text = Object.entries(all)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
  return text ? { options: text } : {};
}

export function createPool(options: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: withDefaultUser(options.url),
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    ...sessionOptions(options),
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const UNIQUE_VIOLATION = '23505';

/**
 * SQLSTATE class 22, "data exception": PostgreSQL refused a value, not the connection (a NUL or a lone surrogate
 * in a JSON value, a NUL in text, a value too long). Trying again cannot help, and the database is fine.
 */
export function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.length === 5 && code.startsWith('22');
}

export const REFUSED_VALUE_MESSAGE = 'lockdesk cannot store part of that request (it contains characters the database refuses), so it did nothing.';

/** Translates anything the pg client throws into a LockdeskError with a stable code. */
export function translatePgError(error: unknown, where: string, url: string): LockdeskError {
  if (isLockdeskError(error)) return error;
  const code = (error as { code?: string } | undefined)?.code;
  if (code === UNIQUE_VIOLATION) return new LockdeskError(ERROR_CODES.INTERNAL, `${where}: a record with that id already exists`, { cause: error });
  // The message names the problem; the detail, which may quote the refused value, is left out.
  if (isDataException(error)) {
    return new LockdeskError(ERROR_CODES.INVALID_INPUT, `${where}: PostgreSQL refused a value (SQLSTATE ${code}): ${(error as Error).message}`, {
      userMessage: REFUSED_VALUE_MESSAGE,
      cause: error,
    });
  }
  // Connection failures, shutdowns, timeouts: the database is (for now) out of reach.
  return new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `${where}: PostgreSQL at ${describeDatabase(url)} is unavailable: ${(error as Error)?.message ?? String(error)}`, {
    userMessage: 'lockdesk cannot reach its database right now, so it did nothing. Try again shortly.',
    cause: error,
  });
}
