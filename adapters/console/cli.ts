// `npm run console -- --as <email>`: the terminal chat on its own, without the HTTP server.
import { parseArgs } from 'node:util';
import dotenv from 'dotenv';
import { interruptedAfterMs } from '../../src/queue/create-queue.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { isLockdeskError } from '../../src/core/index.js';
import { createLogger } from '../../src/logger.js';
import { runConsoleChat } from './console-chat.js';

const USAGE = 'usage: npm run console -- --as <email>   (or set LOCKDESK_CONSOLE_AS)';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { as: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  dotenv.config({ quiet: true });
  const config = loadConfig();
  const as = values.as ?? config.LOCKDESK_CONSOLE_AS;
  if (!as || !EMAIL.test(as)) throw new Error(`${as ? `"${as}" is not an email address. ` : ''}${USAGE}`);
  // The chat owns stdout; logs go to stderr and only warnings unless LOG_LEVEL says otherwise.
  const logger = createLogger(process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn');
  const app = await buildApp(config, logger);
  await app.handler.recover({ olderThanMs: interruptedAfterMs(config) });
  app.startBackgroundJobs();
  await runConsoleChat({
    handler: app.handler,
    actor: { platform: 'console', id: as, email: as },
    input: process.stdin,
    output: process.stdout,
    prompt: process.stdin.isTTY === true,
    approvals: app.approvals,
  });
  // Piped input has ended: let the actions already sent report how they ended before closing.
  await app.handler.idle();
  await app.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${isLockdeskError(error) ? error.message : error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
