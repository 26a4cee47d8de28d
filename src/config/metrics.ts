// Environment variables of the Prometheus metrics (GET /metrics). Off unless asked for: the endpoint tells anyone who
// reaches it how busy lockdesk is, so an operator turns it on knowingly, on the main server or on a port of its own.
import { z } from 'zod';
import { optionalText } from './core.js';

export const metricsEnv = {
  /** "true": GET /metrics on the main HTTP server (unless METRICS_PORT puts it on its own port). Unset: false. */
  METRICS_ENABLED: optionalText.pipe(
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], 'METRICS_ENABLED must be true or false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .optional(),
  ),
  /** Set: GET /metrics only on this port (on HOST), and not on the main server; turns metrics on. 0: any free port. */
  METRICS_PORT: optionalText.transform((v) => (v === undefined ? undefined : Number(v))).pipe(z.number('METRICS_PORT must be a port number').int().min(0).max(65535).optional()),
};

export type MetricsConfig = z.infer<z.ZodObject<typeof metricsEnv>>;

/** Where GET /metrics is served, if anywhere. */
export type MetricsServing = { kind: 'off' } | { kind: 'main' } | { kind: 'port'; port: number };

export function metricsServing(config: MetricsConfig): MetricsServing {
  if (config.METRICS_PORT !== undefined) return { kind: 'port', port: config.METRICS_PORT };
  return config.METRICS_ENABLED === true ? { kind: 'main' } : { kind: 'off' };
}

/** Cross-field rules; messages name variables. */
export function refineMetrics(config: MetricsConfig & { PORT: number }, ctx: z.RefinementCtx): void {
  if (config.METRICS_PORT === undefined) return;
  if (config.METRICS_ENABLED === false) {
    ctx.addIssue({ code: 'custom', path: ['METRICS_ENABLED'], message: 'is false, but METRICS_PORT asks for metrics on a port of their own: unset one of them' });
  }
  if (config.METRICS_PORT !== 0 && config.METRICS_PORT === config.PORT) {
    ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: 'must differ from PORT (unset METRICS_PORT and set METRICS_ENABLED=true to serve metrics on the main server)' });
  }
}
