// Applies the schema migrations in ./migrations (node-pg-migrate, SQL files), at start-up or by `npm run migrate`.
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../../ports.js';
import { createPool, quoteIdent, translatePgError, type PostgresOptions } from './pool.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

export async function migrate(options: PostgresOptions, logger: Logger): Promise<string[]> {
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
    return applied.map((m) => m.name);
  } catch (error) {
    throw translatePgError(error, 'migrating', options.url);
  } finally {
    client.release();
    await pool.end();
  }
}
