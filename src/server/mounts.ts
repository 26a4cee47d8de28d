// What lockdesk serves: each chat adapter contributes a mount (its HTTP routes, and what it starts and stops
// beside them, such as Slack's Socket Mode connection). main.ts puts every mount on the one HTTP server; the
// operations routes (/healthz, /readyz, /metrics) are a mount too.
import type { App } from '../app.js';
import { metricsServing } from '../config/metrics.js';
import { pauseSentence } from '../core/index.js';
import type { Logger } from '../ports.js';
import { timedRoute } from './ack-timing.js';
import type { Route } from './http-server.js';
import { metricsPortMount, operationsMount } from './ops-mount.js';
import { NotReady, type ReadinessCheck } from './readiness.js';

export interface Mount {
  /** One line for the start-up banner (read once the mount has started). */
  readonly describe: string;
  /** What GET /healthz reports of it (e.g. Slack: ok or degraded). */
  health?(): Record<string, string>;
  /** What GET /readyz asks of it (e.g. Slack: connected); a mount without one does not hold readiness back. */
  readiness?: ReadinessCheck;
  routes: Route[];
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export async function buildMounts(app: App, logger: Logger): Promise<Mount[]> {
  const mounts: Mount[] = [];
  const serving = metricsServing(app.config);
  const checks: ReadinessCheck[] = [
    { name: 'store', check: () => app.ready.store() },
    { name: 'backend', check: () => app.ready.backend() },
  ];
  mounts.push(
    operationsMount({
      describeHealth: () => Object.assign({ backend: app.backend.kind }, ...mounts.map((m) => m.health?.() ?? {})),
      checks: () => [...checks, ...mounts.flatMap((m) => (m.readiness ? [m.readiness] : []))],
      notes: async (): Promise<Record<string, string>> => {
        const paused = await app.handler.paused();
        return paused ? { paused: pauseSentence(paused) } : {};
      },
      metrics: serving.kind === 'main' ? app.metrics : undefined,
    }),
  );
  if (app.metrics && serving.kind === 'port') mounts.push(metricsPortMount(app.metrics, app.config.HOST, serving.port, logger));
  // Chat adapters add their mounts here.
  if (app.config.SLACK_BOT_TOKEN) {
    const slack = await (await import('../../adapters/slack/mount.js')).slackMount(app, logger); // loads Bolt only when used
    slack.readiness = {
      name: 'slack',
      check: async () => {
        const status = slack.adapter.status;
        if (status.state !== 'connected') throw new NotReady(status.state === 'connecting' ? `not connected to Slack: ${status.reason}` : 'stopped');
      },
    };
    mounts.push(timed(slack, 'slack', app));
  }
  for (const teams of (await import('../../adapters/teams/mount.js')).teamsMounts(app, logger)) {
    // A Teams mount with routes is served, and so ready; the routeless one only says in the banner why Teams is off.
    if (teams.routes.length > 0) teams.readiness = { name: 'teams', check: async () => undefined };
    mounts.push(timed(teams, 'teams', app)); // loads the Teams SDK only when used
  }
  return mounts;
}

/** The mount itself (its describe may be a getter), with each route's acknowledgement timed when metrics are on. */
function timed<M extends Mount>(mount: M, platform: 'slack' | 'teams', app: App): M {
  const metrics = app.metrics;
  if (metrics) mount.routes = mount.routes.map((route) => timedRoute(route, (status, seconds) => metrics.ack(platform, status, seconds)));
  return mount;
}
