// The operations routes: GET /healthz (alive), GET /readyz (able to serve) and GET /metrics (Prometheus), on the main
// server, or /metrics alone on a port of its own (METRICS_PORT) so that it can be reachable where the chat routes are
// not, and the other way round.
import type { Logger } from '../ports.js';
import type { Metrics } from '../metrics/metrics.js';
import { healthRoute, startHttpServer, type Route, type RunningServer } from './http-server.js';
import type { Mount } from './mounts.js';
import { readyRoute, type ReadinessCheck, type ReadinessNotes } from './readiness.js';

export const METRICS_PATH = '/metrics';

export function metricsRoute(metrics: Metrics): Route {
  return {
    method: 'GET',
    path: METRICS_PATH,
    listener: async (_req, res) => {
      const { contentType, body } = await metrics.scrape();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
    },
  };
}

export interface OperationsOptions {
  describeHealth: () => Record<string, unknown>;
  checks: () => readonly ReadinessCheck[];
  /** Said beside the checks (the pause in force). */
  notes?: ReadinessNotes;
  /** Set: GET /metrics on the main server too. */
  metrics?: Metrics | undefined;
}

export function operationsMount(options: OperationsOptions): Mount {
  const routes = [healthRoute(options.describeHealth), readyRoute(options.checks, options.notes), ...(options.metrics ? [metricsRoute(options.metrics)] : [])];
  return { describe: routes.map((r) => `${r.method} ${r.path}`).join(', '), routes };
}

/** GET /metrics alone, on its own server at host:port, started and stopped with the others. */
export function metricsPortMount(metrics: Metrics, host: string, port: number, logger: Logger): Mount {
  let server: RunningServer | undefined;
  return {
    get describe() {
      return `GET ${METRICS_PATH} on ${server ? `${server.url}${METRICS_PATH}` : `${host}:${port}`} only`;
    },
    routes: [],
    start: async () => {
      server = await startHttpServer({ host, port, routes: [metricsRoute(metrics)], logger });
    },
    stop: async () => {
      await server?.close();
      server = undefined;
    },
  };
}
