// `npm run playground [-- --browser] [-- --telemetry] [-- -p <port>]`: the Microsoft 365 Agents Playground (a local
// Teams client, offline, no account) against the running lockdesk (`npm start` in another terminal).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import dotenv from 'dotenv';
import { loadConfig } from '../../src/config/index.js';
import { fromRoot } from '../../src/project-root.js';
import { MESSAGES_PATH } from './http-route.js';

export const PLAYGROUND_BIN = fromRoot('node_modules/.bin/agentsplayground');

/** Where the Playground reaches the bot: a wildcard listen address is reached on loopback. */
export function botEndpoint(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}${MESSAGES_PATH}`;
}

export interface PlaygroundCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** The command line: Teams channel, telemetry off and no browser unless asked. */
export function playgroundCommand(options: { endpoint: string; port?: number; browser?: boolean; telemetry?: boolean; env?: NodeJS.ProcessEnv }): PlaygroundCommand {
  const args = ['start', '-e', options.endpoint, '-c', 'msteams'];
  if (options.port !== undefined) args.push('-p', String(options.port));
  if (!options.telemetry) args.push('--disable-telemetry');
  const env = { ...(options.env ?? process.env) };
  if (!options.browser) env.TEAMSAPPTESTER_BROWSER = 'none';
  return { command: PLAYGROUND_BIN, args, env };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { browser: { type: 'boolean' }, telemetry: { type: 'boolean' }, port: { type: 'string', short: 'p' } }, strict: true });
  dotenv.config({ quiet: true });
  const config = loadConfig();
  const endpoint = botEndpoint(config.HOST, config.PORT);
  if (config.MICROSOFT_APP_ID) {
    process.stderr.write('Note: MICROSOFT_APP_ID is set, so lockdesk checks Bot Framework tokens, and the Playground sends none. Unset it for local testing.\n');
  }
  const health = await fetch(new URL('/healthz', endpoint)).then((r) => r.ok).catch(() => false);
  if (!health) process.stderr.write(`Note: lockdesk does not answer at ${new URL('/healthz', endpoint).href}; start it with \`npm start\` in another terminal.\n`);
  const cmd = playgroundCommand({ endpoint, ...(values.port ? { port: Number(values.port) } : {}), browser: values.browser === true, telemetry: values.telemetry === true });
  process.stdout.write(`Starting the Agents Playground against ${endpoint}. Open the address it prints; you are Alex Wilber (alexw@example.com), who has two devices in the simulated tenant: try "lost".\n`);
  const child = spawn(cmd.command, cmd.args, { env: cmd.env, stdio: 'inherit', cwd: path.resolve('.') });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}
