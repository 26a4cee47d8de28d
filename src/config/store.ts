// Environment variables of storage: lowdb files (one process) or PostgreSQL (several replicas).
import { z } from 'zod';
import { optionalText } from './core.js';

const postgresUrl = (name: string) =>
  optionalText.pipe(
    z
      .string()
      .refine((url) => /^postgres(ql)?:\/\//.test(url), `${name} must be a postgres:// URL`)
      .optional(),
  );

export const storeEnv = {
  STORE: z.enum(['lowdb', 'postgres']).default('lowdb'),
  /** A standard libpq URL: postgres://user:password@host:5432/database. The role every replica runs as. */
  DATABASE_URL: postgresUrl('DATABASE_URL'),
  /**
   * The owner role's URL (same database): migrations, pg-boss's schema and the runtime role's grants run with it,
   * and DATABASE_URL then never runs DDL. Unset: DATABASE_URL does it all (the simple set-up).
   */
  DATABASE_MIGRATION_URL: postgresUrl('DATABASE_MIGRATION_URL'),
};

export function refineStore(env: { STORE: 'lowdb' | 'postgres'; DATABASE_URL?: string | undefined }, ctx: z.RefinementCtx): void {
  if (env.STORE === 'postgres' && !env.DATABASE_URL) {
    ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'required with STORE=postgres (e.g. postgres://lockdesk@db.internal:5432/lockdesk)' });
  }
}
