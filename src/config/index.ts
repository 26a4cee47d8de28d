// Configuration from the environment, parsed once at start-up: one zod schema per concern, merged so that
// every problem in every concern is listed in one message.
import path from 'node:path';
import { z } from 'zod';
import { ERROR_CODES, LockdeskError } from '../core/errors.js';
import { coreEnv } from './core.js';
import { graphEnv } from './graph.js';
import { metricsEnv, refineMetrics } from './metrics.js';
import { refineSlack, slackEnv } from './slack.js';
import { refineStore, storeEnv } from './store.js';
import { refineTeams, teamsEnv } from './teams.js';

/** Every variable of every concern (its `.shape` names them all). */
export const configSchema = z.object({ ...coreEnv, ...storeEnv, ...graphEnv, ...slackEnv, ...teamsEnv, ...metricsEnv });

type Merged = z.infer<typeof configSchema>;
export type BackendKind = 'simulated' | 'graph';

/** BACKEND unset: graph when the Azure tenant and client ids are set, else the simulated tenant. */
export function chooseBackend(env: Pick<Merged, 'BACKEND' | 'AZURE_TENANT_ID' | 'AZURE_CLIENT_ID'>): BackendKind {
  return env.BACKEND ?? (env.AZURE_TENANT_ID && env.AZURE_CLIENT_ID ? 'graph' : 'simulated');
}

/** The merged schema with the checks that span concerns, and BACKEND decided. */
export const checkedConfigSchema = configSchema
  .superRefine(
    (env, ctx) => {
      refineSlack(env, ctx);
      refineTeams(env, chooseBackend(env), ctx);
      refineStore(env, ctx);
      refineMetrics(env, ctx);
      if (chooseBackend(env) !== 'graph') return;
      // Names only: a secret's value never appears in a message.
      const missing = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      if (!env.AZURE_TENANT_ID) missing('AZURE_TENANT_ID', 'required with BACKEND=graph (the Entra tenant id or domain)');
      if (!env.AZURE_CLIENT_ID) missing('AZURE_CLIENT_ID', 'required with BACKEND=graph (the app registration\'s client id)');
      if (!env.AZURE_CLIENT_SECRET && !env.AZURE_CLIENT_CERTIFICATE_PATH) {
        missing('AZURE_CLIENT_SECRET', 'BACKEND=graph needs AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH');
      }
    },
    // Also when other variables failed: every problem is listed in the one message.
    { when: () => true },
  )
  .transform((env) => ({ ...env, BACKEND: chooseBackend(env) }));

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
