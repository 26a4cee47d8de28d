// Runs lockdesk's real entry points (the console chat, the audit CLI, the server) as child processes through tsx,
// with an environment that holds only what the test chose: no LOCKDESK_* or PORT leaks in from the developer's shell.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../../src/config/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
/** A safety net only: a child that hangs is killed so the test fails with its output instead of leaking a process. */
const KILL_AFTER_MS = 25_000;

export interface ProcessResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** process.env without lockdesk's own variables, plus the given ones. Fast simulated settings by default. */
export function childEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(configSchema.shape)) delete env[key];
  return { ...env, LOCKDESK_DATA_DIR: dataDir, LOCKDESK_SIM_SETTLE_MS: '200', LOCKDESK_POLL_INTERVAL_MS: '50', ...extra };
}

/** Starts `tsx <script> ...args` in the repository root; stdout and stderr are piped. */
export function startTsx(script: string, args: string[], env: NodeJS.ProcessEnv, stdin: 'pipe' | 'ignore' = 'pipe'): ChildProcess {
  return spawn(TSX, [script, ...args], { cwd: REPO_ROOT, env, stdio: [stdin, 'pipe', 'pipe'], timeout: KILL_AFTER_MS });
}

/** Collects a started child's output until it exits. */
export function collect(child: ChildProcess): Promise<ProcessResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ stdout, stderr, code, signal }));
  });
}

/** Runs a script to completion with `input` piped to its stdin. */
export async function runTsx(script: string, args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<ProcessResult> {
  const child = startTsx(script, args, env);
  const done = collect(child);
  child.stdin?.end(input);
  return done;
}

/** One console chat session: every line is typed at once, then stdin ends and the chat settles and exits. */
export function runConsole(as: string, lines: string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return runTsx('adapters/console/cli.ts', ['--as', as], env, lines.map((l) => `${l}\n`).join(''));
}

/** `npm run audit -- ...args` on the same data directory. */
export function runAudit(args: string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return runTsx('src/cli/audit.ts', args, env);
}

/** Every file under dir, by relative path, with its contents. */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true })) {
    const full = join(dir, entry);
    if ((await stat(full)).isFile()) files.set(entry, await readFile(full, 'utf8'));
  }
  return files;
}
