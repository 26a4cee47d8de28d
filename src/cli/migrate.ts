// `npm run migrate`: applies the PostgreSQL schema migrations (lockdesk also applies them at start-up).
import dotenv from 'dotenv';
import { loadConfig } from '../config/index.js';
import { isLockdeskError } from '../core/index.js';
import { createLogger } from '../logger.js';
import { describeDatabase } from '../store/postgres/pool.js';
import { migrate } from '../store/postgres/migrate.js';

async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  const config = loadConfig();
  if (config.STORE !== 'postgres' || !config.DATABASE_URL) throw new Error('npm run migrate is for STORE=postgres with DATABASE_URL set; lowdb needs no migration.');
  const applied = await migrate({ url: config.DATABASE_URL }, createLogger(config.LOG_LEVEL));
  process.stdout.write(applied.length ? `applied ${applied.join(', ')} to ${describeDatabase(config.DATABASE_URL)}\n` : `${describeDatabase(config.DATABASE_URL)} is up to date\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${isLockdeskError(error) ? error.message : error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
