// Configuration from the environment, parsed once at start-up: one zod schema per concern, merged so that
// every problem in every concern is listed in one message.
import path from 'node:path';
import { z } from 'zod';
import { ERROR_CODES, LockdeskError } from '../core/errors.js';
import { coreEnv } from './core.js';
import { graphEnv } from './graph.js';
import { slackEnv } from './slack.js';
import { refineStore, storeEnv } from './store.js';
import { teamsEnv } from './teams.js';

/** Every variable of every concern (its `.shape` names them all). */
export const configSchema = z.object({ ...coreEnv, ...storeEnv, ...graphEnv, ...slackEnv, ...teamsEnv });

/** The merged schema with the checks that span concerns. */
export const checkedConfigSchema = configSchema.superRefine((env, ctx) => refineStore(env, ctx), { when: () => true });

export type Config = z.infer<typeof checkedConfigSchema>;

/** Lists every problem, one per line, naming the variable. */
export function describeIssues(error: z.ZodError, where: string): string {
  const lines = error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return `${where}:\n${lines.join('\n')}`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = checkedConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new LockdeskError(ERROR_CODES.CONFIG_INVALID, describeIssues(parsed.error, 'lockdesk cannot start: the configuration has problems'));
  }
  return parsed.data;
}

/** Paths in the configuration are relative to the directory lockdesk was started in. */
export function resolvePath(p: string, cwd = process.cwd()): string {
  return path.resolve(cwd, p);
}
