// The HTTP server, on the simulated tenant unless configured otherwise, and in an interactive terminal the
// terminal chat as well. Loaded by main.ts once the Node.js version is known to be good.
import dotenv from 'dotenv';
import { interruptedAfterMs } from './queue/create-queue.js';
import { runConsoleChat } from '../adapters/console/console-chat.js';
import { buildApp } from './app.js';
import { loadConfig } from './config/index.js';
import { isLockdeskError, pauseSentence } from './core/index.js';
import { createLogger } from './logger.js';
import { startHttpServer } from './server/http-server.js';
import { buildMounts } from './server/mounts.js';
import { SampledLog } from './server/sampled-log.js';

const DEFAULT_CONSOLE_USER = 'alice@contoso.com';

async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  // The last line of defence: a failure that escaped whatever request caused it is logged (sampled, no stack) and
  // the process goes on serving everyone else.
  const escaped = new SampledLog(logger, 60_000);
  process.on('unhandledRejection', (reason) => escaped.warn('unhandled-rejection', 'an error escaped the request that caused it; lockdesk goes on', { err: { message: String((reason as Error)?.message ?? reason) } }));
  const app = await buildApp(config, logger);
  const recovery = await app.handler.recover({ olderThanMs: interruptedAfterMs(config) });
  app.startBackgroundJobs();
  const mounts = await buildMounts(app, logger);
  const http = await startHttpServer({
    host: config.HOST,
    port: config.PORT,
    routes: mounts.flatMap((m) => m.routes),
    logger,
  });
  for (const mount of mounts) await mount.start?.();

  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const consoleUser = config.LOCKDESK_CONSOLE_AS ?? DEFAULT_CONSOLE_USER;
  const paused = await app.handler.paused();
  const banner = [
    `lockdesk is running on ${http.url} (health: ${http.url}/healthz)`,
    `  runtime: Node.js ${process.versions.node}`,
    `  backend: ${app.describe.backend}`,
    `  store:   ${app.describe.store}`,
    `  policy:  ${app.describe.policy}`,
    ...mounts.map((m) => `  serving: ${m.describe}`),
    ...(paused ? [`  PAUSED:  ${pauseSentence(paused)}; nothing is dispatched until it is resumed${paused.byEnvironment ? ' (unset LOCKDESK_PAUSED and restart)' : ' ("resume")'}`] : []),
    ...(recovery.resolved + recovery.unresolved + recovery.following > 0
      ? [`  recovery: ${recovery.resolved} interrupted dispatch(es) settled, ${recovery.unresolved} still unresolved, ${recovery.following} being followed`]
      : []),
    interactive ? `  terminal chat below, as ${consoleUser} (set LOCKDESK_CONSOLE_AS to change); Ctrl+D or Ctrl+C to stop` : '  no terminal attached: HTTP only; Ctrl+C to stop',
  ];
  process.stdout.write(`${banner.join('\n')}\n`);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // No new requests first, then the work already accepted (a click acknowledged a moment ago may be sending),
    // then the app, which waits for sends still inside the backend before it gives up its registration.
    await http.close();
    for (const mount of mounts) await mount.stop?.().catch((err: unknown) => logger.error({ err }, 'stopping a mount failed'));
    await app.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  // SIGHUP reads the policy file again (a change to it does too); a bad file is refused and the policy in force stays.
  process.on('SIGHUP', () => void app.reloadPolicy('SIGHUP').catch((err: unknown) => logger.error({ err }, 'policy reload failed')));

  if (interactive) {
    await runConsoleChat({ handler: app.handler, actor: { platform: 'console', id: consoleUser, email: consoleUser }, input: process.stdin, output: process.stdout, prompt: true, approvals: app.approvals });
    await stop(0);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${isLockdeskError(error) ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
