// What lockdesk serves: each chat adapter contributes a mount (its HTTP routes, and what it starts and stops
// beside them, such as Slack's Socket Mode connection). main.ts puts every mount on the one HTTP server.
import type { App } from '../app.js';
import type { Logger } from '../ports.js';
import { healthRoute, type Route } from './http-server.js';

export interface Mount {
  /** One line for the start-up banner (read once the mount has started). */
  readonly describe: string;
  /** What GET /healthz reports of it (e.g. Slack: ok or degraded). */
  health?(): Record<string, string>;
  routes: Route[];
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export async function buildMounts(app: App, _logger: Logger): Promise<Mount[]> {
  const mounts: Mount[] = [];
  mounts.push({ describe: 'GET /healthz', routes: [healthRoute(() => Object.assign({ backend: app.backend.kind }, ...mounts.map((m) => m.health?.() ?? {})))] });
  // Chat adapters add their mounts here.
  if (app.config.SLACK_BOT_TOKEN) mounts.push(await (await import('../../adapters/slack/mount.js')).slackMount(app, _logger)); // loads Bolt only when used
  mounts.push(...(await import('../../adapters/teams/mount.js')).teamsMounts(app, _logger)); // loads the Teams SDK only when used
  return mounts;
}
