// The processes of `npm run bench:slack`: the measured apps (bench/slack-app.ts) driven over IPC, and the services
// (bench/slack-services.ts) whose first line of output says where they listen.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FromApp, ToApp } from './slack-app.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** A measured app in its own process, driven over IPC. */
export class AppProcess {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<string, Array<{ resolve: (m: FromApp) => void; reject: (e: Error) => void }>>();
  url = '';

  constructor(mode: 'lockdesk' | 'bare', env: NodeJS.ProcessEnv, stderr: number | 'inherit', nodeArgs: string[] = []) {
    this.#child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'bench/slack-app.ts', '--mode', mode], { cwd: ROOT, env, stdio: ['ignore', 'inherit', stderr, 'ipc'] });
    this.#child.on('message', (m: FromApp) => this.#waiting.get(m.type)?.shift()?.resolve(m));
    this.#child.once('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`the ${mode} bench process exited with ${code}\n`);
      for (const [type, list] of this.#waiting) for (const w of list.splice(0)) w.reject(new Error(`the ${mode} bench process exited (${code}) while waiting for "${type}"`));
    });
  }

  #next<T extends FromApp['type']>(type: T): Promise<Extract<FromApp, { type: T }>> {
    return new Promise((resolve, reject) => {
      const list = this.#waiting.get(type) ?? [];
      list.push({ resolve: (m) => resolve(m as Extract<FromApp, { type: T }>), reject });
      this.#waiting.set(type, list);
    });
  }

  async ready(): Promise<void> {
    this.url = (await this.#next('ready')).url;
  }

  send(cmd: ToApp['cmd']): void {
    this.#child.send({ cmd } satisfies ToApp);
  }

  async request<T extends FromApp['type']>(cmd: ToApp['cmd'], answer: T): Promise<Extract<FromApp, { type: T }>> {
    const next = this.#next(answer);
    this.send(cmd);
    return next;
  }

  async exit(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.send('exit');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 70_000))]);
    this.#child.kill();
  }
}

export async function startServices(cert: string, key: string): Promise<{ child: ChildProcess; graphEnv: Record<string, string>; slackApiUrl: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/slack-services.ts', '--cert', cert, '--key', key], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => { throw new Error('the bench services process exited before it listened'); })])) as [string];
  lines.close();
  return { child, ...(JSON.parse(line) as { graphEnv: Record<string, string>; slackApiUrl: string }) };
}

/** CPU time (user + system) of a process we started, from /proc (Linux); NaN elsewhere. */
export function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime and stime, in USER_HZ ticks (100 a second)
  } catch {
    return NaN;
  }
}

