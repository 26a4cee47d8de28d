// The runtime role's privileges, from the one file the README shows (runtime-grants.sql), granted by the owner
// role after its migrations, and the role a URL logs in as.
import { readFile } from 'node:fs/promises';
import { fromRoot } from '../../project-root.js';
import type pg from 'pg';
import { quoteIdent } from './pool.js';

export const RUNTIME_GRANTS_FILE = fromRoot('src/store/postgres/runtime-grants.sql');
/** psql's way of naming a variable as an identifier, so the file also runs as it is with `psql -v runtime_role=…`. */
const PLACEHOLDER = ':"runtime_role"';
/** Any constant the replicas agree on: serialises their grants. */
const GRANTS_LOCK = 7_245_002;

export async function runtimeGrantsSql(role: string): Promise<string> {
  return (await readFile(RUNTIME_GRANTS_FILE, 'utf8')).replaceAll(PLACEHOLDER, quoteIdent(role));
}

/** The role the server says a connection logs in as (a URL's user, else PGUSER, else the operating-system user). */
export async function currentRole(db: pg.ClientBase | pg.Pool): Promise<string> {
  const result = await db.query<{ role: string }>('SELECT current_user AS role');
  return result.rows[0]!.role;
}

/**
 * Grants `role` what runtime-grants.sql says, in one transaction. Replicas starting together would grant at the same
 * moment, which PostgreSQL refuses ("tuple concurrently updated"), so they take turns on an advisory lock.
 */
export async function applyRuntimeGrants(client: pg.ClientBase, role: string): Promise<void> {
  const sql = await runtimeGrantsSql(role);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [GRANTS_LOCK]);
    await client.query(sql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
