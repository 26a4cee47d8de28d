// The round trip of a remote lock on the simulated tenant, two ways:
//   console  the real terminal chat as a process (`lock <device>`, then `1`), from spawn to exit: what a person
//            running `npm run console` waits for, start-up included;
//   handler  in process: handleMessage, then handleClick on the confirm button, until the status says "sent".
// Run: npx tsx bench/console.ts. Prints p50/p95 in ms; it is not a test.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp } from '../src/app.js';
import { configSchema, loadConfig } from '../src/config/index.js';
import { buttonsOf, type Actor, type Reply, type ReplySink } from '../src/core/index.js';
import { createLogger } from '../src/logger.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const DEVICE = "Alice's iPhone";
const AS = 'alice@contoso.com';
const CONSOLE_RUNS = 5;
const HANDLER_WARM_UP = 20;
const HANDLER_RUNS = 200;

export interface ConsoleBenchResult {
  console: { runs: number; p50Ms: number; p95Ms: number };
  handler: { runs: number; p50Ms: number; p95Ms: number };
}

/** Settings that make the simulated tenant answer at once; every path absolute so the bench runs from anywhere. */
function fastEnv(dataDir: string): Record<string, string> {
  return {
    LOCKDESK_DATA_DIR: dataDir,
    LOCKDESK_SIM_SETTLE_MS: '0',
    LOCKDESK_POLL_INTERVAL_MS: '10',
    LOCKDESK_PLATFORM_SUPPORT: join(ROOT, 'data/platform-support.json'),
    LOCKDESK_DEMO_TENANT: join(ROOT, 'data/demo-tenant.json'),
    LOG_LEVEL: 'silent',
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const summary = (values: number[]) => ({ runs: values.length, p50Ms: percentile(values, 50), p95Ms: percentile(values, 95) });

async function consoleOnce(root: string, run: number): Promise<number> {
  const dataDir = join(root, `console-${run}`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(configSchema.shape)) delete env[key];
  const started = performance.now();
  const child = spawn(TSX, ['adapters/console/cli.ts', '--as', AS], { cwd: ROOT, env: { ...env, ...fastEnv(dataDir) }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.end(`lock ${DEVICE}\n1\n`);
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
  const elapsed = performance.now() - started;
  if (code !== 0 || !stdout.includes(`Remote lock of "${DEVICE}": done`)) throw new Error(`console run ${run} did not lock (exit ${code}):\n${stdout}\n${stderr}`);
  return elapsed;
}

/** Records the replies of one event and when the status first read "sent". */
function recordingSink(): ReplySink & { replies: Reply[]; sentAt?: number } {
  const sink: ReplySink & { replies: Reply[]; sentAt?: number } = {
    replies: [],
    reply: async (reply) => void sink.replies.push(reply),
    update: async (reply) => {
      sink.replies.push(reply);
      if (sink.sentAt === undefined && /: sent: /.test(reply.text)) sink.sentAt = performance.now();
    },
    sendSecret: async () => {},
  };
  return sink;
}

async function handlerRuns(root: string): Promise<number[]> {
  const config = loadConfig(fastEnv(join(root, 'handler')));
  const app = await buildApp(config, createLogger('silent'));
  const actor: Actor = { platform: 'console', id: AS, email: AS };
  const times: number[] = [];
  try {
    for (let i = 0; i < HANDLER_WARM_UP + HANDLER_RUNS; i += 1) {
      const asked = recordingSink();
      const started = performance.now();
      await app.handler.handleMessage(actor, `lock ${DEVICE}`, asked);
      const confirm = buttonsOf(asked.replies[0] ?? { text: '', blocks: [] }).find((b) => b.style === 'danger');
      if (!confirm) throw new Error(`no confirm button in: ${asked.replies[0]?.text}`);
      const clicked = recordingSink();
      await app.handler.handleClick(actor, confirm.value, clicked);
      if (clicked.sentAt === undefined) throw new Error(`the status never read "sent": ${clicked.replies.map((r) => r.text).join(' | ')}`);
      if (i >= HANDLER_WARM_UP) times.push(clicked.sentAt - started);
    }
    await app.handler.idle();
  } finally {
    await app.close();
  }
  return times;
}

export async function main(): Promise<ConsoleBenchResult> {
  const root = await mkdtemp(join(tmpdir(), 'lockdesk-bench-console-'));
  try {
    const spawned: number[] = [];
    for (let run = 0; run < CONSOLE_RUNS; run += 1) spawned.push(await consoleOnce(root, run));
    const result = { console: summary(spawned), handler: summary(await handlerRuns(root)) };
    const row = (label: string, r: { runs: number; p50Ms: number; p95Ms: number }) =>
      `${label.padEnd(38)}${String(r.runs).padStart(5)}${r.p50Ms.toFixed(1).padStart(10)} ms${r.p95Ms.toFixed(1).padStart(10)} ms`;
    console.log('\nconsole round trip of a lock on the simulated tenant (settle 0 ms)');
    console.log(`${''.padEnd(38)}${'runs'.padStart(5)}${'p50'.padStart(13)}${'p95'.padStart(13)}`);
    console.log(row('console process (spawn to exit)', result.console));
    console.log(row('handler in process (message to sent)', result.handler));
    return result;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
