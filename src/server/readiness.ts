// GET /readyz: whether this process can serve requests now (a load balancer sends it traffic, Kubernetes counts it
// ready), as opposed to /healthz, which says only that it is alive. Every check runs at each request, each bounded in
// time; the answer names what is not ready and why, in words that hold no secret (error codes and plain reasons).
import { isLockdeskError } from '../core/index.js';
import { TimedOut, withinMs } from '../time-limit.js';
import type { Route } from './http-server.js';

/** One part that must be ready: resolves when it is, throws (a NotReady, a LockdeskError) why it is not. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export class NotReady extends Error {
  readonly code = 'not_ready';
}

/** Longer than a cheap query or a cached token takes; shorter than a probe's usual timeout (Kubernetes: 1 s by default, set it higher). */
export const READY_CHECK_MS = 2_000;

function reasonOf(error: unknown): string {
  if (error instanceof NotReady || error instanceof TimedOut) return error.message;
  if (isLockdeskError(error)) return `${error.code}: ${error.userMessage}`;
  return 'internal: the check failed unexpectedly';
}

export async function readiness(checks: readonly ReadinessCheck[]): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      try {
        await withinMs(READY_CHECK_MS, name, check);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, reasonOf(error)] as const;
      }
    }),
  );
  return { ready: results.every(([, result]) => result === 'ok'), checks: Object.fromEntries(results) };
}

/**
 * What the answer says beside the checks without holding readiness back (a paused lockdesk is healthy: it is doing
 * what it was told). A note that cannot be read in time is left out; the checks say why.
 */
export type ReadinessNotes = () => Promise<Record<string, string>>;

export function readyRoute(checks: () => readonly ReadinessCheck[], notes?: ReadinessNotes): Route {
  return {
    method: 'GET',
    path: '/readyz',
    listener: async (_req, res) => {
      const [result, extra] = await Promise.all([readiness(checks()), notes ? withinMs(READY_CHECK_MS, 'notes', notes).catch(() => ({})) : {}]);
      res
        .writeHead(result.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ status: result.ready ? 'ready' : 'not ready', checks: result.checks, ...extra }));
    },
  };
}
