// `npm run migrate`: applies the PostgreSQL schema migrations, installs or upgrades pg-boss's schema and creates the
// follow-up queue (lockdesk also does all of it at start-up). With DATABASE_MIGRATION_URL, all of it runs as that
// owner role, which then grants the role of DATABASE_URL what src/store/postgres/runtime-grants.sql lists.
import dotenv from 'dotenv';
import { loadConfig } from '../config/index.js';
import { isLockdeskError } from '../core/index.js';
import { createLogger } from '../logger.js';
import { installFollowUpQueue } from '../queue/pg-queue.js';
import { describeDatabase, translatePgError } from '../store/postgres/pool.js';
import { migrateAs } from '../store/postgres/migrate.js';

async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  const config = loadConfig();
  if (config.STORE !== 'postgres' || !config.DATABASE_URL) throw new Error('npm run migrate is for STORE=postgres with DATABASE_URL set; lowdb needs no migration.');
  const logger = createLogger(config.LOG_LEVEL);
  const ownerUrl = config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL;
  const applied = await migrateAs({ url: config.DATABASE_URL, migrationUrl: config.DATABASE_MIGRATION_URL }, logger);
  await installFollowUpQueue({ url: ownerUrl, logger }).catch((error: unknown) => {
    throw translatePgError(error, 'installing the follow-up queue', ownerUrl);
  });
  const where = describeDatabase(ownerUrl);
  process.stdout.write(applied.length ? `applied ${applied.join(', ')} to ${where}\n` : `${where} is up to date\n`);
  if (config.DATABASE_MIGRATION_URL) process.stdout.write('the role of DATABASE_URL has the privileges in src/store/postgres/runtime-grants.sql\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${isLockdeskError(error) ? error.message : error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
