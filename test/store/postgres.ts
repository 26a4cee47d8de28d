// Where the PostgreSQL tests find their server, and what they do when there is none.
import pg from 'pg';
import { withDefaultUser } from '../../src/store/postgres/pool.js';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
/** CI sets this so that a missing server fails the run instead of skipping the PostgreSQL tests. */
export const REQUIRED = process.env.LOCKDESK_REQUIRE_POSTGRES === '1';

/** Undefined when the server answers; otherwise why not. */
export async function unreachableReason(url = DATABASE_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: withDefaultUser(url), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `no PostgreSQL at ${url} (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function postgresOrSkip(): Promise<{ skip: false } | { skip: true; reason: string }> {
  const reason = await unreachableReason();
  if (!reason) return { skip: false };
  if (REQUIRED) throw new Error(`LOCKDESK_REQUIRE_POSTGRES=1 but ${reason}`);
  return { skip: true, reason };
}

export function testSchemaName(): string {
  return `lockdesk_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDefaultUser(DATABASE_URL) });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
