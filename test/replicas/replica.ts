// One lockdesk process (`tsx src/main.ts`) started the way an operator starts it. tsx runs the program in a child
// node process of its own, so each replica gets a process group and every signal goes to the whole group: a
// `kill -9` of the replica then really ends the process that holds its connections and jobs.
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT, TSX } from '../console/run-console.js';

export interface Replica {
  name: string;
  /** http://127.0.0.1:<ephemeral port> from the banner. */
  url: string;
  pid: number;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** Resolves with the exit code and signal once the process group's leader has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  signal(sig: NodeJS.Signals): void;
  /** SIGKILL to the group, then waits for the exit. */
  kill(): Promise<void>;
}

function spawnGroup(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(TSX, ['src/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

/** Starts a replica and resolves once its banner names its URL; rejects with its output if it exits first. */
export async function startReplica(name: string, env: NodeJS.ProcessEnv, timeoutMs = 45_000): Promise<Replica> {
  const child = spawnGroup(env);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    }),
  );
  const pid = child.pid!;
  const signal = (sig: NodeJS.Signals) => {
    if (ended) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  const replica: Replica = {
    name,
    url: '',
    pid,
    output: () => out,
    exited,
    alive: () => !ended,
    signal,
    async kill() {
      signal('SIGKILL');
      await exited;
    },
  };
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = /lockdesk is running on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (found) return { ...replica, url: found[1]! };
    if (ended) throw new Error(`replica ${name} exited before its banner:\n${out}`);
    if (Date.now() > until) {
      await replica.kill();
      throw new Error(`replica ${name} printed no banner within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `tsx src/main.ts` to its end (for start-up failures). */
export async function runToExit(env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const child = spawnGroup(env);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output, ms: Date.now() - started };
}
