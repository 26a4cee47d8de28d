// Applies the schema migrations in ./migrations (node-pg-migrate, SQL files), at start-up or by `npm run migrate`,
// as the owner role; with a separate runtime role, grants it what runtime-grants.sql lists right after.
import { fromRoot } from '../../project-root.js';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../../ports.js';
import { applyRuntimeGrants, currentRole } from './grants.js';
import { createPool, quoteIdent, translatePgError, type PostgresOptions } from './pool.js';

export const MIGRATIONS_DIR = fromRoot('src/store/postgres/migrations');

export interface MigrateOptions extends PostgresOptions {
  /** The runtime role to grant to after migrating (when it is not the role of `url`). */
  grantTo?: string;
}

export async function migrate(options: MigrateOptions, logger: Logger): Promise<string[]> {
  const pool = createPool({ ...options, max: 1 });
  const client = await pool.connect().catch((error: unknown) => {
    throw translatePgError(error, 'migrating', options.url);
  });
  try {
    if (options.schema) {
      // Replicas starting together race to create it; losing that race is fine.
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`).catch((error: { code?: string }) => {
        if (error.code !== '23505' && error.code !== '42P06') throw error;
      });
    }
    const applied = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'lockdesk_migrations',
      ...(options.schema ? { schema: options.schema, migrationsSchema: options.schema } : {}),
      // node-pg-migrate holds an advisory lock; replicas starting together wait for it and migrate once.
      advisoryLockMode: 'wait',
      log: (message: string) => logger.debug({ migration: message }, 'migration'),
      verbose: false,
    });
    // Every time, not only when something was applied: a grant added to the file reaches an existing database.
    if (options.grantTo && options.grantTo !== (await currentRole(client))) {
      await applyRuntimeGrants(client, options.grantTo);
      logger.debug({ role: options.grantTo }, 'granted the runtime role its privileges');
    }
    return applied.map((m) => m.name);
  } catch (error) {
    throw translatePgError(error, 'migrating', options.url);
  } finally {
    client.release();
    await pool.end();
  }
}

/**
 * Migrates the way the configuration says: as the owner of `migrationUrl` when there is one, granting the role of
 * `url` its privileges (asked of the server: the URL's user, PGUSER or the operating-system user); else as `url`.
 */
export async function migrateAs(options: PostgresOptions & { migrationUrl?: string | undefined }, logger: Logger): Promise<string[]> {
  const { migrationUrl, ...runtime } = options;
  if (!migrationUrl) return migrate(runtime, logger);
  const pool = createPool({ ...runtime, max: 1 });
  let role: string;
  try {
    role = await currentRole(pool);
  } catch (error) {
    throw translatePgError(error, 'connecting', runtime.url);
  } finally {
    await pool.end().catch(() => undefined);
  }
  return migrate({ ...runtime, url: migrationUrl, grantTo: role }, logger);
}
